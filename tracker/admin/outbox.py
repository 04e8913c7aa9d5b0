"""The outbox page: every notification, its state and last error; re-queue; a sweep's preview;
and the plans the sweep could not work out, so HR can open each one and fix it.

The preview of what the next sweep would queue plans a whole sweep (a dozen queries over every
running plan), so it runs only when an operator asks for it (``?preview=1``), never on a plain
view of the page, and it asks the reminders' plan step directly rather than the sweep job.
The sweep's problems are rows the sweep wrote, read in one query on every view.
"""
from __future__ import annotations

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.admin import admin_required, bp
from tracker.admin.forms import RequeueForm
from tracker.admin.paging import paging
from tracker.extensions import db
from tracker.models import Notification, utcnow
from tracker.reminders.kinds import label_of
from tracker.reminders.plan import STALE, preview
from tracker.services import site_policy, sweep_problems
from tracker.services.errors import InputError
from tracker.services.outbox import (
    STATUS_LABELS,
    kinds_in_outbox,
    outbox_filter,
    outbox_page,
    requeue,
    status_counts,
)

STALE_LABEL = "Recorded as missed (too late to send)"


def sweep_preview() -> tuple[list[tuple[str, int]], int]:
    """(label, count) for each kind the next sweep would queue, then the missed ones; and how
    many plans it would leave out."""
    result = preview(utcnow())
    counts = dict(result.counts)
    stale = counts.pop(STALE, 0)
    rows = [(label_of(kind), count) for kind, count in sorted(counts.items()) if count]
    return rows + ([(STALE_LABEL, stale)] if stale else []), len(result.failed)


@bp.get("/outbox")
@admin_required
def outbox():
    where, chosen = outbox_filter(request.args.get("status", ""), request.args.get("kind", ""))
    page = paging(Notification, where)
    rows = outbox_page(where, page.size, page.offset)
    kinds = kinds_in_outbox()
    preview_rows, left_out = sweep_preview() if request.args.get("preview") else (None, 0)
    return render_template(
        "admin/outbox.html", rows=rows, paging=page, chosen=chosen,
        kinds=[(kind, label_of(kind)) for kind in kinds],
        statuses=[(status.value, label) for status, label in STATUS_LABELS.items()],
        counts=status_counts(), kind_label=label_of, status_label=STATUS_LABELS.get,
        preview=preview_rows, preview_left_out=left_out,
        problems=sweep_problems.recent(utcnow()),
        may_requeue=partial(site_policy.requeue_notification, current_user),
        requeue_form=RequeueForm(back=request.full_path))


@bp.post("/outbox/<int:notification_id>/requeue")
@admin_required
def requeue_notification(notification_id: int):
    notification = db.get_or_404(Notification, notification_id)
    form = RequeueForm()
    if not form.validate_on_submit():
        flash("The message was not queued again: "
              + next(iter(form.errors.values()))[0] + ".", "error")
        return redirect(url_for("admin.outbox"))
    try:
        requeue(notification, current_user)
    except InputError as error:
        db.session.rollback()
        flash(error.message[0].upper() + error.message[1:] + ".", "error")
    else:
        db.session.commit()
        flash(f"Message #{notification_id} is queued again; the next dispatch sends it.", "info")
    return redirect(form.back.data or url_for("admin.outbox"))
