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


def cached_world(build):
    """A ``world`` fixture from ``build(app)``, which makes the rows, commits and returns ids."""

    @pytest.fixture
    def world(request, app, library):
        url = app.config["DATABASE_URL"]
        kind = "sqlite_templates" if is_sqlite(url) else "postgres_template"
        templates = request.getfixturevalue(kind)
        key = (request.module.__name__, build.__name__, kind, date.today())
        uploads = Path(app.config["UPLOAD_DIR"])
        saved_uploads = Path(request.getfixturevalue("worlds_folder")) / str(len(_values))
        if key not in _values:
            value = build(app)
            _close_connections(app)
            templates.save(key, url)
            if uploads.exists():
                shutil.copytree(uploads, saved_uploads)
            _values[key] = (value, saved_uploads)
        else:
            _close_connections(app)
            templates.restore(key, url)
            if _values[key][1].exists():
                shutil.copytree(_values[key][1], uploads, dirs_exist_ok=True)
        return copy.deepcopy(_values[key][0])

    return world
