"""One rule for the text people type: a length that fits where it is kept, no NUL character,
and one line where one line is meant.

PostgreSQL refuses a NUL character in any text, so a note with one would fail the whole request
with a 500, while SQLite silently stores it; a line break in a title, an address or a reason ends
up inside one-line layouts and email headers. Every service that saves text checks it with the
rule for that text (``text_rules.py`` lists them all, with the column each one fills), so the
web pages, the CLI and the jobs refuse the same input in the same words; the forms draw the
same limit as the browser's ``maxlength`` and run the same check (tracker/forms.py).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from tracker.services.errors import InputError

NUL = "\x00"
# What str.splitlines() breaks on: each of these starts a new line somewhere.
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def storable(value: str) -> bool:
    """Whether ``value`` can be stored or looked up on every database we run on."""
    if NUL in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, from a command line with broken bytes
        return False
    return True


def problem(value: str, name: str, *, limit: int | None = None,
            one_line: bool = True) -> str | None:
    """What is wrong with ``value`` (already stripped) in plain words, or None.

    A browser's ``maxlength`` counts a line end as one character but sends two (CR LF), so
    the length is counted the same way: text the page let through is not refused for that.
    """
    if NUL in value:
        return f"remove the NUL character (an invisible \\0) from the {name}; it cannot be saved"
    if not storable(value):
        return f"the {name} has characters that are not valid text; type it again"
    if one_line and any(ch in LINE_BREAKS for ch in value):
        return f"remove the line break from the {name}"
    length = len(value) - value.count("\r\n")  # a browser counts a line end as one
    if limit is not None and length > limit:
        return f"the {name} is {length:,} characters; the limit is {limit:,}"
    return None


@dataclass(frozen=True)
class TextRule:
    """How much of which kind of text one field may hold.

    ``name`` is how messages speak of it ("the title"); ``field`` is the form field a refusal
    goes beside, unless the caller names another (one rule serves the manager's and the buddy's
    email alike).
    """

    name: str
    field: str
    limit: int
    one_line: bool = True

    def check(self, value: str | None, field: str | None = None) -> str:
        """The text without surrounding space, or InputError beside ``field`` saying what to
        change."""
        text = (value or "").strip()
        refusal = problem(text, self.name, limit=self.limit, one_line=self.one_line)
        if refusal:
            raise InputError(field or self.field, refusal)
        return text

    def problem(self, value: str | None) -> str | None:
        return problem((value or "").strip(), self.name, limit=self.limit, one_line=self.one_line)

    def named(self, name: str, field: str) -> TextRule:
        return replace(self, name=name, field=field)
