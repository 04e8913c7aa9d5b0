"""Test databases built once per session, handed to each test as a fresh copy.

Building the schema and loading the role library cost more than most tests themselves, so each
is done once and every test starts from one of two snapshots: ``EMPTY`` (the schema, no rows:
for the tests about loading the library, migrations and ``demo --if-empty``) or ``LIBRARY``
(the schema plus the shipped role library). On SQLite a snapshot is a database file, and a test
gets its own copy of it; on PostgreSQL one database serves the session and each test starts by
emptying every table and, for ``LIBRARY``, copying the library's rows back in from a snapshot
schema, with every id sequence restarted, so ids come out as on a new database.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from tracker import create_app
from tracker.extensions import db
from tracker.models import GoalTemplate, MilestoneTemplate, RoleTemplate, RoleVersion

EMPTY, LIBRARY = "empty", "library"
LIBRARY_TABLES = [model.__table__ for model in
                  (RoleTemplate, RoleVersion, MilestoneTemplate, GoalTemplate)]
SNAPSHOT_SCHEMA = "test_snapshot"


def _build(url: str, contents: str) -> list:
    """Create the schema at ``url`` and, for ``LIBRARY``, load the library; no context is left."""
    from tracker.services.role_versions import load_library

    app = create_app("testing", DATABASE_URL=url)
    with app.app_context():
        db.create_all()
        results = load_library() if contents == LIBRARY else []
        db.session.remove()
        db.engine.dispose()
    return results


class SQLiteTemplates:
    """Two database files made on first use; ``copy`` gives a test its own."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.files: dict[str, Path] = {}
        self.library_results: list = []

    def _template(self, contents: str) -> Path:
        if contents not in self.files:
            path = self.folder / f"{contents}.sqlite3"
            results = _build(f"sqlite:///{path}", contents)
            if contents == LIBRARY:
                self.library_results = results
            # Every connection is closed, so SQLite has folded the write-ahead log back into
            # the file: the one file is the whole database.
            assert not Path(f"{path}-wal").exists(), "the template's WAL was not checkpointed"
            self.files[contents] = path
        return self.files[contents]

    def copy(self, contents: str, target: Path) -> str:
        shutil.copyfile(self._template(contents), target)
        return f"sqlite:///{target}"


class PostgresTemplate:
    """One database for the session; ``reset`` puts it back to ``EMPTY`` or ``LIBRARY``.

    Rows are deleted rather than truncated: on tables this small ``DELETE`` is several times
    faster, and restarting each sequence gives the ids a new database would.
    """

    def __init__(self, url: str):
        self.url = url
        self.library_results = _build(url, LIBRARY)
        self.dsn = make_url(url).set(drivername="postgresql").render_as_string(
            hide_password=False)
        tables = db.metadata.sorted_tables
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{SNAPSHOT_SCHEMA}"')
            for table in LIBRARY_TABLES:
                conn.execute(f'CREATE TABLE "{SNAPSHOT_SCHEMA}"."{table.name}" AS '
                             f'SELECT * FROM "{table.name}"')
            sequences = {row[0]: row[1] for row in conn.execute(
                "SELECT table_name, pg_get_serial_sequence(quote_ident(table_name), 'id') "
                "FROM information_schema.columns WHERE table_schema = 'public' "
                "AND column_name = 'id'")}
        empty = [f'DELETE FROM "{t.name}"' for t in reversed(tables)]
        empty += [f"ALTER SEQUENCE {sequences[t.name]} RESTART" for t in tables]
        refill = [f'INSERT INTO "{t.name}" SELECT * FROM "{SNAPSHOT_SCHEMA}"."{t.name}"'
                  for t in LIBRARY_TABLES]
        refill += [f"SELECT setval('{sequences[t.name]}', (SELECT max(id) FROM \"{t.name}\"))"
                   for t in LIBRARY_TABLES]
        self.scripts = {EMPTY: ";\n".join(empty), LIBRARY: ";\n".join(empty + refill)}
        self.connection = psycopg.connect(self.dsn, autocommit=True)

    def reset(self, contents: str) -> str:
        # One round trip: several statements in one simple query run as one transaction.
        self.connection.execute(self.scripts[contents].encode(), prepare=False)
        return self.url

    def close(self) -> None:
        self.connection.close()

