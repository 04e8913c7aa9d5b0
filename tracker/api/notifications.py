"""The outbox, read-only, for HR and admins: what was queued for whom, and how it went."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.api import access, answers, bp, spec
from tracker.api.inputs import NotificationQuery
from tracker.api.present import notification
from tracker.api.schemas import NotificationPage
from tracker.extensions import db
from tracker.models import Notification, NotificationStatus
from tracker.services.site_policy import read_outbox


@bp.get("/notifications")
@spec.validate(query=NotificationQuery, resp=answers(errors=(), HTTP_200=NotificationPage),
               tags=["notifications"])
def list_notifications(query: NotificationQuery):
    """Newest first; filter by status or plan."""
    access.enforce(read_outbox(access.me()))
    where = sa.true()
    if query.status:
        where = sa.and_(where, Notification.status == NotificationStatus(query.status))
    if query.plan_id:
        where = sa.and_(where, Notification.plan_id == query.plan_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(where))
    rows = db.session.scalars(
        sa.select(Notification).where(where).options(so.selectinload(Notification.recipient))
        .order_by(Notification.send_after.desc(), Notification.id.desc())
        .limit(query.per_page).offset((query.page - 1) * query.per_page)).all()
    return NotificationPage(items=[notification(n) for n in rows], page=query.page,
                            per_page=query.per_page, total=total)
