"""`tracker chat show|set`: a person's chat settings from the command line, for administrators.

People set their own on the preferences page; this is for an administrator who sets a Teams
webhook address for someone (or takes one away), or checks what reaches them and how. The same
rules apply (tracker/services/chat_settings.py), and the change is in the audit log with no
actor, as every command-line change is.
"""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.extensions import db


def _person(email: str):
    from tracker.services.accounts import find_user

    user = find_user(email)
    if user is None:
        raise click.ClickException(f"nobody has the email {email!r}")
    return user


@click.group()
def chat():
    """Reminders in chat: who gets what where (people choose on their preferences page)."""


@chat.command("show")
@click.argument("email")
@with_appcontext
def show(email):
    """Where EMAIL's chat messages go, and their choice for each reminder kind."""
    from tracker.reminders.channels import channels_for, chat_kinds
    from tracker.services import chat_settings

    user = _person(email)
    settings = chat_settings.settings_of(user)
    click.echo(chat_settings.offer(user, settings).text)
    for kind in chat_kinds():
        goes = " and ".join(c.label.lower() for c in channels_for(settings, kind.value,
                                                                   current_app.config))
        click.echo(f"  {kind.label}: chose {chat_settings.chosen(settings, kind.value)}, "
                   f"goes by {goes}")


@chat.command("set")
@click.argument("email")
@click.option("--webhook", help="Their incoming-webhook address; an empty one removes it.")
@click.option("--choose", "chosen", multiple=True, metavar="KIND=email|chat|both",
              help="Where one reminder kind goes, e.g. --choose digest=both (repeatable).")
@with_appcontext
def set_chat(email, webhook, chosen):
    """Set EMAIL's chat webhook address and choices, with the page's rules."""
    from tracker.services import chat_settings
    from tracker.services.errors import InputError

    user = _person(email)
    settings = chat_settings.settings_of(user)
    address = webhook if webhook is not None else (settings.webhook_url if settings else None)
    choices = {}
    for pair in chosen:
        kind, sep, choice = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r}: write KIND=email, KIND=chat or KIND=both",
                                     param_hint="--choose")
        choices[kind.strip()] = choice.strip()
    unknown = set(choices) - {kind.value for kind in chat_settings.chat_kinds()}
    if unknown:
        known = ", ".join(kind.value for kind in chat_settings.chat_kinds())
        raise click.BadParameter(f"{', '.join(sorted(unknown))} is not a reminder kind that "
                                 f"goes to chat; use one of {known}", param_hint="--choose")
    try:
        changed = chat_settings.save(user, address, choices, operator=True)
    except InputError as refused:
        db.session.rollback()
        raise click.ClickException(refused.message) from None
    db.session.commit()
    click.echo("saved" if changed else "nothing changed")
