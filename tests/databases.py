"""Test databases built once per session, handed to each test as a fresh copy.

Building the schema and loading the role library cost more than most tests themselves, so each
is done once and every test starts from one of two snapshots: ``EMPTY`` (the schema, no rows:
for the tests about loading the library, migrations and ``demo --if-empty``) or ``LIBRARY``
(the schema plus the shipped role library). On SQLite a snapshot is a database file, and a test
gets its own copy of it; on PostgreSQL one database serves the session and each test starts by
emptying every table and copying the snapshot's rows back in from a schema of their own, with
every id sequence set as it was, so ids come out as on a new database.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from tracker import create_app
from tracker.extensions import db

EMPTY, LIBRARY = "empty", "library"
SNAPSHOT_SCHEMA = "test_snapshot"


def _build(url: str, contents: str) -> list:
    """Create the schema at ``url`` and, for ``LIBRARY``, load the library; no context is left."""
    from tracker.services.role_versions import load_library

    app = create_app("testing", DATABASE_URL=url)
    with app.app_context():
        db.create_all()
        results = load_library() if contents == LIBRARY else []
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return results


class SQLiteTemplates:
    """Database files made on first use; ``copy`` gives a test its own.

    Besides ``EMPTY`` and ``LIBRARY``, ``save`` keeps any test's database under a name so a
    later test can start from it (tests/worlds.py keeps each module's world this way).
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.files: dict[object, Path] = {}
        self.library_results: list = []

    def _template(self, contents: str) -> Path:
        if contents not in self.files:
            path = self.folder / f"{contents}.sqlite3"
            results = _build(f"sqlite:///{path}", contents)
            if contents == LIBRARY:
                self.library_results = results
            self._check_closed(path)
            self.files[contents] = path
        return self.files[contents]

    @staticmethod
    def _check_closed(path: Path) -> None:
        # With every connection closed SQLite has folded the write-ahead log back into the
        # file, so the one file is the whole database.
        assert not Path(f"{path}-wal").exists(), f"{path} still has a write-ahead log open"

    def copy(self, contents, target: Path) -> str:
        shutil.copyfile(self._template(contents) if contents in (EMPTY, LIBRARY)
                        else self.files[contents], target)
        return f"sqlite:///{target}"

    def save(self, name, url: str) -> None:
        """Keep the database at ``url`` (every connection to it closed) as ``name``."""
        source = Path(make_url(url).database)
        self._check_closed(source)
        self.files[name] = self.folder / f"saved-{len(self.files)}.sqlite3"
        shutil.copyfile(source, self.files[name])

    def restore(self, name, url: str) -> None:
        self.copy(name, Path(make_url(url).database))


class PostgresTemplate:
    """One database for the session; ``reset`` puts it back to a snapshot of its rows.

    A snapshot is a schema holding a copy of every table. Rows are deleted rather than
    truncated: on tables this small ``DELETE`` is several times faster; every id sequence is
    then set just past the largest id, so ids come out as they did when the snapshot was taken.
    """

    def __init__(self, url: str):
        self.url = url
        self.library_results = _build(url, LIBRARY)
        self.dsn = make_url(url).set(drivername="postgresql").render_as_string(
            hide_password=False)
        self.tables = [t.name for t in db.metadata.sorted_tables]
        self.connection = psycopg.connect(self.dsn, autocommit=True)
        self.sequences = {row[0]: row[1] for row in self.connection.execute(
            "SELECT table_name, pg_get_serial_sequence(quote_ident(table_name), 'id') "
            "FROM information_schema.columns WHERE table_schema = 'public' "
            "AND column_name = 'id'")}
        self.scripts: dict[object, str] = {}
        self.save(LIBRARY)
        self.scripts[EMPTY] = ";\n".join(
            [f'DELETE FROM "{t}"' for t in reversed(self.tables)]
            + [f"ALTER SEQUENCE {self.sequences[t]} RESTART" for t in self.tables
               if self.sequences.get(t)])

    def save(self, name, url: str | None = None) -> None:
        """Keep the database's rows as they are now as ``name``."""
        schema = f"{SNAPSHOT_SCHEMA}_{len(self.scripts)}"
        copies = [f'CREATE SCHEMA "{schema}"'] + [
            f'CREATE TABLE "{schema}"."{t}" AS SELECT * FROM "{t}"' for t in self.tables]
        self.connection.execute(";\n".join(copies).encode(), prepare=False)
        self.scripts[name] = ";\n".join(
            [f'DELETE FROM "{t}"' for t in reversed(self.tables)]
            + [f'INSERT INTO "{t}" SELECT * FROM "{schema}"."{t}"' for t in self.tables]
            + [f"SELECT setval('{self.sequences[t]}', coalesce(max(id), 0) + 1, false) "
               f'FROM "{t}"' for t in self.tables if self.sequences.get(t)])

    def reset(self, name) -> str:
        # One round trip: several statements in one simple query run as one transaction.
        self.connection.execute(self.scripts[name].encode(), prepare=False)
        return self.url

    def restore(self, name, url: str) -> None:
        self.reset(name)

    def close(self) -> None:
        self.connection.close()
