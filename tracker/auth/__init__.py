"""Signing in (with a password or single sign-on) and out, setting a password from an
invitation or reset link, email choices, personal access tokens."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from tracker.auth import (  # noqa: E402,F401
    preferences,
    reset,
    routes,
    signing,
    sso,
    tokens,
    welcome,
)
