"""Signing in and out, and setting a first password from an invitation link."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from tracker.auth import preferences, routes, welcome  # noqa: E402,F401
