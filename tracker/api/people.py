"""Who the token or session belongs to: the first call a script makes to check its setup."""
from __future__ import annotations

from flask import g

from tracker.api import access, answers, bp, spec
from tracker.api.schemas import Me


@bp.get("/me")
@spec.validate(resp=answers(errors=(), HTTP_200=Me), tags=["people"])
def me():
    """The person this request acts as, and the kind of token it used."""
    user, use = access.me(), g.api_token
    kind = None if use is None else ("read-only" if use.read_only else "read-write")
    return Me(id=user.id, name=user.name, email=user.email, is_admin=user.is_admin,
              timezone=user.timezone, token=kind)
