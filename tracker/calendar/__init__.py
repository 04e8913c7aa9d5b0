"""The calendar feed: a secret .ics address per person, and the buttons that make or end it."""
from flask import Blueprint

bp = Blueprint("calendar", __name__)

from tracker.calendar import routes  # noqa: E402,F401
