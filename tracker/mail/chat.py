"""A reminder as a chat message: its one line and its one button, and who carries it.

Every email asks for one thing and links to it (tracker/mail/render.py); a chat message is that
subject and that link, as a button back to the same page, and nothing more: the details are
one click away, where they are always current. Slack gets it from the site's bot as a direct
message (tracker/mail/slack.py); Microsoft Teams, and any chat that takes an incoming webhook,
as a card posted to the person's own address (tracker/mail/teams.py).

Senders answer with a ``ChatResult`` rather than raising: delivered, never deliverable (a
reason to skip, such as no Slack account for the person's email), or failed with the error
and, when the receiver said so (HTTP 429 Retry-After), how long to wait before the next try.
The dispatcher turns that into the outbox's usual sent / skipped / retried / dead.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from tracker.mail.render import CONTEXTS
from tracker.models import ChatSettings, Notification, Plan, User
from tracker.reminders import channels
from tracker.reminders.kinds import NotificationKind


@dataclass(frozen=True)
class ChatMessage:
    text: str  # the email's subject
    label: str  # what the button says
    url: str  # where it goes: the page the email links to


@dataclass(frozen=True)
class ChatResult:
    error: str | None = None  # why this try failed; None and no skip: delivered
    skip: str | None = None  # why it can never go (it is skipped, not retried)
    retry_after: float | None = None  # seconds the receiver asked us to wait

    @property
    def delivered(self) -> bool:
        return self.error is None and self.skip is None


def message_of(notification: Notification, recipient: User, plan: Plan | None) -> ChatMessage:
    kind = NotificationKind.known(notification.kind)
    if kind is None or not kind.facts.chat or kind not in CONTEXTS:
        raise ValueError(f"notification kind {notification.kind!r} does not go to chat")
    data = dict(notification.payload or {})
    if plan is not None:
        data.setdefault("plan_id", plan.id)
    context = CONTEXTS[kind](data, recipient, plan)
    return ChatMessage(context["subject"], context["action_label"], context["action_url"])


def send(notification: Notification, settings: ChatSettings | None,
         config: Mapping) -> ChatResult:
    """Send one chat row the way the person's chat goes now."""
    message = message_of(notification, notification.recipient, notification.plan)
    how = channels.route(settings, config)
    # Imported here: each sender takes ChatMessage and ChatResult from this module, and
    # slack_sdk is loaded only by the processes that send to Slack.
    if how == channels.WEBHOOK:
        from tracker.mail import teams

        return teams.send(settings.webhook_url, message, config)
    if how == channels.SLACK:
        from tracker.mail import slack

        return slack.send(notification.recipient, settings, message, config)
    return ChatResult(skip="no chat is set up for the recipient")
