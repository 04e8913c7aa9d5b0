"""`tracker create-admin`: the first account on a new installation."""
from __future__ import annotations

import os
from typing import NoReturn

import click
from flask.cli import with_appcontext

from tracker.extensions import db
from tracker.services.accounts import check_password_strength, create_user, find_user
from tracker.services.errors import InputError
from tracker.services.text_rules import EMAIL, PERSON_NAME

PASSWORD_ENV = "TRACKER_ADMIN_PASSWORD"


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="", help="Display name (default: the email).")
@with_appcontext
def create_admin(email, name):
    """Create an admin EMAIL (or make an existing account admin and reset its password).

    The password is asked for, or read from TRACKER_ADMIN_PASSWORD so scripts can run this.
    """
    try:
        email, name = EMAIL.check(email), PERSON_NAME.check(name)  # before asking anything
    except InputError as error:
        _refuse(error)
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        check_password_strength(password, email)
        user = find_user(email)
        if user is None:
            user = create_user(email, name or email, password=password, is_admin=True)
            action = "created"
        else:
            user.is_admin, action = True, "updated (now admin, password reset)"
            user.set_password(password)
        db.session.commit()
    except InputError as error:
        _refuse(error)
    click.echo(f"Admin {user.email} {action}.")


def _refuse(error: InputError) -> NoReturn:
    raise click.ClickException(f"{error.field}: {error.message}") from None
