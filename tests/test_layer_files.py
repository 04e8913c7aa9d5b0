"""Layer files: the messages a broken one gets, loading as versions, and migration 0010."""
import shutil
from datetime import date

import pytest
import sqlalchemy as sa
import yaml
from flask_migrate import downgrade, upgrade

from tracker import create_app
from tracker.extensions import db
from tracker.services.role_library import PACKAGE_LIBRARY, LibraryError, read_library

RUNBOOKS = "read-the-team-runbooks-and-the-incident-process"
# The shipped startup layer, with a drop at 90 days for the tests to break.
GOOD = (PACKAGE_LIBRARY / "layers" / "startup.yaml").read_text() + (
    "    drops:\n      - suggest-improvements-to-this-onboarding-plan\n")


def library_with(tmp_path, text: str, name: str = "startup.yaml"):
    library = tmp_path / "library"
    shutil.copytree(PACKAGE_LIBRARY, library)
    (library / "layers" / name).write_text(text)
    return library


def problems_for(library) -> list[str]:
    with pytest.raises(LibraryError) as info:
        read_library(library)
    return [str(p) for p in info.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_shipped_layers_are_valid_and_typed():
    layers = {d.slug: d for d in read_library(PACKAGE_LIBRARY) if d.kind == "layer"}
    assert {slug: d.data["type"] for slug, d in layers.items()} == {
        "platform-team": "team", "regulated-environment": "context", "startup": "context",
        "large-enterprise": "context"}


def test_a_wrong_type_and_a_replacement_without_description_name_file_line_and_place(tmp_path):
    text = GOOD.replace("type: context", "type: squad")
    assert problems_for(library_with(tmp_path, text)) == [
        f"startup.yaml:{line_of(text, 'type: squad')}: type: 'squad' is not allowed; "
        "use one of: team, context"]
    data = yaml.safe_load(GOOD)
    del data["milestones"]["d60"]["replaces"][RUNBOOKS]["description"]
    text = yaml.safe_dump(data, sort_keys=False)
    [problem] = problems_for(library_with(tmp_path / "2", text))
    line = line_of(text, f"  {RUNBOOKS}:") + 1  # where the replacement starts
    assert problem == (f"startup.yaml:{line}: milestones.d60.replaces.{RUNBOOKS}: "
                       "missing required field 'description'")


def test_a_key_used_twice_in_a_layer_is_refused(tmp_path):
    drop = "      - suggest-improvements-to-this-onboarding-plan"
    text = GOOD.replace(drop, drop + "\n      - ship-a-small-change-end-to-end")
    [problem] = problems_for(library_with(tmp_path, text))
    line = line_of(text, "      - ship-a-small-change-end-to-end")
    assert problem == (f"startup.yaml:{line}: milestones.d90.drops[1]: key "
                       "'ship-a-small-change-end-to-end' is also used by goal [0] of d30")


def test_replacing_or_dropping_a_key_no_template_has_is_reported_with_its_line(tmp_path):
    text = GOOD.replace("suggest-improvements-to-this-onboarding-plan", "suggest-improvements")
    [problem] = problems_for(library_with(tmp_path, text))
    assert problem == (f"startup.yaml:{line_of(text, '- suggest-improvements')}: "
                       "milestones.d90.drops[0]: no template in the library has a goal with key "
                       "'suggest-improvements' to drop; check the key")


def test_a_layer_slug_must_match_its_file_name_and_an_empty_milestone_is_refused(tmp_path):
    text = GOOD.replace("slug: startup", "slug: scale-up")
    [problem] = problems_for(library_with(tmp_path, text))
    assert problem == "startup.yaml:1: slug: 'scale-up' must match the file name 'startup'"
    data = yaml.safe_load(GOOD)
    data["milestones"]["m6"] = {}
    [problem] = problems_for(library_with(tmp_path / "2", yaml.safe_dump(data)))
    assert "milestones.m6: needs at least 1 entries, found 0" in problem


def test_roles_load_loads_layers_and_a_changed_layer_is_a_new_version(app, runner, tmp_path):
    result = runner.invoke(args=["tracker", "roles", "load"])
    assert result.exit_code == 0, result.output
    assert "platform-team" in result.output and "startup" in result.output
    library = library_with(tmp_path, GOOD)  # one drop more than the shipped file
    again = runner.invoke(args=["tracker", "roles", "load", "--dir", str(library)])
    assert "startup                                  v2    new version" in again.output
    assert "platform-team                            v1    unchanged" in again.output
    exported = runner.invoke(args=["tracker", "roles", "export", "startup"])
    data = yaml.safe_load(exported.output)
    assert data["type"] == "context" and data["milestones"]["d90"]["drops"] == [
        "suggest-improvements-to-this-onboarding-plan"]
    replaced = data["milestones"]["d60"]["replaces"]
    assert "read-the-team-runbooks-and-the-incident-process" in replaced


def test_0010_down_turns_layer_goals_into_custom_goals_and_forgets_layers(tmp_path):
    from tests.factories import make_user
    from tracker.services.plans import create_plan
    from tracker.services.role_versions import current_baseline, current_version, load_library

    app = create_app("testing", DATABASE_URL=f"sqlite:///{tmp_path / 'layers.sqlite3'}")
    with app.app_context():
        upgrade()
        load_library()
        plan = create_plan(version=current_version("data-engineer"), start=date(2027, 1, 4),
                           hire=make_user(), manager=make_user("m@example.com"),
                           baseline=current_baseline(), layers=[current_version("platform-team")])
        db.session.commit()
        plan_id = plan.id
        downgrade(revision="0009")
        count = "SELECT count(*) FROM plan_goals WHERE plan_id = :p AND source = :s"
        assert db.session.execute(sa.text(count), {"p": plan_id, "s": "custom"}).scalar() == 5
        assert db.session.execute(sa.text(
            "SELECT count(*) FROM role_templates WHERE slug = 'platform-team'")).scalar() == 0
        db.session.commit()
        upgrade()
        assert db.session.execute(sa.text("SELECT count(*) FROM plan_layers")).scalar() == 0
        db.engine.dispose()
