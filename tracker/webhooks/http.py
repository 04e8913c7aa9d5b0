"""One POST to a receiver, with the standard library: what it answered, or why it did not.

``urllib`` is enough for a JSON POST with a timeout and keeps the dependencies as they are. The
opener follows no redirect (an answer must not send us to an address we did not check) and
ignores proxy settings from the environment, so a delivery goes where the endpoint says.
"""
from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException

from tracker.models.webhook import SNIPPET_LENGTH

USER_AGENT = "OnboardingTracker-Webhooks/1"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # urllib then raises HTTPError with the 3xx status


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer at all
    body: str | None  # the start of what the receiver said, for the delivery log
    error: str | None  # why this is not a delivery; None when it is one (2xx)

    @property
    def delivered(self) -> bool:
        return self.error is None


def snippet(raw: bytes) -> str:
    """The start of an answer as text a database column takes (no NUL, valid UTF-8)."""
    text = raw[:SNIPPET_LENGTH * 4].decode("utf-8", errors="replace").replace("\x00", "")
    return text[:SNIPPET_LENGTH]


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": USER_AGENT, **headers})
    try:
        with OPENER.open(request, timeout=timeout) as response:
            return Answer(response.status, snippet(response.read(SNIPPET_LENGTH * 4)), None)
    except urllib.error.HTTPError as answer:
        text = snippet(answer.read(SNIPPET_LENGTH * 4) if answer.fp else b"")
        kind = "a redirect, which is not followed" if 300 <= answer.code < 400 else "an error"
        return Answer(answer.code, text, f"the receiver answered HTTP {answer.code}, {kind}")
    except (OSError, HTTPException, ValueError) as error:  # refused, timed out, bad answer
        reason = getattr(error, "reason", error)
        return Answer(None, None, f"no answer: {type(error).__name__}: {reason}")
