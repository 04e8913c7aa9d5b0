"""The blueprint's hooks: identify every caller first, answer every error in the one shape."""
from __future__ import annotations

from tracker.api import access, bp
from tracker.api.errors import ApiError, error_response, from_api_error
from tracker.extensions import csrf, db
from tracker.services.errors import InputError

# Token requests carry no CSRF token; access.identify asks for one on cookie requests instead.
csrf.exempt(bp)
bp.before_request(access.identify)


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    db.session.rollback()  # nothing of a refused request is kept
    return from_api_error(error)


@bp.errorhandler(InputError)
def input_error(error: InputError):
    db.session.rollback()
    message = error.message[:1].upper() + error.message[1:]
    return error_response(422, message.rstrip(".") + ".", fields={error.field: error.message})
