"""Loading the library into versions: idempotent, versioned, all-or-nothing, round-trippable."""
import shutil

import sqlalchemy as sa
import yaml

from tests.factories import make_plan, make_user
from tracker.extensions import db
from tracker.models import GoalTemplate, PlanGoal, RoleTemplate, RoleVersion
from tracker.services.role_library import PACKAGE_LIBRARY, LibraryError, read_library
from tracker.services.role_versions import (
    current_version,
    load_library,
    version_as_document,
)


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def copy_library(tmp_path):
    target = tmp_path / "library"
    shutil.copytree(PACKAGE_LIBRARY, target)
    return target


def test_loading_creates_one_version_per_file_and_reloading_changes_nothing(app, tmp_path):
    with app.app_context():
        first = load_library()
        files = len(read_library(PACKAGE_LIBRARY))
        assert {r.action for r in first} == {"created"}
        rows = (count(RoleTemplate), count(RoleVersion), count(GoalTemplate))
        assert rows[0] == rows[1] == files
        second = load_library()
        assert {r.action for r in second} == {"unchanged"}
        assert (count(RoleTemplate), count(RoleVersion), count(GoalTemplate)) == rows


def test_a_changed_file_becomes_a_new_version_and_plans_keep_theirs(app, tmp_path):
    library = copy_library(tmp_path)
    with app.app_context():
        load_library(library)
        plan = make_plan(make_user(), make_user())
        db.session.commit()
        old_titles = set(db.session.scalars(sa.select(PlanGoal.title).where(PlanGoal.plan_id == plan.id)))
        path = library / "roles" / "machine-learning-engineer.yaml"
        data = yaml.safe_load(path.read_text())
        data["milestones"]["d30"]["goals"][0]["title"] = "Draw the system on one page"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        results = {r.slug: r for r in load_library(library)}
        assert (results["machine-learning-engineer"].action, results["machine-learning-engineer"].version) == ("new version", 2)
        assert results["data-engineer"].action == "unchanged"
        assert current_version("machine-learning-engineer").number == 2
        db.session.expire_all()
        assert plan.role_version.number == 1
        assert set(db.session.scalars(sa.select(PlanGoal.title).where(PlanGoal.plan_id == plan.id))) == old_titles


def test_a_broken_file_loads_nothing_at_all(app, tmp_path):
    library = copy_library(tmp_path)
    (library / "roles" / "zz-broken.yaml").write_text("slug: zz-broken\nname: Broken\n")
    with app.app_context():
        try:
            load_library(library)
        except LibraryError as error:
            assert "zz-broken.yaml" in str(error)
        else:
            raise AssertionError("a broken file was accepted")
        assert count(RoleTemplate) == 0


def test_export_round_trips_to_the_same_content(app, tmp_path):
    with app.app_context():
        load_library()
        version = current_version("mlops-engineer")
        out = tmp_path / "export" / "roles"
        out.mkdir(parents=True)
        (out / "mlops-engineer.yaml").write_text(yaml.safe_dump(version_as_document(version)))
        [document] = read_library(tmp_path / "export")
        assert document.content_hash == version.content_hash
