"""Where messages go: an SMTP server, or .eml files in a folder for local runs and demos.

Both are used as context managers so the dispatcher can send a whole batch over one SMTP
connection. A backend raises on failure and leaves retrying to the dispatcher, which knows how
many times a message has been tried.
"""
from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from flask import Flask, current_app

from config.settings import ConfigError


class UnsendableMessage(Exception):
    """This message cannot go through this server, though the server is fine: it needs
    SMTPUTF8 (an address with non-ASCII characters) and the server does not offer it. The
    connection stays open for the next message."""


class SMTPBackend:
    def __init__(self, config) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> "SMTPBackend":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def open(self) -> smtplib.SMTP:
        c = self.config
        context = ssl.create_default_context()
        if c["MAIL_USE_SSL"]:
            connection = smtplib.SMTP_SSL(c["MAIL_SERVER"], c["MAIL_PORT"],
                                          timeout=c["MAIL_TIMEOUT"], context=context)
        else:
            connection = smtplib.SMTP(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=c["MAIL_TIMEOUT"])
            if c["MAIL_USE_TLS"]:
                connection.starttls(context=context)
        if c["MAIL_USERNAME"]:
            connection.login(c["MAIL_USERNAME"], c["MAIL_PASSWORD"])
        return connection

    def send(self, message: EmailMessage) -> None:
        if self.connection is None:
            self.connection = self.open()
        try:
            self._transmit(message)
        except smtplib.SMTPServerDisconnected:
            # The server dropped an idle connection between two messages: one fresh try.
            self.close()
            self.connection = self.open()
            try:
                self._transmit(message)
            except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
                raise
            except (OSError, smtplib.SMTPException):
                self.close()
                raise
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            raise  # the server answered: the connection is still good for the next message
        except (OSError, smtplib.SMTPException):
            self.close()  # the connection's state is unknown; the next message opens a new one
            raise

    def _transmit(self, message: EmailMessage) -> None:
        try:
            self.connection.send_message(message)
        except smtplib.SMTPNotSupportedError as error:
            # send_message raises this before a word reaches the server, and only when the
            # message's addresses need SMTPUTF8: a fact about this message, not the server.
            raise UnsendableMessage(str(error)) from error

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.connection = None


class FileBackend:
    """Writes each message to ``<MAIL_FILE_DIR>/<message id>.eml``; a retry overwrites, not adds."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __enter__(self) -> "FileBackend":
        self.directory.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *_exc) -> None:
        pass

    def send(self, message: EmailMessage) -> None:
        name = re.sub(r"[^A-Za-z0-9._-]", "_", message["Message-ID"].strip("<>")) + ".eml"
        path = self.directory / name
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(bytes(message))
        temporary.replace(path)  # readers never see half a message

    def close(self) -> None:
        pass


def mail_dir(app: Flask) -> Path:
    return Path(app.config["MAIL_FILE_DIR"] or Path(app.instance_path) / "mail")


def get_backend(app: Flask | None = None):
    app = app or current_app._get_current_object()
    kind = app.config["MAIL_BACKEND"]
    if kind == "smtp":
        return SMTPBackend(app.config)
    if kind == "file":
        return FileBackend(mail_dir(app))
    raise ConfigError(f"MAIL_BACKEND={kind!r} is unknown; use smtp or file")
