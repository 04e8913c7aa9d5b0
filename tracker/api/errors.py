"""One shape for every API error: ``{"error": {"code", "message", "fields"}}``.

Scripts branch on ``code`` (stable words such as ``not_found`` or ``invalid``), people read
``message``, and ``fields`` maps each input that was refused to what is wrong with it, so a
client can show the message beside the field exactly as the pages do.
"""
from __future__ import annotations

from flask import current_app, jsonify, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

# An HTTP status's code word, for errors that carry no better one.
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_type",
         422: "invalid", 429: "rate_limited", 500: "server_error"}


class ApiError(Exception):
    """Raised by API views; the blueprint's handler answers with the one shape."""

    def __init__(self, status: int, message: str, *, code: str = "",
                 fields: dict[str, str] | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message = status, message
        self.code = code or CODES.get(status, "error")
        self.fields = fields or {}
        self.headers = headers or {}


def error_response(status: int, message: str, *, code: str = "",
                   fields: dict[str, str] | None = None, headers: dict[str, str] | None = None):
    body = {"error": {"code": code or CODES.get(status, "error"), "message": message,
                      "fields": fields or {}}}
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def from_api_error(error: ApiError):
    return error_response(error.status, error.message, code=error.code, fields=error.fields,
                          headers=error.headers)


def from_http_exception(error: HTTPException):
    """Werkzeug's errors (404 for an unknown path, 405, 413, CSRF...) in the API's shape."""
    if isinstance(error, MethodNotAllowed) and not _path_exists(error.valid_methods or ()):
        return error_response(404, "There is nothing at this address.")
    headers = {"Allow": error.get_response().headers["Allow"]} if error.code == 405 else None
    if isinstance(error, CSRFError):
        return error_response(400, "Nothing was saved: a change made with the browser's "
                                   "session must carry its CSRF token in the X-CSRFToken "
                                   "header; scripts should send a personal access token "
                                   "instead.", code="csrf_failed")
    return error_response(error.code or 500, error.description or error.name, headers=headers)


def _path_exists(methods) -> bool:
    """Werkzeug answers 405 for a path whose number is past any id (the converter refuses it,
    and a rule with another method is remembered); such a path leads nowhere, so it is a 404."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in methods:
        try:
            adapter.match(method=method)
        except HTTPException:
            continue
        return True
    return False


def from_validation(errors: list[dict]) -> dict[str, str]:
    """Pydantic's error list as ``{field: message}``, the first message per field."""
    fields: dict[str, str] = {}
    for item in errors:
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query")]
        name = ".".join(location) or "body"
        fields.setdefault(name, _plain(item))
    return fields


def _plain(item: dict) -> str:
    message = str(item.get("msg", "is not valid"))
    if item.get("type") == "missing":
        return "is required"
    if item.get("type") == "extra_forbidden":
        return "is not a field this request accepts"
    return message[0].lower() + message[1:] if message else "is not valid"
