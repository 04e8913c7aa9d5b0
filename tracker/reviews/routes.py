from flask import render_template
from flask_login import current_user, login_required

from tracker.reviews import bp
from tracker.services.at_risk import Thresholds
from tracker.services.team import review_queue, team


@bp.get("/team")
@login_required
def team_page():
    """Anyone may open it; people who manage nobody see an empty team, not an error."""
    return render_template("reviews/team.html", rows=team(current_user),
                           risk_rule=Thresholds.from_settings().explained())


@bp.get("/reviews")
@login_required
def queue():
    return render_template("reviews/queue.html", rows=review_queue(current_user))
