"""Stable goal keys: written in the library, checked, stored, compared and given by migration."""
import shutil

import pytest
import sqlalchemy as sa
import yaml
from flask_migrate import downgrade, upgrade

from tests.conftest import throwaway_postgres_database
from tests.factories import make_plan, make_user
from tracker import create_app
from tracker.extensions import db
from tracker.models import PlanGoal
from tracker.services.goal_keys import key_from_title
from tracker.services.role_compare import compare, summary
from tracker.services.role_library import PACKAGE_LIBRARY, LibraryError, read_library
from tracker.services.role_versions import current_version, load_library, version_of

ROLE = "machine-learning-engineer"


def copy_library(tmp_path):
    target = tmp_path / "library"
    shutil.copytree(PACKAGE_LIBRARY, target)
    return target


def edit_role(library, change) -> None:
    path = library / "roles" / f"{ROLE}.yaml"
    data = yaml.safe_load(path.read_text())
    change(data["milestones"])
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def problems(library) -> list[str]:
    with pytest.raises(LibraryError) as info:
        read_library(library)
    return [str(p) for p in info.value.problems]


def test_every_shipped_goal_has_a_key_unique_in_its_template():
    for document in read_library(PACKAGE_LIBRARY):
        keys = [goal["key"] for m in document.data["milestones"].values()
                for goal in m.get("goals", [])]  # a layer's replaces and drops are checked too
        assert len(keys) == len(set(keys)), document.slug


def test_a_goal_without_a_key_is_refused_with_one_to_copy(tmp_path):
    library = copy_library(tmp_path)
    edit_role(library, lambda m: m["d60"]["goals"][1].pop("key"))
    [problem] = problems(library)
    assert problem.startswith(f"{ROLE}.yaml:") and "milestones.d60.goals[1]" in problem
    assert "for example key: " in problem


def test_a_key_used_twice_in_one_template_is_refused_even_across_milestones(tmp_path):
    library = copy_library(tmp_path)

    def reuse(milestones):
        milestones["m6"]["goals"][0]["key"] = milestones["d30"]["goals"][2]["key"]

    edit_role(library, reuse)
    [problem] = problems(library)
    assert "milestones.m6.goals[0].key" in problem and "also used by goal [2] of d30" in problem


def test_compare_matches_goals_by_key_not_title(app, tmp_path):
    library = copy_library(tmp_path)

    def rework(milestones):
        d30, d60 = milestones["d30"]["goals"], milestones["d60"]["goals"]
        d30[0]["title"] = "Draw the ML system on one page"                 # reworded
        d60.append(d30.pop(1))                                           # moved to d60
        d30[1]["owner"] = "buddy" if d30[1]["owner"] != "buddy" else "hire"  # owner
        d30[2]["target"] = "Change failure rate under 15%"              # target
        d30.insert(0, d30.pop(3))                                        # reordered only
        d60.pop(0)                                                       # removed
        milestones["m6"]["goals"].append({
            "key": "cut-serving-cost", "title": "Cut the cost per prediction",
            "description": "Find and land one change that lowers the serving cost per call.",
            "owner": "hire", "evidence_required": True,
            "evidence_hint": "Cost per thousand predictions before and after."})  # added

    with app.app_context():
        load_library(library)
        before = current_version(ROLE)
        moved_key = before.milestones[0].goals[1].key
        removed_key = before.milestones[1].goals[0].key
        edit_role(library, rework)
        load_library(library)
        changes = {c.key: c.kinds for c in compare(version_of(ROLE, 1), version_of(ROLE, 2))}
        assert changes == {
            before.milestones[0].goals[0].key: ["reworded"],
            moved_key: ["moved"],
            before.milestones[0].goals[2].key: ["owner"],
            before.milestones[0].goals[3].key: ["target"],
            "cut-serving-cost": ["added"],
            removed_key: ["removed"],
        }
        assert summary(compare(version_of(ROLE, 1), version_of(ROLE, 2))) == {
            "added": 1, "removed": 1, "reworded": 1, "moved": 1, "owner": 1, "target": 1}
        assert compare(version_of(ROLE, 2), version_of(ROLE, 2)) == []


def test_the_compare_command_names_each_change(app, runner, tmp_path):
    library = copy_library(tmp_path)
    with app.app_context():
        load_library(library)
        edit_role(library, lambda m: m["d90"]["goals"][0].update(title="A brand new wording"))
        load_library(library)
        db.session.commit()
    result = runner.invoke(args=["tracker", "roles", "compare", ROLE, "1"])
    assert result.exit_code == 0, result.output
    assert "v1 -> v2: 1 reworded" in result.output and "A brand new wording" in result.output
    missing = runner.invoke(args=["tracker", "roles", "compare", ROLE, "7"])
    assert missing.exit_code != 0 and "has no version 7; its versions are 1 to 2" in missing.output


def test_plans_copy_the_target_of_each_goal(app, tmp_path):
    library = copy_library(tmp_path)
    edit_role(library, lambda m: m["d90"]["goals"][0].update(target="MTTR under one hour"))
    files = [library / "roles" / f"{ROLE}.yaml", library / "baseline.yaml"]
    expected = {g.get("target") for d in read_library(library, files)
                for m in d.data["milestones"].values() for g in m["goals"]} - {None}
    with app.app_context():
        load_library(library)
        plan = make_plan(make_user(), make_user())
        db.session.flush()
        targets = set(db.session.scalars(sa.select(PlanGoal.target).where(
            PlanGoal.plan_id == plan.id, PlanGoal.target.is_not(None))))
        assert "MTTR under one hour" in targets and targets == expected


def test_key_from_title_is_readable_short_and_unique():
    long = "Set up a local dev environment and get access to data, registry, compute and repos"
    assert key_from_title(long) == "set-up-a-local-dev-environment-and-get-access-to"  # 48
    assert key_from_title("x" * 60) == "x" * 48
    assert key_from_title("Hold the 1:1", {"hold-the-1-1"}) == "hold-the-1-1-2"
    assert key_from_title("!!!") == "goal"


def _insert_old_version(connection, titles_by_version):
    """Rows as revision 0005 stored them: goals with titles and no keys."""
    connection.execute(sa.text(
        "INSERT INTO role_templates (id, slug, kind, name, area, summary, created_at) "
        "VALUES (1, 'r', 'role', 'R', '', '', CURRENT_TIMESTAMP)"))
    goal_id = 0
    for number, titles in enumerate(titles_by_version, start=1):
        connection.execute(sa.text(
            "INSERT INTO role_versions (id, template_id, number, content_hash, source_file, "
            "loaded_at) VALUES (:n, 1, :n, :h, '', CURRENT_TIMESTAMP)"),
            {"n": number, "h": str(number)})
        connection.execute(sa.text(
            "INSERT INTO milestone_templates (id, version_id, key, title, position) "
            "VALUES (:n, :n, 'd30', 'T', 0)"), {"n": number})
        for position, title in enumerate(titles):
            goal_id += 1
            connection.execute(sa.text(
                "INSERT INTO goal_templates (id, milestone_id, title, description, owner, "
                "evidence_required, evidence_hint, position) VALUES "
                "(:id, :m, :t, 'd', 'hire', true, '', :p)"),
                {"id": goal_id, "m": number, "t": title, "p": position})


def _backfill_round_trip(url):
    app = create_app("testing", DATABASE_URL=url)
    with app.app_context():
        upgrade(revision="0005")
        with db.engine.begin() as connection:
            _insert_old_version(connection, [["Ship a fix", "Ship a fix", "Meet the team"],
                                             ["Meet the team", "Ship a fix"]])
        upgrade(revision="0006")
        with db.engine.connect() as connection:
            keys = connection.execute(sa.text(
                "SELECT m.version_id, g.key FROM goal_templates g JOIN milestone_templates m "
                "ON m.id = g.milestone_id ORDER BY g.id")).all()
        assert keys == [(1, "ship-a-fix"), (1, "ship-a-fix-2"), (1, "meet-the-team"),
                        (2, "meet-the-team"), (2, "ship-a-fix")]
        downgrade(revision="0005")
        upgrade()
        db.engine.dispose()


def test_migration_gives_existing_goals_keys_that_line_up_across_versions(tmp_path):
    _backfill_round_trip(f"sqlite:///{tmp_path / 'keys.sqlite3'}")


@pytest.mark.postgres
def test_migration_gives_existing_goals_keys_on_postgresql():
    with throwaway_postgres_database() as url:
        _backfill_round_trip(url)
