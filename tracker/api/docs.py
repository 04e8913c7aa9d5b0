"""The OpenAPI document and its page. Both are public, like any API's reference: they name
operations and shapes, never data, and tools such as code generators fetch the document
before they hold a token."""
from __future__ import annotations

from flask import jsonify, render_template

from tracker.api import bp, reference, spec

PUBLIC_ENDPOINTS = frozenset({"api.openapi", "api.docs", "api.openapi_docs"})


@bp.get("/openapi.json")
def openapi():
    """Generated from the routes and their pydantic models when first asked for."""
    return jsonify(spec.spec)


@bp.get("/docs")
def docs():
    document = spec.spec
    return render_template("api/docs.html", version=document["openapi"],
                           info=document["info"], groups=reference.operations(document),
                           models=reference.models(document))
