"""Links built without a request, from ``BASE_URL``: emails are rendered by the dispatcher.

Inside a request ``url_for(..., _external=True)`` takes the host from the request. The scheduler
has no request, so every link in an email is built here with the app's URL map bound to
``BASE_URL`` (its scheme, host and any path prefix, for a site served under ``/onboarding/``).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def external_url(endpoint: str, anchor: str | None = None, **values) -> str:
    """``url_for(endpoint, _external=True, **values)`` with no request; ``anchor`` adds ``#...``."""
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme or "https")
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url
