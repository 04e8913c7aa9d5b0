"""The audit log is append-only: no code path may change or remove a row once it is written.

An audit event is the record of who changed what; one that can be edited afterwards proves
nothing. Two guards hold this inside the app, whatever the database role may do:

* a ``before_flush`` listener refuses, before any SQL is sent, a flush that would change or
  delete an ``AuditEvent`` loaded through the ORM, or delete a ``Plan``;
* a ``before_cursor_execute`` listener on every engine refuses any statement that would
  (``UPDATE``, ``DELETE`` or ``TRUNCATE`` on ``audit_events``, ``DELETE`` or ``TRUNCATE`` on
  ``plans``), however it was written: ``sa.update(AuditEvent)``, Core, or raw text.

Plans are in the list because ``audit_events.plan_id`` is ``ON DELETE CASCADE``: deleting a plan
would take its whole history with it. The app never deletes plans (they are completed or
archived); users are deactivated, and the database itself refuses to delete one who appears in
the log, since ``audit_events.actor_id`` has no ``ON DELETE`` action. On PostgreSQL the app's
role can also be denied these statements outright (README, "The audit log").
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.models.outbox import AuditEvent
from tracker.models.plan import Plan


class AppendOnlyError(RuntimeError):
    """A change the audit log does not allow; it is a bug in the caller, never a user error."""


_TARGET = r'\s+(?:ONLY\s+)?(?:"?\w+"?\.)?"?{table}"?(?![\w"])'
_FORBIDDEN = re.compile(
    "|".join([
        r"\b(?:UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)" + _TARGET.format(table="audit_events"),
        r"\b(?:DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)" + _TARGET.format(table="plans"),
    ]),
    re.IGNORECASE,
)


def forbidden_statement(statement: str) -> str | None:
    """The part of ``statement`` that would change or remove audit history, if any."""
    found = _FORBIDDEN.search(statement)
    return found.group(0) if found else None


@sa.event.listens_for(so.Session, "before_flush")
def _refuse_audit_changes(session: so.Session, _context, _instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AppendOnlyError(f"audit event {obj.id} cannot be deleted: the audit log is "
                                  "append-only")
        if isinstance(obj, Plan):
            raise AppendOnlyError(f"plan {obj.id} cannot be deleted: its audit events would go "
                                  "with it. Archive the plan instead")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AppendOnlyError(f"audit event {obj.id} cannot be changed: the audit log is "
                                  "append-only")


@sa.event.listens_for(sa.Engine, "before_cursor_execute")
def _refuse_audit_statements(_conn, _cursor, statement, _parameters, _context,
                             _executemany) -> None:
    if found := forbidden_statement(statement):
        raise AppendOnlyError(f"refused {found!r}: the audit log is append-only, and plans "
                              "(whose audit events would cascade) are never deleted")
