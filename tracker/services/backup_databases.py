"""The database half of a backup, per kind: a consistent copy out, a whole replacement in.

SQLite is copied with its own backup API (``sqlite3.Connection.backup``), which reads one
consistent snapshot while the app keeps writing (WAL lets readers and a writer work at once),
and restored the same way into the target file, which other connections then see whole.

PostgreSQL is dumped with ``pg_dump --format=custom`` from a snapshot exported by a
repeatable-read transaction, and the table summaries are read in that same transaction, so the
manifest describes exactly the rows in the dump. It is restored with ``pg_restore --clean
--if-exists --no-owner --single-transaction``: all of it, or (on any error) none of it.
Connection details come from DATABASE_URL; the password goes to the tools in ``PGPASSWORD``,
never on a command line, where other users of the machine could read it.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from psycopg.conninfo import make_conninfo
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import make_url

from tracker.extensions import db
from tracker.services import backup_tables
from tracker.services.backup_manifest import BackupError


@dataclass(frozen=True)
class Snapshot:
    revision: str | None
    tables: dict[str, dict]
    evidence_files: set[str]


SQLITE = sqlite_dialect.dialect()


def _sqlite_runner(connection: sqlite3.Connection):
    return lambda statement: connection.execute(str(statement.compile(dialect=SQLITE)))


def _snapshot(run, present: set[str]) -> Snapshot:
    return Snapshot(backup_tables.revision(run, present),
                    backup_tables.summaries(run, present),
                    backup_tables.evidence_files(run, present))


class SQLiteDatabase:
    kind, dump_name = "sqlite", "database.sqlite3"

    def __init__(self, url: str):
        self.path = Path(make_url(url).database or "")

    @staticmethod
    def _present(connection: sqlite3.Connection) -> set[str]:
        return {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}

    def dump(self, out: Path) -> Snapshot:
        if not self.path.is_file():
            raise BackupError(f"there is no SQLite database at {self.path}")
        with closing(sqlite3.connect(self.path, timeout=30)) as source, \
                closing(sqlite3.connect(out)) as copy:
            source.backup(copy)  # all pages in one step: one snapshot, never restarted
            copy.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
            return _snapshot(_sqlite_runner(copy), self._present(copy))

    def _read(self, read):
        if not self.path.is_file():  # not created yet: empty, and left uncreated
            return read(lambda statement: [], set())
        with closing(sqlite3.connect(self.path, timeout=30)) as connection:
            return read(_sqlite_runner(connection), self._present(connection))

    def row_counts(self) -> dict[str, int]:
        return self._read(backup_tables.row_counts)

    def summaries(self) -> dict[str, dict]:
        return self._read(backup_tables.summaries)

    def load(self, dump: Path) -> None:
        db.engine.dispose()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        source_uri = dump.resolve().as_uri() + "?mode=ro"
        with closing(sqlite3.connect(source_uri, uri=True)) as source, \
                closing(sqlite3.connect(self.path, timeout=30)) as target:
            source.backup(target)  # replaces every page of the target in one transaction
            target.execute("PRAGMA journal_mode=WAL")  # as the app runs it (tracker/database.py)


class PostgresDatabase:
    kind, dump_name = "postgresql", "database.pgdump"

    def __init__(self, url: str):
        self.url = make_url(url)

    @staticmethod
    def _present(connection: sa.Connection) -> set[str]:
        return {row[0] for row in connection.exec_driver_sql(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema()")}

    @staticmethod
    def _runner(connection: sa.Connection):
        return lambda statement: connection.execute(
            statement, execution_options={"stream_results": True})

    def _tool(self, name: str, *arguments: str) -> None:
        executable = shutil.which(name)
        if executable is None:
            raise BackupError(f"{name} is not installed; install the PostgreSQL client tools "
                              f"(Debian: apt-get install postgresql-client)")
        query = {key: value if isinstance(value, str) else value[-1]
                 for key, value in self.url.query.items()}
        conninfo = make_conninfo(host=self.url.host, port=self.url.port,
                                 user=self.url.username, dbname=self.url.database, **query)
        environment = dict(os.environ)
        if self.url.password is not None:
            environment["PGPASSWORD"] = self.url.password
        done = subprocess.run(  # an argument list, no shell; the password is in the environment
            [executable, *arguments, "--dbname", conninfo], env=environment,
            capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BackupError(f"{name} failed (exit {done.returncode}): {done.stderr.strip()}")

    def dump(self, out: Path) -> Snapshot:
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                connection.exec_driver_sql("SET TRANSACTION READ ONLY")
                exported = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
                self._tool("pg_dump", "--format=custom", f"--snapshot={exported}",
                           "--file", str(out))
                return _snapshot(self._runner(connection), self._present(connection))

    def _read(self, read):
        with db.engine.connect() as connection, connection.begin():
            return read(self._runner(connection), self._present(connection))

    def row_counts(self) -> dict[str, int]:
        return self._read(backup_tables.row_counts)

    def summaries(self) -> dict[str, dict]:
        return self._read(backup_tables.summaries)

    def load(self, dump: Path) -> None:
        db.engine.dispose()  # this process holds no connection that could block a DROP
        self._tool("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                   "--exit-on-error", str(dump))


KINDS = {"sqlite": SQLiteDatabase, "postgresql": PostgresDatabase}


def database_kind(url: str) -> str:
    return make_url(url).get_backend_name()


def database_at(url: str) -> SQLiteDatabase | PostgresDatabase:
    kind = database_kind(url)
    if kind not in KINDS:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {kind}")
    return KINDS[kind](url)
