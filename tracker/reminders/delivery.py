"""What must still hold when a queued message is sent: the dispatcher asks before each send.

Hours or days can pass between the sweep that queued a message and the dispatch that sends it.
In that time a plan can be archived, a person deactivated or replaced as manager, or someone
can choose fewer emails (choosing then stops what is already queued too). Each of those turns
the message into ``skipped`` with a reason an operator can read on the outbox page, instead of
an email about a situation that no longer exists. Who a kind is for and which email choices
still let it through are facts of the kind (``kinds.KIND_FACTS``), not checks written here.

Each channel answers to its own choice: an email row to the email choice (fewer emails, none)
and to the kind's channel not being "chat" only; a chat row to the kind's channel including
chat, and to a chat channel still being there for the person (``channels``).
"""
from __future__ import annotations

from flask import current_app

from tracker.models import Channel, Notification, PlanStatus, User
from tracker.reminders.channels import channels_for, route, settings_for
from tracker.reminders.kinds import NotificationKind, label_of
from tracker.services.preferences import CHOICES, describe
from tracker.services.site_policy import manages_anyone


def wanted(user: User, kind: str) -> bool:
    """Whether ``user``'s email choice lets this kind through."""
    choice = user.notification_preference
    member = NotificationKind.known(kind)
    if member is not None and member.facts.always:
        return True
    if choice == "all" or choice not in CHOICES:
        return True
    return member is not None and choice in member.facts.kept_by


def still_for(notification: Notification) -> bool:
    """Whether the recipient still holds the place the message was written for."""
    recipient, plan = notification.recipient, notification.plan
    if (notification.payload or {}).get("stage") == "hr":
        return recipient.is_admin
    if plan is not None:
        return recipient.id in (plan.hire_id, plan.manager_id, plan.buddy_id)
    member = NotificationKind.known(notification.kind)
    if member is not None and member.facts.audience == "team":
        return manages_anyone(recipient)
    return True


def skip_reason(notification: Notification) -> str | None:
    """Why a queued message should not go out after all, or None to send it."""
    recipient, plan = notification.recipient, notification.plan
    if not recipient.active:
        return "the recipient's account is deactivated"
    if plan is not None and plan.status != PlanStatus.ACTIVE:
        return f"the plan is {plan.status.value}"
    if not still_for(notification):
        return "the recipient no longer has the role this message was for"
    settings = settings_for(recipient.id)
    config = current_app.config
    channels = channels_for(settings, notification.kind, config)
    if notification.channel == Channel.CHAT:
        if route(settings, config) is None:
            return ("no chat is set up for the recipient any more (no Slack bot on this site, "
                    "no webhook address of their own)")
        if Channel.CHAT not in channels:
            return f"the recipient chose email only for {label_of(notification.kind).lower()}"
        return None
    if Channel.EMAIL not in channels:
        return f"the recipient chose chat only for {label_of(notification.kind).lower()}"
    if not wanted(recipient, notification.kind):
        return f"the recipient chose: {describe(recipient.notification_preference)}"
    return None
