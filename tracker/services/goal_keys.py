"""Stable goal keys: the name a template goal keeps through rewording and moves.

A key is how two versions of a role are compared goal by goal, how a running plan adopts a
changed goal, and how reports follow one goal across versions. It is written in the YAML (and
chosen by the studio for a new goal) and never derived again once set: rewording a goal keeps
its key. ``key_from_title`` gives the first key of a goal that has none.
"""
from __future__ import annotations

import re

KEY_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
KEY_LIMIT = 48


def key_from_title(title: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A readable slug of ``title`` (cut at a word, at most KEY_LIMIT characters), made unique
    against ``taken`` with -2, -3... Migration 0006 keeps its own copy: it must not change."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "goal"
    if len(slug) > KEY_LIMIT:
        head = slug[:KEY_LIMIT + 1]  # cut at the last hyphen that keeps it within the limit
        slug = head.rsplit("-", 1)[0] if "-" in head else slug[:KEY_LIMIT]
    key, n = slug, 2
    while key in taken:
        suffix = f"-{n}"
        key, n = slug[:KEY_LIMIT - len(suffix)].rstrip("-") + suffix, n + 1
    return key
