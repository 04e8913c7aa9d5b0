"""Every text a person types has a limit, refuses a NUL character and, where it is one line,
refuses a line break, beside its field and in plain words, with nothing saved (issue 11).

PostgreSQL cannot store a NUL character at all, so before these rules a stray \\0 in a note
answered 500 there, and SQLite kept it; these run on both.
"""
from __future__ import annotations

import html
import importlib
import pkgutil
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import yaml
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from tests.conftest import login_as
from tests.factories import PlanFactory, cast, days_ago
from tests.worlds import cached_world
from tracker.checkins.forms import hire_half_form
from tracker.extensions import db
from tracker.forms import Fits
from tracker.models import AuditEvent, CheckIn, Evidence, EvidenceKind, GoalOwner, PlanGoal, User
from tracker.services.goals import submit_evidence
from tracker.services.role_library import PACKAGE_LIBRARY, LibraryError, read_library


def build_world(app):
    with app.app_context():
        people = cast("admin", "manager", "hire", "buddy")
        # Day 25: the 30-day check-in is open and a pulse is waiting.
        plan = PlanFactory(hire=people.hire, manager=people.manager, start=days_ago(25))
        d30 = plan.milestones[0]
        goals = [g for g in d30.goals if g.owner == GoalOwner.HIRE and g.evidence_required]
        note = submit_evidence(plan, goals[1], people.hire, kind=EvidenceKind.NOTE, note="draft")
        db.session.commit()
        return SimpleNamespace(plan=plan.id, goal=goals[0].id, reviewed=goals[1].id,
                               note=note.id, milestone=d30.id)


world = cached_world(build_world)

HIRE_FORM = {"name": "Nia New", "email": "nia@example.com", "timezone": "UTC",
             "role": "data-engineer", "start_date": days_ago(-7).isoformat(),
             "manager": "manager@example.com", "buddy": "", "create": "Create hire and plan"}

# (who, path, the form with one bad value marked by {bad}, how the message names the field)
FIELDS = {
    "note": ("hire", "/plans/{plan}/goals/{goal}/evidence", {"kind": "note", "note": "{bad}"},
             "note"),
    "link": ("hire", "/plans/{plan}/goals/{goal}/evidence",
             {"kind": "link", "url": "https://example.com/{bad}"}, "web address"),
    "edited note": ("hire", "/evidence/{note}/edit", {"note": "{bad}"}, "note"),
    "comment": ("manager", "/plans/{plan}/goals/{reviewed}/review",
                {"decision": "changes", "comment": "{bad}"}, "comment"),
    "waive reason": ("manager", "/plans/{plan}/goals/{goal}/waive", {"reason": "{bad}"}, "reason"),
    "pulse blocker": ("hire", "/plans/{plan}/pulse", {"confidence": "3", "blocker": "{bad}"},
                      "answer on what is in your way"),
    "pulse win": ("hire", "/plans/{plan}/pulse", {"confidence": "3", "win": "{bad}"}, "win"),
    "self-assessment": ("hire", "/plans/{plan}/checkins/d30/hire", {"self_assessment": "{bad}"},
                        "self-assessment"),
    "goal note": ("hire", "/plans/{plan}/checkins/d30/hire", {"goal-{goal}": "{bad}"},
                  "note on this goal"),
    "next steps": ("manager", "/plans/{plan}/checkins/d30/manager", {"next_steps": "{bad}"},
                   "list of next steps"),
    "goal title": ("admin", "/admin/plans/{plan}/goals",
                   {"milestone": "{milestone}", "title": "{bad}", "owner": "hire"}, "title"),
    "goal description": ("admin", "/admin/plans/{plan}/goals", {
        "milestone": "{milestone}", "title": "Meet SRE", "owner": "hire",
        "description": "{bad}"}, "description"),
    "evidence hint": ("admin", "/admin/plans/{plan}/goals", {
        "milestone": "{milestone}", "title": "Meet SRE", "owner": "hire",
        "evidence_hint": "{bad}"}, "evidence hint"),
    "due date reason": ("admin", "/admin/plans/{plan}/milestones/{milestone}/due-date", {
        "m{milestone}-due_date": days_ago(-60).isoformat(), "m{milestone}-reason": "{bad}"},
        "reason"),
    "new manager": ("admin", "/admin/plans/{plan}/people", {"manager": "{bad}manager@example.com"},
                    "manager's email"),
    "new buddy": ("admin", "/admin/plans/{plan}/people",
                  {"manager": "manager@example.com", "buddy": "buddy@{bad}example.com"},
                  "buddy's email"),
    "hire's name": ("admin", "/admin/hires/new", HIRE_FORM | {"name": "Nia{bad}"}, "name"),
    "hire's email": ("admin", "/admin/hires/new", HIRE_FORM | {"email": "nia{bad}@example.com"},
                     "email address"),
    "hire's manager": ("admin", "/admin/hires/new",
                       HIRE_FORM | {"manager": "manager@{bad}example.com"}, "manager's email"),
    "webhook address": ("admin", "/admin/webhooks",
                        {"url": "https://hooks.example.com/{bad}", "events": "hire.created"},
                        "web address"),
    "token name": ("hire", "/preferences/tokens", {"name": "{bad}"}, "token name"),
}
ONE_LINE = ["link", "waive reason", "pulse blocker", "pulse win", "goal title", "evidence hint",
            "due date reason", "new manager", "new buddy", "hire's name", "hire's email",
            "hire's manager", "webhook address", "token name"]
# (field, the limit, the words that name it)
LIMITS = [("note", 20_000), ("comment", 5_000), ("waive reason", 500), ("pulse win", 500),
          ("self-assessment", 10_000), ("goal note", 2_000), ("goal title", 160),
          ("goal description", 5_000), ("evidence hint", 500), ("due date reason", 500),
          ("token name", 100)]


def _post(app, client, world, case: str, bad: str):
    who, path, form, _ = FIELDS[case]
    ids = vars(world)
    data = {key.format(**ids): value.replace("{bad}", bad).format(**ids)
            for key, value in form.items()}
    login_as(client, app, f"{who}@example.com")
    return client.post(path.format(**ids), data=data)


def _saved(app) -> tuple[int, int, int]:
    """Rows the refused forms would have written: events, evidence, users."""
    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                     for model in (AuditEvent, Evidence, User))


def _refused(response, message: str) -> None:
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("case", FIELDS)
def test_a_nul_character_is_refused_beside_its_field(app, client, world, case):
    before = _saved(app)
    _refused(_post(app, client, world, case, "a\x00b"),
             f"remove the NUL character (an invisible \\0) from the {FIELDS[case][3]}")
    assert _saved(app) == before


@pytest.mark.parametrize("case", ONE_LINE)
@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\u2028"])
def test_a_line_break_is_refused_in_one_line_text(app, client, world, case, line_break):
    before = _saved(app)
    _refused(_post(app, client, world, case, "a" + line_break + "b"),
             f"remove the line break from the {FIELDS[case][3]}")
    assert _saved(app) == before


@pytest.mark.parametrize("case,limit", LIMITS)
def test_text_over_its_limit_is_refused_with_both_numbers(app, client, world, case, limit):
    before = _saved(app)
    _refused(_post(app, client, world, case, "x" * (limit + 7)),
             f"the {FIELDS[case][3]} is {limit + 7:,} characters; the limit is {limit:,}")
    assert _saved(app) == before


def test_notes_keep_their_line_breaks_counted_as_the_browser_counts_them(app, client, world):
    """A browser counts a line end as one character and sends two (CR LF): a note the
    browser let through is not refused for the difference."""
    note = "\r\n".join(["x" * 9] * 2_000)  # 19,999 with one-character line ends
    answer = "Good month.\r\n\r\n- shipped"
    assert _post(app, client, world, "note", note).status_code == 302
    assert _post(app, client, world, "self-assessment", answer).status_code == 302
    with app.app_context():
        saved = db.session.scalar(sa.select(Evidence).order_by(Evidence.id.desc()))
        assert saved.note == note
        assert db.session.scalar(sa.select(CheckIn)).self_assessment == answer


def test_a_goal_description_keeps_its_line_breaks(app, client, world):
    added = _post(app, client, world, "goal description", "First this.\nThen that.")
    assert added.status_code == 302
    with app.app_context():
        goal = db.session.scalar(sa.select(PlanGoal).order_by(PlanGoal.id.desc()))
        assert goal.description == "First this.\nThen that."


def _forms() -> list[type[FlaskForm]]:
    """Every form class of every ``forms`` module in the package, found by walking it, so a
    new blueprint's forms are checked without anyone listing them here (the check-in's
    per-goal class is built per page, from HireHalfForm; its goal fields are checked below)."""
    import tracker

    modules = [importlib.import_module(info.name) for info in pkgutil.walk_packages(
        tracker.__path__, "tracker.") if info.name.rsplit(".", 1)[-1] == "forms"]
    assert "tracker.studio.forms" in {module.__name__ for module in modules}
    return sorted({value for module in modules for value in vars(module).values()
                   if isinstance(value, type) and issubclass(value, FlaskForm)
                   and value.__module__.startswith("tracker.")}, key=lambda f: f.__qualname__)


# Text that is never stored or drawn back: compared with fixed values, or checked whole.
NOT_STORED = {("ReviewForm", "decision"), ("LoginForm", "password"), ("LoginForm", "next"),
              ("SetPasswordForm", "password"), ("SetPasswordForm", "confirm"),
              ("RequeueForm", "back"), ("SignForm", "seen")}


def _unlimited(form: FlaskForm) -> list[str]:
    return [field.name for field in form if isinstance(field, StringField)
            and (type(form).__name__, field.name) not in NOT_STORED
            and not any(isinstance(v, Fits) or (isinstance(v, Length) and v.max > 0)
                        for v in field.validators)]


@pytest.mark.parametrize("form", _forms(), ids=lambda f: f.__qualname__)
def test_every_text_field_of_every_form_has_a_limit(app, form):
    with app.test_request_context():
        assert _unlimited(form()) == []


def test_each_goal_note_of_a_check_in_has_a_limit(app):
    with app.test_request_context():
        form = hire_half_form([SimpleNamespace(id=7, title="Map the pipelines")])
        assert "goal-7" in form and _unlimited(form) == []


@pytest.mark.parametrize("email,message", [
    ("boss@exam\nple.com", "remove the line break from the email address"),
    ("boss\x00@example.com", "remove the NUL character (an invisible \\0) from the email address"),
])
def test_create_admin_refuses_an_email_the_form_would_refuse(app, runner, monkeypatch, email,
                                                              message):
    monkeypatch.setenv("TRACKER_ADMIN_PASSWORD", "a long enough password")
    result = runner.invoke(args=["tracker", "create-admin", email])
    assert result.exit_code == 1 and message in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_the_test_message_refuses_an_address_with_a_line_break(runner):
    address = "ops@example.com\nBcc: all@example.com"
    result = runner.invoke(args=["tracker", "mail", "test", address])
    assert result.exit_code == 1
    assert "remove the line break from the email address" in result.output


def test_a_role_file_with_a_nul_or_a_broken_title_is_refused_before_loading(tmp_path):
    source = yaml.safe_load((PACKAGE_LIBRARY / "roles" / "data-engineer.yaml").read_text())
    source["name"] = "Data\nEngineer"
    source["milestones"]["d30"]["goals"][0]["description"] += "\x00"
    source["milestones"]["d60"]["title"] = "Own\u2028a pipeline"
    (tmp_path / "roles").mkdir()
    (tmp_path / "roles" / "data-engineer.yaml").write_text(yaml.safe_dump(source))
    with pytest.raises(LibraryError) as refused:
        read_library(tmp_path)
    assert sorted(f"{p.place}: {p.message}" for p in refused.value.problems) == [
        "milestones.d30.goals[0].description: remove the NUL character (an invisible \\0) "
        "from the description; it cannot be saved",
        "milestones.d60.title: remove the line break from the title",
        "name: remove the line break from the name",
    ]


@pytest.mark.parametrize("who,path,drawn", [
    ("hire", "/plans/{plan}", ['maxlength="20000" name="note"', 'maxlength="500" name="win"']),
    ("hire", "/plans/{plan}/checkins/d30", ['maxlength="10000" name="self_assessment"',
                                            'maxlength="2000" name="goal-{goal}"']),
    ("admin", "/admin/plans/{plan}/edit", ['maxlength="160" name="title"',
                                           'maxlength="254" name="manager"']),
])
def test_the_browser_is_told_each_limit(app, client, world, who, path, drawn):
    login_as(client, app, f"{who}@example.com")
    page = client.get(path.format(**vars(world))).get_data(as_text=True)
    for attribute in drawn:
        assert attribute.format(**vars(world)) in page
