"""The OpenAPI document and its page. Both are public, like any API's reference: they name
operations and shapes, never data, and tools such as code generators fetch the document
before they hold a token."""
from __future__ import annotations

from flask import jsonify, render_template

from tracker.api import bp, spec

PUBLIC_ENDPOINTS = frozenset({"api.openapi", "api.docs", "api.openapi_docs"})


@bp.get("/openapi.json")
def openapi():
    """Generated from the routes and their pydantic models when first asked for."""
    return jsonify(spec.spec)


@bp.get("/docs")
def docs():
    return render_template("api/docs.html", version=spec.config.openapi_version)
