"""Error pages that answer in the format the client asked for (HTML or JSON)."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from tracker.extensions import db


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _respond(error: HTTPException):
    if request.path.startswith("/api/"):
        from tracker.api.errors import from_http_exception  # the API's one error shape
        return from_http_exception(error)
    if wants_json():
        return jsonify(error=error.name, message=error.description), error.code
    return render_template("errors/error.html", error=error), error.code


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _respond(error)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        # The library's wording ("The CSRF token is missing") means nothing to most people.
        error.description = ("This form has expired or did not come from this site, so nothing "
                             "was saved. Go back, reload the page and try again.")
        return _respond(error)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        error.description = (f"That upload is larger than the {limit} MB one form may carry, so "
                             "nothing was saved. Go back and choose a smaller file.")
        return _respond(error)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        db.session.rollback()  # a failed transaction must not leak into the error page
        return _respond(error)
