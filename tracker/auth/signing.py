"""Putting a person's session in the browser and taking it out again, in one place.

Every way in (the password form, a set-password link, a reset link, single sign-on) starts a
server-side session first (services/sessions.py) and then hands its token to Flask-Login;
every way out deletes that session's row, which also ends its "keep me signed in" cookie.
"""
from __future__ import annotations

from flask import request, session
from flask_login import current_user, login_user, logout_user

from tracker.auth import bp
from tracker.extensions import db
from tracker.models import User
from tracker.services import sessions


def sign_in(user: User, *, remember: bool = False) -> None:
    """Sign ``user`` in on this browser, ending whatever session the browser had before."""
    sign_out()
    sessions.start(user, remember=remember)
    login_user(user, remember=remember)


def sign_out() -> None:
    sessions.end(session.get("_user_id"))
    logout_user()


@bp.before_app_request
def keep_session_alive() -> None:
    """Push an idle session's end back as it is used: one write in each half of its life."""
    if request.endpoint == "static" or "_user_id" not in session:
        return
    row = current_user.sign_in if current_user.is_authenticated else None
    if row is not None and sessions.needs_extending(row):
        sessions.extend(row)
        db.session.commit()  # nothing else is pending before the view runs
