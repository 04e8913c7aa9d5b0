"""One email as the dispatcher sends it: multipart text + HTML, stable headers, attachments.

The Message-ID comes from the notification, never from the clock or a random number, so a message
retried after a timeout carries the same id and mail clients can drop the second copy.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from flask import current_app

from tracker.models import Notification, User, utcnow


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "text/calendar; method=REQUEST", say
    data: bytes


@dataclass(frozen=True)
class Rendered:
    """What a notification kind renders to; headers and addresses are added by ``build``."""

    subject: str
    text: str
    html: str
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # List-Unsubscribe, say


def sender_domain() -> str:
    address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    return address.rpartition("@")[2] or "localhost"


def message_id(notification: Notification) -> str:
    digest = hashlib.sha256(notification.dedupe_key.encode()).hexdigest()[:16]
    return f"<n{notification.id}.{digest}@{sender_domain()}>"


def build(notification: Notification, recipient: User, rendered: Rendered) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    # Address quotes the name as a whole, even encoded: "Évé <x@y>" stays a name, never a
    # second address (formataddr encodes only part of it, and a parser reads the rest).
    message["To"] = Address(display_name=" ".join(recipient.name.split()),
                            addr_spec=recipient.email)
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id(notification)
    message["X-Tracker-Notification"] = notification.dedupe_key
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies, please
    for name, value in rendered.headers.items():
        message[name] = value
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    for attachment in rendered.attachments:
        maintype, _, rest = attachment.content_type.partition("/")
        subtype, *pairs = [part.strip() for part in rest.split(";")]
        params = dict(pair.split("=", 1) for pair in pairs if "=" in pair)
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype,
                               filename=attachment.filename, params=params)
    return message
