"""Signing in (with a password or single sign-on) and out, setting a password from an
invitation or reset link, email choices."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from tracker.auth import preferences, reset, routes, signing, sso, welcome  # noqa: E402,F401
