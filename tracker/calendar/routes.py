"""The feed calendar apps poll, and the two buttons on the preferences page that manage it.

The feed needs no sign-in: Google Calendar, Outlook and Apple Calendar fetch it from their own
servers with no cookie, so the secret in the address is the access check. Anything that is not
a live address (unknown, revoked, malformed, a deactivated person) answers the same plain 404,
which tells a guesser nothing.
"""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required

from tracker.calendar import bp
from tracker.extensions import db
from tracker.forms import ActionForm
from tracker.models import utcnow
from tracker.services import calendar_feeds
from tracker.services.calendar_events import REFRESH, feed_ics

# Private: the URL is a secret, so no shared cache should keep a copy under it. Fresh for
# less than the refresh interval the feed asks for, so a poll on time gets today's dates.
CACHE_CONTROL = f"private, max-age={int(REFRESH.total_seconds()) // 4}"


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    found = calendar_feeds.feed_for_token(token)
    if found is None:
        abort(404)
    now = utcnow()
    body = feed_ics(found.user, now)
    if calendar_feeds.note_use(found, now):
        db.session.commit()
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="onboarding.ics"'
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.post("/calendar/address")
@login_required
def new_address():
    """Shown once, on this response: only the hash is kept, so no later page can show it."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("auth.preferences"))
    token = calendar_feeds.make_address(current_user)
    db.session.commit()
    url = calendar_feeds.feed_url(token)
    return render_template("calendar/address.html", url=url,
                           webcal="webcal://" + url.split("://", 1)[1])


@bp.post("/calendar/address/off")
@login_required
def turn_off():
    if ActionForm().validate_on_submit():
        was_on = calendar_feeds.turn_off(current_user)
        db.session.commit()
        flash("Your calendar feed is off; its address no longer opens." if was_on
              else "Your calendar feed was already off.", "info")
    return redirect(url_for("auth.preferences"))
