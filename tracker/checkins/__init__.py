"""Milestone check-ins and pulse check-ins: the conversations between a hire and their manager."""
from flask import Blueprint

bp = Blueprint("checkins", __name__)

from tracker.checkins import routes  # noqa: E402,F401
