"""HR and admin pages: every plan, whatever the viewer's relationships."""
from functools import wraps

from flask import Blueprint, abort
from flask_login import current_user, login_required

bp = Blueprint("admin", __name__)


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


from tracker.admin import (  # noqa: E402,F401
    hires,
    imports,
    outbox,
    plan_edit,
    reports,
    routes,
    webhooks,
)
