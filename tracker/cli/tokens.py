"""`tracker token create|list|revoke`: personal access tokens for operators and scripts.

``create`` prints the token alone on standard output, so a script can capture it
(``TOKEN=$(flask --app wsgi tracker token create ...)``), and what to do with it on standard
error. It is printed this once: only its hash is kept.
"""
from __future__ import annotations

from typing import NoReturn

import click
from flask.cli import with_appcontext

from tracker.extensions import db
from tracker.formatting import nice_date
from tracker.models import AccessToken, User
from tracker.security import MAX_ID
from tracker.services import access_tokens
from tracker.services.accounts import find_user
from tracker.services.errors import InputError


@click.group("token")
def token():
    """Personal access tokens for the JSON API (people make their own on /preferences)."""


def _person(email: str) -> User:
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no account has the email address {email!r}")
    return user


def _refuse(error: InputError) -> NoReturn:
    raise click.ClickException(error.message) from None


@token.command("create")
@click.argument("email")
@click.option("--name", default="Command line", show_default=True,
              help="What will use the token, such as \"HRIS sync\".")
@click.option("--read-only", is_flag=True, help="The token may read, but change nothing.")
@with_appcontext
def create(email, name, read_only):
    """Make a token for the person with EMAIL and print it, once."""
    user = _person(email)
    try:
        made, raw = access_tokens.create_token(user, name, read_only, from_command_line=True)
    except InputError as error:
        db.session.rollback()
        _refuse(error)
    db.session.commit()
    click.echo(f"Token {made.id} “{made.name}” for {user.email} ({made.access}):", err=True)
    click.echo(raw)
    click.echo("It will not be shown again: copy it now. Send it as "
               "\"Authorization: Bearer <token>\".", err=True)


@token.command("list")
@click.argument("email")
@with_appcontext
def list_tokens(email):
    """The tokens of the person with EMAIL, newest first, revoked ones too."""
    user = _person(email)
    found = access_tokens.tokens_of(user, revoked=True)
    if not found:
        click.echo(f"{user.email} has no tokens.")
        return
    for each in found:
        used = nice_date(each.last_used_at) if each.last_used_at else "never"
        state = f"revoked {nice_date(each.revoked_at)}" if each.revoked_at else "live"
        click.echo(f"{each.id:>6}  {each.prefix}…  {each.access:<10}  {state:<22}  made "
                   f"{nice_date(each.created_at)}, last used {used}  {each.name}")


@token.command("revoke")
@click.argument("token_id", metavar="ID", type=click.IntRange(min=1))
@with_appcontext
def revoke(token_id):
    """Revoke the token with this ID (from `tracker token list`): it stops working at once."""
    found = db.session.get(AccessToken, token_id) if token_id <= MAX_ID else None
    if found is None:
        raise click.ClickException(f"no token has the id {token_id}")
    try:
        access_tokens.revoke(found, None)
    except InputError as error:
        db.session.rollback()
        _refuse(error)
    db.session.commit()
    click.echo(f"Revoked token {found.id} “{found.name}” ({found.prefix}…) of "
               f"{found.user.email}.")
