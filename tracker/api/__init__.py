"""The JSON API under /api/v1: the same people, rules and services as the pages.

Views are thin like every blueprint's: read a validated model, ask the policy, call a service,
commit, answer with a response model. SpecTree checks each request and response against the
pydantic models and generates the OpenAPI 3.1 document from them, so the document describes
exactly what the code accepts and returns.
"""
from __future__ import annotations

from flask import Blueprint, json
from spectree import Response, SecurityScheme, SpecTree
from spectree.models import SecuritySchemeData

from tracker.api.errors import from_validation
from tracker.api.schemas import ErrorBody

bp = Blueprint("api", __name__, url_prefix="/api/v1")

DESCRIPTION = ("Send a personal access token as `Authorization: Bearer <token>` (make one on "
               "your profile page or with `flask --app wsgi tracker token create`). Every error "
               "has the shape `{\"error\": {\"code\", \"message\", \"fields\"}}`.")


def _error_shape(request, response, validation_error, instance, model_adapter) -> None:
    """SpecTree answers refused input with pydantic's list; rewrite it into the one shape."""
    if validation_error is None or response is None:
        return
    fields = from_validation(model_adapter.validation_errors(validation_error))
    response.set_data(json.dumps({"error": {
        "code": "invalid", "message": "Some of what you sent is not valid; see fields.",
        "fields": fields}}))
    response.mimetype = "application/json"


spec = SpecTree(
    "flask", mode="strict", path="docs", page_templates={}, title="Onboarding Tracker API",
    version="1", description=DESCRIPTION, before=_error_shape,
    # Plain model names in the document ("PlanOut", not "PlanOut.a481ba1"); they are unique.
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    validation_error_model=ErrorBody,
    security_schemes=[
        SecurityScheme(name="token", data=SecuritySchemeData(type="http", scheme="bearer")),
        SecurityScheme(name="session", data=SecuritySchemeData(
            type="apiKey", field_in="cookie", name="session"))],
    security=[{"token": []}, {"session": []}])

# Every operation may be refused for these reasons, besides its own.
# (400: a signed-in browser's change without its CSRF token; 415: a body that is not JSON.)
COMMON_ERRORS = {"HTTP_400": ErrorBody, "HTTP_401": ErrorBody, "HTTP_403": ErrorBody,
                 "HTTP_415": ErrorBody, "HTTP_429": ErrorBody}


def answers(*, errors: tuple[int, ...] = (404,), **ok) -> Response:
    """The responses of one operation: its success model and the errors it can answer with."""
    return Response(**ok, **COMMON_ERRORS, **{f"HTTP_{code}": ErrorBody for code in errors})


from tracker.api import (  # noqa: E402,F401  (routes register themselves on bp)
    conversations,
    docs,
    goals,
    handlers,
    notifications,
    people,
    plans,
    roles,
)

spec.register(bp)
