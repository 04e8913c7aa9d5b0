"""Redirect targets from user input are only ever paths on this site."""
from __future__ import annotations

from urllib.parse import urlsplit


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
