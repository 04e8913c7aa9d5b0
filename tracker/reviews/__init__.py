"""The manager's view: the team at a glance and the evidence waiting for review."""
from flask import Blueprint

bp = Blueprint("reviews", __name__)

from tracker.reviews import routes  # noqa: E402,F401
