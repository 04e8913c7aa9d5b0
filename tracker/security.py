"""Input that reaches routing and SQL: redirect targets stay on this site, ids stay in range."""
from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter

# Every id column is an INTEGER, which is 32 bits on PostgreSQL: a larger number cannot name a
# row, and PostgreSQL refuses to compare one with an integer column ("integer out of range"),
# so it is turned away before any query instead of failing the request with a 500.
MAX_ID = 2**31 - 1


def safe_next_url(target: str | None) -> str | None:
    """``target`` if it is a local path, else None.

    Browsers treat ``//host``, ``/\\host`` and ``https:host`` as other sites, and ignore tabs
    and newlines inside URLs, so all of those are refused rather than cleaned up.
    """
    if not target or len(target) > 2048:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    if "\\" in target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` in every route: a number past any id is simply not found (404)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def id_arg(value: str | None) -> int | None:
    """A positive id from the query string, or None when it is missing, odd or out of range."""
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number <= MAX_ID else None


def payload_id(data: object, key: str) -> int | None:
    """A row id from a signed token's payload, or None when the payload is not what we wrote:
    a forged or old token may hold anything (a list, a string, a number beyond 64 bits)."""
    value = data.get(key) if isinstance(data, dict) else None
    if type(value) is not int:  # bool is an int too, and never an id
        return None
    return value if 0 < value <= MAX_ID else None
