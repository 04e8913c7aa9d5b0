"""The database fixtures keep their promises: each test starts from the state it asked for.

The databases are copies of snapshots built once per session (tests/databases.py); a snapshot
that leaked rows from one test into the next, or lost the library, would make other tests pass
or fail for the wrong reason, so these check the copies themselves.
"""
from pathlib import Path
from types import SimpleNamespace

import flask
import pytest
import sqlalchemy as sa

from tests.factories import PlanFactory, UserFactory, cast
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.models import GoalTemplate, Plan, RoleTemplate, User
from tracker.services.role_library import PACKAGE_LIBRARY, read_library


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        with db.engine.connect() as conn:
            return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                    for t in db.metadata.sorted_tables}


def test_without_the_library_a_test_gets_an_empty_schema_and_no_app_context(app):
    assert not flask.has_app_context()
    counts = row_counts(app)
    assert set(counts) == set(db.metadata.tables) and set(counts.values()) == {0}


def test_with_the_library_every_shipped_template_is_there(app, library):
    assert not flask.has_app_context()
    files = read_library(PACKAGE_LIBRARY)
    assert sorted(r.slug for r in library) == sorted(d.slug for d in files)
    assert {r.action for r in library} == {"created"}
    with app.app_context():
        assert sorted(db.session.scalars(sa.select(RoleTemplate.slug))) == sorted(
            d.slug for d in files)
    counts = row_counts(app)
    assert counts["goal_templates"] > 0 and counts["users"] == counts["plans"] == 0


@pytest.mark.parametrize("round_", [1, 2])
def test_what_one_test_writes_the_next_does_not_see(app, library, round_):
    """Run twice on each database: whichever round runs second checks the first's leftovers."""
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
        template = db.session.scalar(sa.select(RoleTemplate).order_by(RoleTemplate.id))
        assert not template.name.startswith("Renamed")
        user = UserFactory()
        assert user.id == 1  # ids start again, as on a new database
        goals = db.session.scalar(sa.select(sa.func.count()).select_from(GoalTemplate))
        # A layer's milestone may only replace or drop; each entry is one template goal row.
        assert goals == sum(len(m.get("goals", [])) + len(m.get("replaces", {}))
                            + len(m.get("drops", [])) for d in read_library(PACKAGE_LIBRARY)
                            for m in d.data["milestones"].values())
        template.name = f"Renamed in round {round_}"
        db.session.delete(db.session.scalar(sa.select(GoalTemplate)))
        db.session.commit()


def build_small_world(app):
    uploads = Path(app.config["UPLOAD_DIR"])
    uploads.mkdir(parents=True)
    (uploads / "kept.txt").write_text("uploaded while the world was built")
    with app.app_context():
        people = cast("manager", "hire")
        plan = PlanFactory(hire=people.hire, manager=people.manager)
        db.session.commit()
        return SimpleNamespace(plan=plan.id, hire=people.hire.id)


world = cached_world(build_small_world)


@pytest.mark.parametrize("round_", [1, 2])
def test_a_saved_world_comes_back_whole_without_the_last_tests_writes(app, world, round_):
    uploads = Path(app.config["UPLOAD_DIR"])
    assert (uploads / "kept.txt").exists() and not (uploads / "written.txt").exists()
    with app.app_context():
        assert db.session.get(Plan, world.plan).hire_id == world.hire
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
        assert UserFactory().id == 3  # the ids go on from where the world left them
        db.session.commit()
    (uploads / "written.txt").write_text("by one test")
    world.plan = None  # each test's ids are its own copy
