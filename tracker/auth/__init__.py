"""Signing in and out, setting a password from an invitation or reset link, email choices."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from tracker.auth import preferences, reset, routes, signing, welcome  # noqa: E402,F401
