"""The commands operators and scripts use: roles, plan preview, create-admin, demo."""
import json

import pytest
import sqlalchemy as sa

from tests.test_due_dates import CASES
from tracker.extensions import db
from tracker.models import Plan, User
from tracker.services.role_library import PACKAGE_LIBRARY

KEYS = ["d30", "d60", "d90", "m6", "m12"]


def test_roles_validate_passes_on_the_shipped_library(runner):
    result = runner.invoke(args=["tracker", "roles", "validate"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")


def test_roles_validate_fails_with_a_precise_message(runner, tmp_path):
    broken = tmp_path / "roles" / "data-engineer.yaml"
    broken.parent.mkdir()
    text = (PACKAGE_LIBRARY / "roles" / "data-engineer.yaml").read_text()
    broken.write_text(text.replace("evidence_required: true", "evidence_required: maybe", 1))
    line = next(i for i, l in enumerate(broken.read_text().splitlines(), 1) if "maybe" in l)
    result = runner.invoke(args=["tracker", "roles", "validate", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert (f"data-engineer.yaml:{line}: milestones.d30.goals[0].evidence_required: "
            "should be a boolean, found str 'maybe'") in result.output
    assert "1 problem found" in result.output


def test_roles_load_then_list_and_reload_is_a_no_op(runner):
    first = runner.invoke(args=["tracker", "roles", "load"])
    assert first.exit_code == 0 and "created" in first.output
    again = runner.invoke(args=["tracker", "roles", "load"])
    assert "0 of" in again.output.splitlines()[-1]
    listing = runner.invoke(args=["tracker", "roles", "list"])
    assert "machine-learning-engineer" in listing.output and "company-baseline" in listing.output


def test_roles_export_prints_yaml_that_validates(runner, library, tmp_path):
    result = runner.invoke(args=["tracker", "roles", "export", "data-scientist",
                                 "--out", str(tmp_path / "roles")])
    assert result.exit_code == 0, result.output
    check = runner.invoke(args=["tracker", "roles", "validate", "--dir", str(tmp_path)])
    assert check.exit_code == 0, check.output


def test_roles_new_writes_a_skeleton_that_validation_refuses(runner, tmp_path):
    result = runner.invoke(args=["tracker", "roles", "new", "ml-systems-engineer",
                                 "--out", str(tmp_path / "roles")])
    assert result.exit_code == 0, result.output
    check = runner.invoke(args=["tracker", "roles", "validate", "--dir", str(tmp_path)])
    assert check.exit_code == 1 and "still a TODO placeholder" in check.output
    unknown = runner.invoke(args=["tracker", "roles", "new", "chief-vibes-officer"])
    assert unknown.exit_code == 1 and "not in the catalogue" in unknown.output


PREVIEW_CASES = [(start, rule, expected) for start, rules in CASES.items()
                 for rule, expected in rules.items() if rule != "none"]


@pytest.mark.parametrize("start,rule,expected", PREVIEW_CASES)
def test_plan_preview_json_gives_the_hand_worked_dates(app, library, start, rule, expected):
    result = app.test_cli_runner().invoke(args=[
        "tracker", "plan", "preview", "machine-learning-engineer", "--start", start, "--json",
        "--weekend-rule", rule])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["role"], data["version"], data["start"]) == ("machine-learning-engineer", 1, start)
    assert [m["key"] for m in data["milestones"]] == KEYS
    assert [m["due"] for m in data["milestones"]] == list(expected)
    goal = data["milestones"][0]["goals"][0]
    assert set(goal) >= {"title", "owner", "evidence_required"}


def test_plan_preview_uses_the_configured_weekend_rule(library, database_url):
    from tracker import create_app

    app = create_app("testing", DATABASE_URL=database_url, DUE_DATE_WEEKEND_RULE="previous")
    result = app.test_cli_runner().invoke(args=[
        "tracker", "plan", "preview", "data-engineer", "--start", "2026-01-31", "--json"])
    assert json.loads(result.output)["milestones"][-1]["due"] == "2027-01-29"
    with app.app_context():
        db.engine.dispose()


def test_plan_preview_text_lists_milestones_and_goals(runner, library):
    result = runner.invoke(args=["tracker", "plan", "preview", "mlops-engineer",
                                 "--start", "2024-02-29"])
    assert result.exit_code == 0, result.output
    assert "Mon 2024-04-01" in result.output and "Fri 2025-02-28" in result.output
    assert "[baseline]" in result.output


@pytest.mark.parametrize("args,message", [
    (["no-such-role", "--start", "2026-01-01"], "no role 'no-such-role' is loaded"),
    (["data-engineer", "--start", "31/01/2026"], "write it as YYYY-MM-DD"),
    (["data-engineer", "--start", "2026-02-30"], "is not a date"),
    (["company-baseline", "--start", "2026-01-01"], "no role 'company-baseline'"),
])
def test_plan_preview_explains_bad_input(runner, library, args, message):
    result = runner.invoke(args=["tracker", "plan", "preview", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_create_admin_reads_the_password_from_the_environment(app, runner, monkeypatch):
    monkeypatch.setenv("TRACKER_ADMIN_PASSWORD", "a long enough password")
    result = runner.invoke(args=["tracker", "create-admin", "Boss@Example.com"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "boss@example.com"))
        assert user.is_admin and user.check_password("a long enough password")


def test_create_admin_asks_for_the_password_and_refuses_a_short_one(app, runner, monkeypatch):
    monkeypatch.delenv("TRACKER_ADMIN_PASSWORD", raising=False)
    result = runner.invoke(args=["tracker", "create-admin", "a@example.com"], input="short\nshort\n")
    assert result.exit_code == 1 and "use at least 10 characters" in result.output
    ok = runner.invoke(args=["tracker", "create-admin", "a@example.com"],
                       input="long password here\nlong password here\n")
    assert ok.exit_code == 0, ok.output


def _counts(app):
    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (User, Plan))


def test_demo_is_idempotent_and_prints_the_logins(app, runner):
    first = runner.invoke(args=["tracker", "demo"])
    assert first.exit_code == 0, first.output
    assert "hr.admin@demo.example.com" in first.output and "onboard-demo-2026" in first.output
    assert _counts(app) == (10, 6)
    with app.app_context():
        from tracker.models import PulseCheckIn

        pulses = db.session.scalar(sa.select(sa.func.count()).select_from(PulseCheckIn))
    # Ana (day 3) has none yet; Ben (day 24) three; the others one a week, then one a month.
    assert pulses > 40
    runner.invoke(args=["tracker", "demo"])
    assert _counts(app) == (10, 6)
    skipped = runner.invoke(args=["tracker", "demo", "--if-empty"])
    assert "already has users" in skipped.output


def test_demo_hires_adds_that_many_plans(app, runner):
    result = runner.invoke(args=["tracker", "demo", "--hires", "30"])
    assert result.exit_code == 0, result.output
    assert _counts(app)[1] == 6 + 30
    runner.invoke(args=["tracker", "demo", "--hires", "5"])
    assert _counts(app)[1] == 6 + 35
