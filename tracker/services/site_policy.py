"""The policy's questions outside any one plan: the outbox, the studio and the top bar.

Answers are the same :class:`~tracker.services.policy.Decision` the plan rules give, so views
and templates treat both alike.
"""
from __future__ import annotations

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import AccessToken, Notification, NotificationStatus, Plan, PlanStatus, User
from tracker.services.policy import ALLOW, Decision

REQUEUEABLE = frozenset({NotificationStatus.DEAD, NotificationStatus.FAILED,
                         NotificationStatus.SKIPPED, NotificationStatus.SKIPPED_STALE})


def requeue_notification(user: User, notification: Notification) -> Decision:
    """Operators send a message again once the dispatcher has given up on it."""
    if not user.is_admin:
        return Decision(False, "only HR and admins manage the outbox", forbidden=True)
    if notification.status not in REQUEUEABLE:
        return Decision(False, f"a {notification.status.value.replace('_', ' ')} message "
                               "cannot be queued again")
    return ALLOW


def manage_webhooks(user: User) -> Decision:
    """Webhooks send plan facts to other systems, so only HR and admins choose where to."""
    if user.is_admin:
        return ALLOW
    return Decision(False, "only HR and admins manage webhooks", forbidden=True)


def use_studio(user: User) -> Decision:
    """The template studio: HR and admins, and anyone HR made a template editor, shape the role
    library every plan is made from."""
    if user.is_admin or user.edits_templates:
        return ALLOW
    return Decision(False, "only HR, admins and template editors open the template studio",
                    forbidden=True)


def grant_studio(user: User) -> Decision:
    """Who may make someone a template editor, or stop them being one: HR and admins only."""
    if user.is_admin:
        return ALLOW
    return Decision(False, "only HR and admins choose the template editors", forbidden=True)


def revoke_token(user: User, token: AccessToken) -> Decision:
    """A personal access token is revoked by its owner, or by HR and admins (someone has left,
    or a token leaked); nobody else learns that it exists."""
    if user.id == token.user_id or user.is_admin:
        return ALLOW
    return Decision(False, "only the token's owner, HR and admins can revoke a token",
                    forbidden=True)


MENU = (("plans.home", "My plans", "everyone"), ("reviews.team_page", "My team", "managers"),
        ("reviews.queue", "Reviews", "managers"), ("admin.plans", "All plans", "admins"),
        ("admin.new_hire", "New hire", "admins"),
        ("admin.reports", "Reports", "admins"), ("studio.index", "Studio", "editors"),
        ("admin.outbox", "Outbox", "admins"), ("auth.preferences", "Email", "everyone"))


def manages_anyone(user: User) -> bool:
    """Whether ``user`` manages someone now: the team pages and the team emails are for them."""
    return db.session.scalar(sa.select(sa.exists().where(
        Plan.manager_id == user.id, Plan.status == PlanStatus.ACTIVE)))


def menu(user: User) -> list[tuple[str, str]]:
    """The top bar: (endpoint, label) for the pages this person can use, and only those.

    A hire who manages nobody has no team and no reviews, so they see neither.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    audience = {"everyone", *(["managers"] if manages_anyone(user) else []),
                *(["admins"] if user.is_admin else []),
                *(["editors"] if use_studio(user) else [])}
    return [(endpoint, label) for endpoint, label, who in MENU if who in audience]


def manage_hires(user: User) -> Decision:
    """Creating hires, importing them and reading every plan: the work of HR and admins."""
    if user.is_admin:
        return ALLOW
    return Decision(False, "only HR and admins create hires and see every plan", forbidden=True)


def read_outbox(user: User) -> Decision:
    """The outbox names every person and what they were sent: HR and admins only."""
    if user.is_admin:
        return ALLOW
    return Decision(False, "only HR and admins read the outbox", forbidden=True)
