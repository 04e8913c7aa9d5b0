"""Fixtures: an app per test on SQLite and, when a server is given, on PostgreSQL too.

Each test gets a database of its own, copied from one built once per session: empty, or with
the role library already loaded when the test asks for ``library`` (tests/databases.py).

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

import jinja2
import jinja2.bccache
import psycopg
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from tests.databases import EMPTY, LIBRARY, PostgresTemplate, SQLiteTemplates
from tracker import create_app
from tracker.database import is_sqlite
from tracker.extensions import db

REQUIRE_POSTGRES = os.environ.get("TRACKER_REQUIRE_POSTGRES") == "1"
CONTENTS = pytest.StashKey[str]()


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
def sqlite_templates(tmp_path_factory):
    return SQLiteTemplates(tmp_path_factory.mktemp("templates"))


@pytest.fixture(scope="session")
def worlds_folder(tmp_path_factory):
    """Where tests/worlds.py keeps the files a saved world uploaded."""
    return tmp_path_factory.mktemp("worlds")


@pytest.fixture(scope="session")
def postgres_template():
    """One PostgreSQL database for the session, schema and library built once."""
    with throwaway_postgres_database() as url:
        template = PostgresTemplate(url)
        yield template
        template.close()


def _contents(request) -> str:
    """What the test's database starts with: the role library only if the test asks for it."""
    return LIBRARY if "library" in request.fixturenames else EMPTY


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A database of the test's own: a copy of a session-wide snapshot (see tests/databases.py)."""
    contents = request.node.stash[CONTENTS] = _contents(request)
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_templates").copy(contents, tmp_path / "test.sqlite3")
    return request.getfixturevalue("postgres_template").reset(contents)


class BufferedClient(FlaskClient):
    """Closes what werkzeug's test client leaves open, since every warning is an error here.

    A file download streams from an open file, so the response is read whole (``buffered``)
    even by a test that only checks the status; and a large upload is encoded into a temporary
    file that werkzeug hands the app as ``wsgi.input`` and never closes.
    """

    def open(self, *args, buffered: bool = True, **kwargs):
        response = super().open(*args, buffered=buffered, **kwargs)
        for each in [*response.history, response]:
            each.request.environ["wsgi.input"].close()
        return response


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once per session, not once per test's app.

    Each app has its own Jinja environment, which would parse and compile every template again
    for every test; the compiled code is the same, and Jinja checks each entry against the
    template's source before using it.
    """

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


@pytest.fixture
def app(request, database_url, tmp_path):
    """The testing app; tests marked ``csrf_on`` get CSRF protection, which testing turns off."""
    csrf = request.node.get_closest_marker("csrf_on") is not None
    app = create_app("testing", DATABASE_URL=database_url, UPLOAD_DIR=str(tmp_path / "uploads"),
                     WTF_CSRF_ENABLED=csrf)
    app.test_client_class = BufferedClient
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def library(request, app):
    """The shipped role library, loaded: the test's database was copied with it already in."""
    if request.node.stash[CONTENTS] == LIBRARY:
        templates = "sqlite_templates" if is_sqlite(app.config["DATABASE_URL"]) else "postgres_template"
        return request.getfixturevalue(templates).library_results
    from tracker.services.role_versions import load_library  # asked for too late to be copied

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
    from tracker.extensions import db
    from tracker.services import sessions
    from tracker.services.accounts import find_user

    with app.app_context():
        token = sessions.start(find_user(email))
        db.session.commit()
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
