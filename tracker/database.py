"""Database URL handling and per-connection settings for the two supported databases."""
from __future__ import annotations

import os

import sqlalchemy as sa
from sqlalchemy.engine import make_url


def normalise_database_url(url: str) -> str:
    """Accept URLs as people write them and pick the psycopg 3 driver for PostgreSQL.

    ``postgres://`` (Heroku style) and ``postgresql://`` both mean psycopg 3 here; an explicit
    driver (``postgresql+psycopg://``) is kept as written.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def default_sqlite_url(instance_path: str) -> str:
    os.makedirs(instance_path, exist_ok=True)
    return "sqlite:///" + os.path.join(instance_path, "tracker.sqlite3")


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def engine_options(url: str) -> dict:
    if is_sqlite(url):
        # A web request and the scheduler may write at once; wait rather than fail at once.
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


@sa.event.listens_for(sa.Engine, "connect")
def _postgresql_settings(dbapi_connection, _record) -> None:
    """No JIT: its compile time (~0.1 s) is paid per statement, and this app's statements are
    short ones over indexes; at 100,000 hires JIT doubled the sweep's plans statement
    (bench/README.md). A session setting, so it needs no rights and no server configuration."""
    if not type(dbapi_connection).__module__.startswith("psycopg"):
        return
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


@sa.event.listens_for(sa.Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets readers and one writer work together; foreign keys are off by default in SQLite.

    ``journal_mode=WAL`` is persistent in the file, so the first connection to a new database
    sets it for good; repeating it later is a no-op.
    """
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def savepoint(session):
    """``session.begin_nested()`` that also holds on SQLite.

    pysqlite opens a transaction only at the first write, so a SAVEPOINT sent before any write
    opens one of its own, and its RELEASE then commits everything so far: a later rollback of
    the session would undo nothing. On SQLite a BEGIN goes first, so the savepoint sits inside
    the session's transaction as it does on PostgreSQL.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.in_transaction:
        connection.exec_driver_sql("BEGIN")
    return session.begin_nested()
