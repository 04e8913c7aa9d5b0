"""The template studio: the role library in the browser, its versions and what changed."""
from functools import wraps

from flask import Blueprint, abort
from flask_login import current_user, login_required

from tracker.services.site_policy import use_studio

bp = Blueprint("studio", __name__)


def studio_access(view):
    """Every studio page asks the policy first: a 403 for anyone it does not allow."""
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if use_studio(current_user).forbidden:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


from tracker.studio import editor, editors, files, new_role, preview, routes  # noqa: E402,F401
