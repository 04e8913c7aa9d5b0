"""A hire's plan and the home page that leads to it."""
from flask import Blueprint

bp = Blueprint("plans", __name__)

from tracker.plans import actions, pulse, routes, template_changes  # noqa: E402,F401
