"""What no page accepts in its query string: a NUL character.

No filter, page number or return address here can contain one, and PostgreSQL cannot even
compare text that holds one, so ``?role=%00`` failed the plan list with a 500 there while
SQLite quietly found nothing. Refusing it before any view runs covers every filter a page has
now or gains later; other odd text (very long, ``%``, ``../``) still simply finds nothing.
"""
from __future__ import annotations

from flask import abort, request

NUL = "\x00"


def refuse_nul_in_query() -> None:
    """A ``before_request`` hook: 400, with the reason in words, for a NUL anywhere in the
    query string, in a name or a value."""
    if any(NUL in key or NUL in value for key, value in request.args.items(multi=True)):
        abort(400, description="The address has a NUL character (%00) in it, which no page "
                               "here accepts. Remove it from the address and try again.")
