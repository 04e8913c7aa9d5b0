"""Fixtures: an app per test on SQLite and, when a server is given, on PostgreSQL too.

``TRACKER_TEST_DATABASE_URL`` names a PostgreSQL server; each run makes its own throwaway
database there and drops it at the end. Without it the PostgreSQL half skips with the reason,
unless ``TRACKER_REQUIRE_POSTGRES=1`` (CI), which turns that skip into a failure.
No fixture keeps an app context pushed: requests from the test client then get their own,
with a fresh session, exactly as in production.
"""
from __future__ import annotations

import contextlib
import os
import uuid

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tracker import create_app
from tracker.extensions import db

REQUIRE_POSTGRES = os.environ.get("TRACKER_REQUIRE_POSTGRES") == "1"


def _server_url() -> str:
    url = os.environ.get("TRACKER_TEST_DATABASE_URL", "")
    if not url:
        reason = "TRACKER_TEST_DATABASE_URL is not set, so there is no PostgreSQL server to test on"
        if REQUIRE_POSTGRES:
            pytest.fail(reason + " (TRACKER_REQUIRE_POSTGRES=1 makes this a failure)")
        pytest.skip(reason)
    return url


@contextlib.contextmanager
def throwaway_postgres_database():
    """A new empty database on the test server, dropped afterwards, as a SQLAlchemy URL."""
    server = make_url(_server_url().replace("postgresql+psycopg://", "postgresql://"))
    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    admin_dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.fail(f"cannot reach the PostgreSQL server at {server!r}: {exc}")
    try:
        yield server.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_schema_url():
    """One PostgreSQL database for the session, schema built once; tests truncate after use."""
    with throwaway_postgres_database() as url:
        app = create_app("testing", DATABASE_URL=url)
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("postgres_schema_url")


@pytest.fixture
def app(request, database_url, tmp_path):
    """The testing app; tests marked ``csrf_on`` get CSRF protection, which testing turns off."""
    csrf = request.node.get_closest_marker("csrf_on") is not None
    app = create_app("testing", DATABASE_URL=database_url, UPLOAD_DIR=str(tmp_path / "uploads"),
                     WTF_CSRF_ENABLED=csrf)
    with app.app_context():
        if app.config["DATABASE_URL"].startswith("sqlite"):
            db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if not app.config["DATABASE_URL"].startswith("sqlite"):
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def library(app):
    """The shipped role library, loaded."""
    from tracker.services.role_versions import load_library

    with app.app_context():
        results = load_library()
        db.session.commit()
        return results


@contextlib.contextmanager
def count_queries(app):
    """Counts SQL statements sent to the app's database while the block runs."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def login_as(client, app, email: str) -> None:
    """Sign a test client in as ``email`` without the form (the form has its own tests)."""
    from tracker.services.accounts import find_user

    with app.app_context():
        token = find_user(email).session_token
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on loopback, and the app's mail settings pointed at it."""
    from tests.smtp import SMTPServer

    with SMTPServer() as server:
        app.config.update(server.settings)
        yield server
