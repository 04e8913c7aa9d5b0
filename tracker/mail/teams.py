"""Microsoft Teams, and any chat with incoming webhooks: a card POSTed to the person's address.

The body is the message envelope Teams' incoming webhooks (Workflows and the older connectors)
take: ``type: message`` with one Adaptive Card attachment, the subject as its text and an
``Action.OpenUrl`` button back to the page. The envelope's own ``text`` carries the same line
and the link, which is what Mattermost, Rocket.Chat, Google Chat and Slack's own incoming
webhooks show, so one address format serves them all.

The POST is the outgoing webhooks' (tracker/webhooks/http.py: no redirects followed, no proxy
from the environment, a timeout). The address is checked again before each send, as an
outgoing webhook's is: https, and a public host (DNS may have changed since it was saved).
"""
from __future__ import annotations

import json
from typing import Mapping

from tracker.mail.chat import ChatMessage, ChatResult
from tracker.services.chat_settings import address_problem
from tracker.webhooks.http import post

CARD = "application/vnd.microsoft.card.adaptive"


def card(message: ChatMessage) -> dict:
    return {
        "type": "message",
        "text": f"{message.text}: {message.url}",
        "attachments": [{
            "contentType": CARD,
            "contentUrl": None,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": [{"type": "TextBlock", "text": message.text, "wrap": True,
                          "weight": "Bolder"}],
                "actions": [{"type": "Action.OpenUrl", "title": message.label,
                             "url": message.url}],
            },
        }],
    }


def send(url: str, message: ChatMessage, config: Mapping) -> ChatResult:
    refusal = address_problem(url, config)
    if refusal:
        return ChatResult(error=f"not sent: {refusal}")
    body = json.dumps(card(message), separators=(",", ":")).encode()
    answer = post(url, body, {}, config["CHAT_TIMEOUT"])
    if answer.delivered:
        return ChatResult()
    said = f" ({answer.body})" if answer.body else ""
    return ChatResult(error=f"chat webhook: {answer.error}{said}")
