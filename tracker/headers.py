"""Security headers, set in one place for every response.

The pages run no inline script (the only script files are ours and the vendored htmx), so the
Content-Security-Policy allows scripts from this site alone; a note can never smuggle one in,
even past the Markdown cleaner. Style attributes stay allowed because the timeline and progress
bars place things with ``style="left: 40%"``; they cannot run code. ``frame-ancestors 'none'``
stops another site from framing the Approve, Sign and Waive buttons. Signed-in pages are never
stored by the browser or a proxy, so the back button on a shared computer shows nothing.
A response that set its own policy (an evidence download's ``sandbox``) keeps it.
"""
from __future__ import annotations

from flask import Flask, Response, session

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'",
    "style-src-attr 'unsafe-inline'", "img-src 'self' data:", "object-src 'none'",
    "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def register(app: Flask) -> None:
    hsts = app.config.get("HSTS_SECONDS", 0)

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if "_user_id" in session:  # signed in; no user lookup for every stylesheet
            response.headers["Cache-Control"] = "no-store"
        if hsts:
            response.headers.setdefault("Strict-Transport-Security",
                                        f"max-age={hsts}; includeSubDomains")
        return response
