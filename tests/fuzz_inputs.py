"""Hypothesis strategies for tests/test_fuzz_routes.py: requests that are mostly right and
wrong in a few places.

A request with every field hostile is refused by the first check and never reaches the code
behind it, so each request starts from typical values (the world's real ids, emails and role
slugs, dates near today, ordinary text) and makes a few parts hostile: NUL, line breaks,
control characters, ``%``, ``../``, numbers past 64 bits, text far past every column.
"""
from __future__ import annotations

import io
import operator
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable
from urllib.parse import quote

from hypothesis import strategies as st
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    SubmitField,
    URLField,
)
from wtforms.fields.core import UnboundField

from tracker.security import MAX_ID

HOSTILE = [
    "", " ", "\x00", "a\x00b", "%", "%00", "%zz", "%%", "../", "../../etc/passwd", "..\\..\\",
    "\r\n", "a\nb", "\u2028", "\x1b[31m", "\x7f", "\ufeff", "🙂", "Ω≈ç√", "<script>x</script>",
    "' OR 1=1 --", "http://[", "//evil.example", "javascript:alert(1)", "https://a\uff03b.x/",
    "-1", "0", str(MAX_ID), str(MAX_ID + 1), "9" * 30, "1e309", "NaN", "None", "true",
]
# Text far past a column: each length is one past a limit somewhere.
LONG = st.builds(operator.mul, st.sampled_from(["x", "é", "\x00", "\n", "%", "🙂"]),
                 st.sampled_from([65, 121, 161, 256, 501, 2_049, 5_001, 10_001, 20_001]))
PLAIN = "Fine, thanks: see the notes."
PLACEHOLDER = re.compile(r"<(?:([^>:]+):)?(\w+)>")  # <int:plan_id>, <token>


def mostly(own: st.SearchStrategy, other: st.SearchStrategy) -> st.SearchStrategy:
    """``own`` three times in four."""
    return st.sampled_from([own, own, own, other]).flatmap(lambda pick: pick)


# Half from the list above, the rest any text (any character but a lone surrogate) or long.
TEXT = st.sampled_from([st.sampled_from(HOSTILE)] * 2 + [st.text(max_size=30), LONG]).flatmap(
    lambda pick: pick)
IDS = st.one_of(st.integers(min_value=-5, max_value=50),
                st.sampled_from([0, MAX_ID, MAX_ID + 1, 2**31, 2**63, 2**64, 10**30]),
                st.integers(min_value=-(2**70), max_value=2**70))


@dataclass(frozen=True)
class Field:
    """One form field: a value that takes the request as far as it can go (``typical()``,
    made fresh each time, since a file is read once), values around it, hostile ones, and the
    one hostile value most likely to trip code made for this kind of field (``tricky()``)."""

    typical: Callable[[], object]
    plausible: st.SearchStrategy
    hostile: st.SearchStrategy
    tricky: Callable[[], object] = lambda: "one\r\ntwo\u2028three"


def _pdf() -> tuple:
    return io.BytesIO(b"%PDF-1.4 notes"), "notes.pdf"


def _uploads() -> st.SearchStrategy[tuple]:
    names = st.one_of(st.builds(operator.add, TEXT, st.sampled_from([".pdf", ".png", ".exe", ""])),
                      st.sampled_from(["notes.pdf", "../../etc/passwd", "a" * 300 + ".pdf"]))
    return st.builds(lambda data, name: (io.BytesIO(data), name), st.binary(max_size=64), names)


def form_fields(form_class) -> dict[str, UnboundField]:
    """A form class's fields by name, as declared (the names the view reads)."""
    return {name: value for name in dir(form_class)
            if isinstance(value := getattr(form_class, name), UnboundField)}


def _choices(unbound: UnboundField) -> list[str]:
    return [str(getattr(c, "value", c[0] if isinstance(c, tuple) else c))
            for c in unbound.kwargs.get("choices") or []]


def field(name: str, unbound: UnboundField, typical: dict, known: dict[str, list]) -> Field:
    """``typical`` and ``known`` hold the world's values by field name (a prefixed form's
    ``m12-reason`` is looked up as ``reason``)."""
    kind, base = unbound.field_class, re.sub(r"^m\d+-", "", name)
    if kind.__name__ == "FileField":
        return Field(_pdf, _uploads(), _uploads(),
                     lambda: (io.BytesIO(b"%PDF-1.4"), "\u00e9" + "a" * 300 + ".pdf"))
    if issubclass(kind, (BooleanField, SubmitField)):
        return Field(lambda: "y", st.sampled_from(["y", ""]), TEXT, lambda: "1e309")
    if issubclass(kind, DateField):
        soon = typical.get(base, (date.today() + timedelta(days=7)).isoformat())
        near = st.integers(-800, 800).map(lambda d: (date.today() + timedelta(d)).isoformat())
        odd = st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30", "2026-13-01"])
        return Field(lambda: soon, mostly(near, st.just(soon)), st.one_of(odd, TEXT),
                     lambda: "9999-12-31")
    if issubclass(kind, IntegerField):
        number = typical.get(base, "7")
        return Field(lambda: number, st.integers(1, 90).map(str), st.one_of(IDS.map(str), TEXT),
                     lambda: str(2**64))
    if issubclass(kind, URLField):
        return Field(lambda: typical.get(base, "https://example.com/"),
                     st.sampled_from(known.get(base, ["https://example.com/"])), TEXT,
                     lambda: "http://[")
    if issubclass(kind, EmailField):
        first = typical.get(base, "someone@example.com")
        return Field(lambda: first, st.sampled_from([first, *known.get(base, [])]), TEXT,
                     lambda: first + "\r\nBcc: all@example.com")
    values = known.get(base, [])
    if issubclass(kind, (SelectField, RadioField)):
        values = values or _choices(unbound)
    first = typical.get(base, values[0] if values else PLAIN)
    if issubclass(kind, (SelectField, RadioField)):
        return Field(lambda: first, mostly(st.sampled_from(values), st.text(max_size=10)), TEXT,
                     lambda: "../")
    around = [st.just(first), st.text(max_size=40)] + ([st.sampled_from(values)] if values else [])
    return Field(lambda: first, st.one_of(*around), TEXT)


def query_strings(names: list[str]) -> st.SearchStrategy:
    """None, some arguments by name (the filters' names and odd ones), or a raw string."""
    pairs = st.lists(st.tuples(st.one_of(st.sampled_from(names), TEXT), TEXT), max_size=4)
    raw = TEXT.map(lambda text: quote(text, safe="=&%/"))
    return mostly(st.just([]), st.one_of(pairs, raw))


def converter_values(converter: str | None, known: list) -> st.SearchStrategy:
    """Values for one part of a path, by the rule's converter: mostly the world's most useful
    (listed first), so that a route's several ids agree and requests get past "not found" to
    the forms; often another of the world's; sometimes hostile."""
    hostile = IDS if converter == "int" else TEXT
    if converter and converter.startswith("any("):
        known = [*known, *converter[4:-1].split(",")]
    if not known:
        return hostile
    choices = [st.just(known[0])] * 5 + [st.sampled_from(known)] * 2 + [hostile]
    return st.sampled_from(choices).flatmap(lambda pick: pick)


@st.composite
def requests(draw, path: dict[str, st.SearchStrategy], fields: dict[str, Field],
             query_names: list[str]):
    """(path values, whether the path stays raw, the query string, the form): a form with up
    to three hostile fields and perhaps one missing, the rest plausible."""
    names = sorted(fields)
    values = {name: draw(strategy) for name, strategy in path.items()}
    hostile = draw(st.sets(st.sampled_from(names), max_size=3)) if names else set()
    missing = draw(st.sets(st.sampled_from(names), max_size=1)) if names else set()
    data = {name: draw(fields[name].hostile if name in hostile else fields[name].plausible)
            for name in names if name not in missing}
    return values, draw(st.booleans()), draw(query_strings(query_names)), data


def explicit_requests(typical: dict, past: dict, fields: dict[str, Field],
                      query_names: list[str]) -> list[tuple]:
    """What every route gets whatever hypothesis draws: the typical request (first); ids just
    past the id columns; every filter with a NUL, then far too long; and each field in turn
    with a NUL, then far too long, then its tricky value, the rest typical."""
    def form(changes: dict | None = None) -> dict:
        changes = changes or {}
        return {name: changes[name] if name in changes else spec.typical()
                for name, spec in fields.items()}

    every = [(typical, False, [], form()), (past, False, [], form()),
             (typical, False, [(name, "a\x00b") for name in query_names], form()),
             (typical, True, [(name, "%" * 2_049) for name in query_names], form())]
    for name in fields:
        every += [(typical, False, [], form({name: "a\x00b"})),
                  (typical, False, [], form({name: "x" * 20_001})),
                  (typical, False, [], form({name: fields[name].tricky()}))]
    return every


def path_of(rule: str, values: dict[str, object], raw: bool) -> str:
    """The rule's path with ``values`` in place; ``raw`` keeps ``/``, ``.`` and ``%`` as they
    are, so ``../`` and stray escapes reach the router as typed."""
    return PLACEHOLDER.sub(
        lambda m: quote(str(values[m.group(2)]), safe="/.%" if raw else ""), rule)
