"""Hypothesis strategies for tests/test_fuzz_routes.py: hostile and plausible values for every
part of a request (path ids and strings, query strings, form fields, uploads).

Plausible values (the world's real ids, emails and role slugs, dates near today) get requests
past the first check and into the services; hostile ones (NUL, line breaks, control characters,
``%``, ``../``, numbers past 64 bits, text far past every column) look for the 500s.
"""
from __future__ import annotations

import io
import operator
import re
from datetime import date, timedelta
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
)
from wtforms.fields.core import UnboundField

from tracker.security import MAX_ID

HOSTILE = [
    "", " ", "\x00", "a\x00b", "%", "%00", "%zz", "%%", "../", "../../etc/passwd", "..\\..\\",
    "\r\n", "a\nb", "\u2028", "\x1b[31m", "\x7f", "\ufeff", "🙂", "Ω≈ç√", "<script>x</script>",
    "' OR 1=1 --", "http://[", "//evil.example", "javascript:alert(1)", "https://a\uff03b.x/",
    "-1", "0", str(MAX_ID), str(MAX_ID + 1), "9" * 30, "1e309", "NaN", "None", "true",
]
# Text far past a column: each length is one past a limit somewhere (or just very long).
LONG = st.builds(operator.mul, st.sampled_from(["x", "é", "\x00", "\n", "%", "🙂"]),
                 st.sampled_from([65, 121, 161, 256, 501, 2_049, 5_001, 10_001, 20_001]))
TEXT = st.one_of(st.text(max_size=30), st.sampled_from(HOSTILE), LONG)

IDS = st.one_of(st.integers(min_value=-5, max_value=50),
                st.sampled_from([0, MAX_ID, MAX_ID + 1, 2**64, 10**30]),
                st.integers(min_value=-(2**70), max_value=2**70))


def dates() -> st.SearchStrategy[str]:
    near = st.integers(min_value=-800, max_value=800).map(
        lambda days: (date.today() + timedelta(days=days)).isoformat())
    odd = st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30", "2026-13-01", "tomorrow"])
    return st.one_of(near, odd, TEXT)


def plausible_or_hostile(values) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from([str(v) for v in values]), TEXT) if values else TEXT


def uploads() -> st.SearchStrategy[tuple]:
    """A file field's value: fresh bytes and a name, of a type accepted or not."""
    names = st.one_of(st.builds(operator.add, TEXT, st.sampled_from([".pdf", ".png", ".exe", ""])),
                      st.sampled_from(["notes.pdf", "../../etc/passwd", "a" * 300 + ".pdf"]))
    return st.builds(lambda data, name: (io.BytesIO(data), name), st.binary(max_size=64), names)


def form_fields(form_class) -> dict[str, UnboundField]:
    """A form class's fields by name, as declared (the names the view reads)."""
    return {name: value for name in dir(form_class)
            if isinstance(value := getattr(form_class, name), UnboundField)}


def _choices(unbound: UnboundField) -> list:
    return [getattr(c, "value", c[0] if isinstance(c, tuple) else c)
            for c in unbound.kwargs.get("choices") or []]


def field_value(name: str, unbound: UnboundField, known: dict[str, list]) -> st.SearchStrategy:
    """Values for one field: what its kind accepts, the world's own values, and hostile text.

    ``known`` holds the world's real values by field name (emails, role slugs, milestone ids).
    """
    kind = unbound.field_class
    if name in known:
        return plausible_or_hostile(known[name])
    if issubclass(kind, (BooleanField, SubmitField)):
        return st.sampled_from(["y", "on", "", "false", "\x00"])
    if issubclass(kind, DateField):
        return dates()
    if issubclass(kind, IntegerField):
        return st.one_of(IDS.map(str), TEXT)
    if issubclass(kind, (SelectField, RadioField)):
        return plausible_or_hostile(_choices(unbound))
    if issubclass(kind, EmailField):
        return plausible_or_hostile(known.get("email", []))
    if kind.__name__ == "FileField":
        return uploads()
    return TEXT


def form_data(fields: dict[str, st.SearchStrategy]) -> st.SearchStrategy[dict]:
    """Any subset of the fields, each with a drawn value: missing fields are input too."""
    return st.fixed_dictionaries({}, optional=fields)


def query_strings(names: list[str]) -> st.SearchStrategy:
    """Arguments by name (known names and odd ones), or a raw query string as typed."""
    pairs = st.lists(st.tuples(st.one_of(st.sampled_from(names), TEXT), TEXT), max_size=4)
    raw = TEXT.map(lambda text: quote(text, safe="=&%/"))
    return st.one_of(pairs, raw)


PLACEHOLDER = re.compile(r"<(?:([^>:]+):)?(\w+)>")


def path_of(rule: str, values: dict[str, object], raw: bool) -> str:
    """The rule's path with ``values`` in place; ``raw`` keeps ``/``, ``.`` and ``%`` as they
    are, so ``../`` and stray escapes reach the router as typed."""
    return PLACEHOLDER.sub(
        lambda m: quote(str(values[m.group(2)]), safe="/.%" if raw else ""), rule)


def converter_values(converter: str | None, known: list) -> st.SearchStrategy:
    """Values for one part of a path, by the rule's converter: mostly the world's own (listed
    most useful first, repeats weigh more), so requests get past "not found" to the forms."""
    hostile = IDS if converter == "int" else TEXT
    if converter and converter.startswith("any("):
        known = [*known, *converter[4:-1].split(",")]
    if not known:
        return hostile
    return st.sampled_from([st.sampled_from(known)] * 3 + [hostile]).flatmap(lambda pick: pick)
