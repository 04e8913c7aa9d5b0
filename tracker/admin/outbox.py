"""The outbox page: every notification, its state and last error; re-queue; next sweep's preview."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import orm as so

from tracker.admin import admin_required, bp
from tracker.admin.paging import paging
from tracker.extensions import db
from tracker.models import Notification, NotificationStatus, utcnow
from tracker.security import safe_next_url
from tracker.services.errors import InputError
from tracker.services.outbox import requeue, status_counts


def _filters():
    clauses, chosen = [], {}
    status = request.args.get("status", "")
    if status in NotificationStatus._value2member_map_:
        clauses.append(Notification.status == NotificationStatus(status))
        chosen["status"] = status
    kind = request.args.get("kind", "")
    if kind:
        clauses.append(Notification.kind == kind)
        chosen["kind"] = kind
    return sa.and_(sa.true(), *clauses), chosen


@bp.get("/outbox")
@admin_required
def outbox():
    from tracker.jobs.sweep import sweep

    where, chosen = _filters()
    page = paging(Notification, where)
    rows = db.session.scalars(
        sa.select(Notification).where(where).options(so.joinedload(Notification.recipient))
        .order_by(Notification.send_after.desc(), Notification.id.desc())
        .limit(page.size).offset(page.offset)).all()
    kinds = db.session.scalars(sa.select(Notification.kind).distinct().order_by(Notification.kind)).all()
    preview = sweep(utcnow(), dry_run=True)
    return render_template("admin/outbox.html", rows=rows, paging=page, chosen=chosen, kinds=kinds,
                           statuses=[s.value for s in NotificationStatus], preview=preview,
                           counts=status_counts())


@bp.post("/outbox/<int:notification_id>/requeue")
@admin_required
def requeue_notification(notification_id: int):
    notification = db.get_or_404(Notification, notification_id)
    try:
        requeue(notification, current_user)
    except InputError as error:
        db.session.rollback()
        flash(error.message[0].upper() + error.message[1:] + ".", "error")
    else:
        db.session.commit()
        flash(f"Message #{notification_id} is queued again; the next dispatch sends it.", "info")
    return redirect(safe_next_url(request.form.get("back")) or url_for("admin.outbox"))
