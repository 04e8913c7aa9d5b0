"""A module's world (its people, plans and evidence) built once, then copied for each test.

Most test modules start every test from the same few people and plans. Building them through
the app's own services takes longer than many of the tests, so ``cached_world`` builds the
module's world for the first test that asks, keeps that database (and its uploaded files) as a
snapshot beside the session's templates, and gives every later test a copy of it, with the ids
the builder returned. A test still gets a database of its own, so what one test writes the next
never sees; tests/test_fixtures.py checks that.

The key holds the day, since worlds are built relative to ``date.today()``.
"""
from __future__ import annotations

import copy
import shutil
from datetime import date
from pathlib import Path

import pytest

from tracker.database import is_sqlite
from tracker.extensions import db

_values: dict[tuple, object] = {}


def _close_connections(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _key(request, app, build) -> tuple:
    kind = "sqlite_templates" if is_sqlite(app.config["DATABASE_URL"]) else "postgres_template"
    return request.module.__name__, build.__name__, kind, date.today()


def _restore(request, app, key) -> None:
    _close_connections(app)
    request.getfixturevalue(key[2]).restore(key, app.config["DATABASE_URL"])
    if _values[key][1].exists():
        shutil.copytree(_values[key][1], app.config["UPLOAD_DIR"], dirs_exist_ok=True)


def cached_world(build):
    """A ``world`` fixture from ``build(app)``, which makes the rows, commits and returns ids."""

    @pytest.fixture
    def world(request, app, library):
        key = _key(request, app, build)
        if key not in _values:
            value = build(app)
            _close_connections(app)
            request.getfixturevalue(key[2]).save(key, app.config["DATABASE_URL"])
            uploads = Path(app.config["UPLOAD_DIR"])
            saved_uploads = Path(request.getfixturevalue("worlds_folder")) / str(len(_values))
            if uploads.exists():
                shutil.copytree(uploads, saved_uploads)
            _values[key] = (value, saved_uploads)
        else:
            _restore(request, app, key)
        return copy.deepcopy(_values[key][0])

    return world


def restore_world(request, app, build) -> None:
    """Put the test's database and files back as ``build``'s world left them, mid-test: for a
    test that changes the world and wants to start again from it (the route fuzz, after a
    request that was accepted). The test must already use the world ``build`` made."""
    _restore(request, app, _key(request, app, build))
