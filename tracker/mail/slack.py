"""Slack: the site's bot finds the person by email and sends them a direct message.

Three Web API calls with ``slack_sdk``: ``users.lookupByEmail`` (the Slack user with the
person's email; kept in their chat settings with that email, so the next message skips it),
``conversations.open`` (the direct message between the bot and them) and ``chat.postMessage``
with Block Kit blocks: the line, and a button back to the page. ``SLACK_API_URL`` is where the
Web API is (tests point it at a server on loopback). The client retries nothing itself: every
retry is the outbox's, with its backoff and its ``dead``.

What Slack says decides what happens: ``users_not_found`` (nobody in the workspace has that
email) and ``user_disabled`` skip the message with the reason, as no retry would change them;
HTTP 429 waits at least the ``Retry-After`` Slack gave; anything else (a bad token, a missing
scope, Slack down) is a failure, retried with backoff, its error on the outbox page.
"""
from __future__ import annotations

from http.client import HTTPException
from typing import Mapping

import sqlalchemy as sa
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from tracker.extensions import db
from tracker.mail.chat import ChatMessage, ChatResult
from tracker.models import ChatSettings, User

NEVER_THERE = {"users_not_found": "Slack has no user with the email {email}",
               "user_disabled": "the Slack account for {email} is deactivated"}
BUTTON_LIMIT, TEXT_LIMIT = 75, 3000  # Block Kit's own limits


def _mrkdwn(text: str) -> str:
    """Slack reads &, < and > as markup; the three escapes it documents."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def blocks(message: ChatMessage) -> list[dict]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": _mrkdwn(message.text)[:TEXT_LIMIT]}},
        {"type": "actions", "elements": [{
            "type": "button", "action_id": "open_page", "url": message.url,
            "text": {"type": "plain_text", "text": message.label[:BUTTON_LIMIT]}}]},
    ]


def client(config: Mapping) -> WebClient:
    return WebClient(token=config["SLACK_BOT_TOKEN"], base_url=config["SLACK_API_URL"],
                     timeout=config["CHAT_TIMEOUT"], retry_handlers=[])


def _remember(user: User, slack_user_id: str | None) -> None:
    """Keep (or forget) the Slack user found for this email, in a transaction of its own: the
    dispatcher's session is rolled back after each batch."""
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(ChatSettings).where(ChatSettings.user_id == user.id)
            .values(slack_user_id=slack_user_id, slack_email=user.email if slack_user_id else None))


def _slack_user(api: WebClient, user: User, settings: ChatSettings | None) -> str:
    if settings is not None and settings.slack_user_id and settings.slack_email == user.email:
        return settings.slack_user_id
    found = api.users_lookupByEmail(email=user.email)["user"]["id"]
    _remember(user, found)
    return found


def _failure(error: SlackApiError, user: User) -> ChatResult:
    response = error.response
    data = response.data if isinstance(response.data, dict) else {}
    code = data.get("error")
    if code in ("users_not_found", "user_not_found"):
        _remember(user, None)  # the next try looks them up again
    if code in NEVER_THERE:
        return ChatResult(skip=NEVER_THERE[code].format(email=user.email))
    status = response.status_code
    wait = None
    if status == 429:
        try:
            wait = float(response.headers.get("Retry-After") or response.headers.get(
                "retry-after") or 0) or None
        except (TypeError, ValueError):
            wait = None
    return ChatResult(error=f"Slack answered HTTP {status}: {code or 'no error code'}",
                      retry_after=wait)


def send(user: User, settings: ChatSettings | None, message: ChatMessage,
         config: Mapping) -> ChatResult:
    api = client(config)
    try:
        slack_user = _slack_user(api, user, settings)
        channel = api.conversations_open(users=slack_user)["channel"]["id"]
        api.chat_postMessage(channel=channel, text=f"{message.text}: {message.url}",
                             blocks=blocks(message), unfurl_links=False)
    except SlackApiError as error:
        return _failure(error, user)
    except (SlackClientError, OSError, HTTPException, ValueError, KeyError, TypeError) as error:
        # no answer, or not one the Web API gives (a proxy's error page, say)
        return ChatResult(error=f"Slack: no usable answer: {type(error).__name__}: {error}")
    return ChatResult()
