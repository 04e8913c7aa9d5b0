"""What a backup says about each table: its row count and a sha256 of its rows in key order.

The same reading is taken of the copy when a backup is made and of the database after a
restore, so the restore can prove it put back exactly what was saved. Rows are read as the
database driver gives them (no ORM types), in primary-key order, columns sorted by name; a
timestamp is compared as a UTC instant, so a server in another time zone reads the same.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timezone
from typing import Callable, Iterable

import sqlalchemy as sa

from tracker.extensions import db

# Runs one statement and gives its rows; each kind of database supplies its own
# (see backup_databases), SQLite's over a plain sqlite3 connection.
RunSQL = Callable[[sa.Select], Iterable[tuple]]

ALEMBIC_VERSION = sa.Table("alembic_version", sa.MetaData(),
                           sa.Column("version_num", sa.String(32), primary_key=True))


def tables() -> list[sa.Table]:
    """Every table the app's models declare, and Alembic's, by name."""
    return sorted([*db.metadata.tables.values(), ALEMBIC_VERSION], key=lambda t: t.name)


def _rows(table: sa.Table) -> sa.Select:
    """Every row, columns by name, in key order; untyped, so values come as the driver reads
    them and the SQL is built (and quoted) by SQLAlchemy, never by formatting strings."""
    columns = sorted(column.name for column in table.columns)
    order = [column.name for column in table.primary_key.columns] or columns
    return (sa.select(*map(sa.column, columns)).select_from(sa.table(table.name))
            .order_by(*map(sa.column, order)))


def _count(table: sa.Table) -> sa.Select:
    return sa.select(sa.func.count()).select_from(sa.table(table.name))


def _plain(value):
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return value


def summaries(run: RunSQL, present: set[str]) -> dict[str, dict]:
    """Row count and sha256 of every app table present in the database."""
    result = {}
    for table in tables():
        if table.name not in present:
            continue
        digest, rows = hashlib.sha256(), 0
        for row in run(_rows(table)):
            line = json.dumps([_plain(value) for value in row], sort_keys=True, default=str)
            digest.update(line.encode() + b"\n")
            rows += 1
        result[table.name] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def row_counts(run: RunSQL, present: set[str]) -> dict[str, int]:
    """Rows in each of the app's own tables (not Alembic's): what a restore would replace."""
    return {table.name: list(run(_count(table)))[0][0]
            for table in tables() if table.name in present and table is not ALEMBIC_VERSION}


def revision(run: RunSQL, present: set[str]) -> str | None:
    if ALEMBIC_VERSION.name not in present:
        return None
    found = [row[0] for row in run(_rows(ALEMBIC_VERSION))]
    return ",".join(sorted(found)) or None


def evidence_files(run: RunSQL, present: set[str]) -> set[str]:
    """The stored names of every evidence file the database refers to."""
    if "evidence" not in present:
        return set()
    key = sa.column("file_key")
    return {row[0] for row in run(sa.select(key).select_from(sa.table("evidence"))
                                  .where(key.is_not(None)))}
