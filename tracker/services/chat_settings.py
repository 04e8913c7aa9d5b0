"""A person's chat settings: their own webhook address, and email, chat or both per reminder.

Rules only; the preferences page draws them (tracker/auth/preferences.py). Chat is offered when
there is a way to reach the person: the site's Slack bot (``SLACK_BOT_TOKEN``) or a webhook
address they give. ``offer`` says which, or in plain words why not, for the page to show.

A webhook address makes this server POST where a person says, so it is held to more than an
admin's outgoing webhook: https only, no user name or password in it, and a host whose every
address is public (checked on saving and again before each send). ``CHAT_WEBHOOK_ALLOW_LOOPBACK``
(the testing settings only) also takes http://127.0.0.1, where the tests' receiver listens.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlsplit

from flask import current_app

from tracker.extensions import db
from tracker.models import ChatSettings, User
from tracker.reminders.channels import (
    CHOICES,
    SLACK,
    WEBHOOK,
    chat_kinds,
    chosen,
    route,
    settings_for,
)
from tracker.services.audit import record
from tracker.services.errors import InputError
from tracker.services.text_rules import CHAT_WEBHOOK_URL
from tracker.webhooks.addresses import private_address

EXAMPLE = "https://example.webhook.office.com/webhookb2/..."
LOOPBACK = "127.0.0.1"
NOT_OFFERED = ("Chat is not offered yet: this site has no Slack bot (an administrator sets "
               "SLACK_BOT_TOKEN), and you have not given a chat webhook address. Add one below "
               "(Microsoft Teams, or any chat with incoming webhooks) to choose chat.")


@dataclass(frozen=True)
class Offer:
    route: str | None  # "slack", "webhook" or None
    text: str  # what the page says about it

    @property
    def available(self) -> bool:
        return self.route is not None


def settings_of(user: User) -> ChatSettings | None:
    return settings_for(user.id)


def offer(user: User, settings: ChatSettings | None = None) -> Offer:
    settings = settings if settings is not None else settings_of(user)
    how = route(settings, current_app.config)
    if how == WEBHOOK:
        return Offer(how, "Chat messages go to your webhook address below.")
    if how == SLACK:
        return Offer(how, f"Chat messages come from this site's Slack bot as a direct message, "
                          f"to the Slack account with your email ({user.email}).")
    return Offer(None, NOT_OFFERED)


def current_choices(settings: ChatSettings | None) -> dict[str, str]:
    return {kind.value: chosen(settings, kind.value) for kind in chat_kinds()}


def address_problem(url: str, config: Mapping) -> str | None:
    """Why a webhook address may not be used, or None. Also asked before every send."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return f"that is not a web address; write it as {EXAMPLE}"
    loopback = (config.get("CHAT_WEBHOOK_ALLOW_LOOPBACK") and parts.scheme in ("http", "https")
                and parts.hostname == LOOPBACK)
    if loopback:
        return None
    if parts.scheme != "https":
        return f"use an address that starts with https://, such as {EXAMPLE}"
    if not parts.hostname:
        return f"the address has no host name; write it as {EXAMPLE}"
    if parts.username or parts.password:
        return "leave the user name and password out of the address"
    return private_address(parts.hostname, port or 443)


def check_webhook_url(url: str | None) -> str | None:
    """The address, trimmed, or None to remove it; InputError saying what is wrong."""
    text = CHAT_WEBHOOK_URL.check(url)
    if not text:
        return None
    refusal = address_problem(text, current_app.config)
    if refusal:
        raise InputError("webhook_url", refusal)
    return text


def save(user: User, webhook_url: str | None, choices: Mapping[str, str | None], *,
         operator: bool = False) -> bool:
    """Store the address and the choices; returns whether anything changed. A kind left out
    of ``choices`` (the page draws none while chat is not offered) keeps what it was. Chat may
    only be newly chosen when it is offered, counting the address given in the same save.
    ``operator``: set for the person by an administrator at the command line (no actor)."""
    address = check_webhook_url(webhook_url)
    settings = settings_of(user)
    stored = current_choices(settings)
    picked: dict[str, str] = {}
    for kind in chat_kinds():
        choice = choices.get(kind.value)
        if not choice:
            choice = stored[kind.value]
        elif choice not in CHOICES:
            raise InputError(kind.value, "choose email, chat or both")
        picked[kind.value] = choice
    asked_for_chat = any(choices.get(kind) in ("chat", "both") for kind in picked)
    if address is None and not current_app.config.get("SLACK_BOT_TOKEN") and asked_for_chat:
        raise InputError("webhook_url", "chat needs a webhook address here (this site has no "
                                        "Slack bot); give one, or choose email")
    before = {"webhook": bool(settings and settings.webhook_url), "channels": stored}
    after = {"webhook": address is not None, "channels": picked}
    if before == after and (settings is None or settings.webhook_url == address):
        return False
    if settings is None:
        settings = ChatSettings(user_id=user.id)
        db.session.add(settings)
    settings.webhook_url = address
    settings.channels = {kind: choice for kind, choice in picked.items() if choice != "email"}
    record("preferences.chat_changed", actor=None if operator else user, target=user,
           before=before, after=after)
    return True
