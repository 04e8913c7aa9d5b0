"""Studio pages: the library, one template with its versions and goals, and a comparison."""
from flask import abort, render_template, request
from flask_login import current_user

from tracker.security import id_arg
from tracker.services.role_compare import LABELS, compare, summary
from tracker.services.site_policy import grant_studio
from tracker.services.studio import library_rows, new_role_drafts, template_row, with_goals
from tracker.studio import bp, studio_access


@bp.get("/")
@studio_access
def index():
    return render_template("studio/index.html", rows=library_rows(), new_drafts=new_role_drafts(),
                           may_grant=bool(grant_studio(current_user)))


def _row_or_404(slug: str):
    row = template_row(slug)
    if row is None:
        abort(404)
    return row


@bp.get("/<slug>")
@studio_access
def show(slug: str):
    row = _row_or_404(slug)
    return render_template("studio/template.html", row=row, version=with_goals(row.latest))


@bp.get("/<slug>/compare")
@studio_access
def compare_versions(slug: str):
    """Any two versions, goal by goal; by default the one before the latest, and the latest."""
    row = _row_or_404(slug)
    by_number = {r.version.number: r.version for r in row.versions}
    latest = row.latest.number
    new = id_arg(request.args.get("to")) or latest
    old = id_arg(request.args.get("from")) or max(1, new - 1)
    problem = None
    if old not in by_number or new not in by_number:
        problem = f"{row.template.name} has versions 1 to {latest}; choose two of those."
        old, new = max(1, latest - 1), latest
    changes = compare(with_goals(by_number[old]), with_goals(by_number[new]))
    return render_template("studio/compare.html", row=row, old=by_number[old],
                           new=by_number[new], changes=changes, counts=summary(changes),
                           labels=LABELS, problem=problem), 422 if problem else 200
