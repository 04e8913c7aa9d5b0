"""Email, chat or both: where each reminder goes, per person and per kind.

A person picks, for each reminder kind that may go to chat (``KindFacts.chat``), "email" (the
default), "chat" or "both". Chat is there for them when the site has a Slack bot
(``SLACK_BOT_TOKEN``) or they gave an incoming-webhook address of their own (Microsoft Teams,
or any chat that takes one); their own address wins over the site's Slack, since they set it.
Without a chat channel a choice of chat falls back to email, so nobody loses a reminder because
a token was taken away.

The sweep writes one outbox row per message per channel. The chat row's dedupe key is the email
key plus ``:chat``: the one unique key the sweep already inserts against then says "once" for
each channel, a second sweep inserts neither again, and a key tells at a glance which channel
it was. The email choices of ``services.preferences`` (fewer emails, none) stay what they are:
choices about email. The dispatcher asks ``delivery`` again at send time, so a change of mind
stops what is already queued; a channel added after a message was queued applies from the
next message (the sweep does not read a plan again before its next reminder is due).
"""
from __future__ import annotations

from typing import Mapping

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Channel, ChatSettings
from tracker.reminders.kinds import NotificationKind

CHOICES = {"email": "By email", "chat": "In chat", "both": "Both: email and chat"}
DEFAULT = "email"
CHAT_SUFFIX = ":chat"
SLACK, WEBHOOK = "slack", "webhook"
ROUTED = {"email": (Channel.EMAIL,), "chat": (Channel.CHAT,),
          "both": (Channel.EMAIL, Channel.CHAT)}


def settings_for(user_id: int) -> ChatSettings | None:
    return db.session.scalar(sa.select(ChatSettings).where(ChatSettings.user_id == user_id))


def chat_key(email_key: str) -> str:
    return email_key + CHAT_SUFFIX


def chat_kinds() -> list[NotificationKind]:
    """The kinds people may have in chat, in the order the preferences page lists them."""
    return [kind for kind in NotificationKind if kind.facts.chat]


def route(settings: ChatSettings | None, config: Mapping) -> str | None:
    """How this person's chat messages go: their own webhook, the site's Slack bot, or None."""
    if settings is not None and settings.webhook_url:
        return WEBHOOK
    if config.get("SLACK_BOT_TOKEN"):
        return SLACK
    return None


def chosen(settings: ChatSettings | None, kind: str) -> str:
    """What the person picked for ``kind`` (not yet checked against what the site offers)."""
    choice = ((settings.channels if settings is not None else None) or {}).get(str(kind))
    return choice if choice in CHOICES else DEFAULT


def channels_for(settings: ChatSettings | None, kind: str, config: Mapping
                 ) -> tuple[Channel, ...]:
    """The channels a message of ``kind`` goes out on for this person, right now."""
    member = NotificationKind.known(str(kind))
    if member is None or not member.facts.chat or route(settings, config) is None:
        return (Channel.EMAIL,)
    return ROUTED[chosen(settings, kind)]


def keyed(email_key: str, channel: Channel) -> str:
    return chat_key(email_key) if channel == Channel.CHAT else email_key
