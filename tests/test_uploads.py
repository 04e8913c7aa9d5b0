"""A file is kept only when the evidence it belongs to is saved: no refusal leaves one behind."""
from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import FileStorage

from tests.conftest import login_as
from tests.factories import make_plan, make_user
from tracker.extensions import db
from tracker.models import EvidenceKind, GoalOwner, GoalStatus, PlanGoal, PlanStatus
from tracker.services import goals, uploads


@pytest.fixture
def world(app, library):
    with app.app_context():
        hire, manager = make_user("hire@example.com"), make_user("manager@example.com")
        plan = make_plan(hire, manager, start=date.today() - timedelta(days=10))
        d30 = plan.milestones[0].goals
        needs = [g for g in d30 if g.owner == GoalOwner.HIRE and g.evidence_required]
        tick = next(g for g in d30 if g.owner == GoalOwner.HIRE and not g.evidence_required)
        goals.submit_evidence(plan, needs[1], hire, kind=EvidenceKind.NOTE, note="done")
        goals.review_goal(plan, needs[1], manager, approve=True, comment="")
        archived = make_plan(make_user(), manager)
        archived_goal = next(g for g in archived.milestones[0].goals
                             if g.owner == GoalOwner.HIRE and g.evidence_required)
        archived.status = PlanStatus.ARCHIVED
        db.session.commit()
        return SimpleNamespace(plan=plan.id, open=needs[0].id, approved=needs[1].id,
                               tick=tick.id, archived=archived.id,
                               archived_goal=archived_goal.id, archived_hire=archived.hire.email)


def files_in(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"])
    return sorted(folder.iterdir()) if folder.exists() else []


def post_file(client, plan_id, goal_id, content=b"%PDF-1.4 notes", name="notes.pdf", **extra):
    return client.post(f"/plans/{plan_id}/goals/{goal_id}/evidence",
                       content_type="multipart/form-data",
                       data={"kind": "file", "file": (io.BytesIO(content), name)} | extra)


REFUSALS = {
    "too big": lambda w, app: ("hire", w.plan, w.open, {"content": b"x" * (app.config["MAX_UPLOAD_BYTES"] + 1)}, 422),
    "empty": lambda w, app: ("hire", w.plan, w.open, {"content": b""}, 422),
    "wrong type": lambda w, app: ("hire", w.plan, w.open, {"name": "tool.exe"}, 422),
    "note too long": lambda w, app: ("hire", w.plan, w.open, {"note": "x" * 20_001}, 422),
    "goal already approved": lambda w, app: ("hire", w.plan, w.approved, {}, 422),
    "goal needs no evidence": lambda w, app: ("hire", w.plan, w.tick, {}, 422),
    "archived plan": lambda w, app: (w.archived_hire, w.archived, w.archived_goal, {}, 422),
    "not the owner": lambda w, app: ("manager", w.plan, w.open, {}, 403),
}


@pytest.mark.parametrize("refusal", REFUSALS)
def test_no_refusal_of_any_kind_leaves_a_file_behind(app, client, world, refusal):
    who, plan_id, goal_id, extra, status = REFUSALS[refusal](world, app)
    login_as(client, app, who if "@" in who else f"{who}@example.com")
    response = post_file(client, plan_id, goal_id, **extra)
    assert response.status_code == status
    assert files_in(app) == []


def test_accepted_evidence_keeps_exactly_its_file(app, client, world):
    login_as(client, app, "hire@example.com")
    assert post_file(client, world.plan, world.open).status_code == 302
    with app.app_context():
        goal = db.session.get(PlanGoal, world.open)
        [evidence] = goal.evidence
        assert goal.status == GoalStatus.SUBMITTED
    [kept] = files_in(app)
    assert kept.name == evidence.file_key and kept.read_bytes() == b"%PDF-1.4 notes"


def test_a_file_written_in_a_transaction_that_does_not_commit_is_removed(app, world):
    """The mechanism under every refusal: the session forgets files it did not commit."""
    upload = lambda: FileStorage(io.BytesIO(b"%PDF-1.4"), "a.pdf")  # noqa: E731
    with app.test_request_context():
        uploads.store(upload())
        assert len(files_in(app)) == 1
        db.session.rollback()
        assert files_in(app) == []
        uploads.store(upload())
        db.session.remove()  # a request torn down by an error page: no commit, no rollback call
        assert files_in(app) == []
        kept = uploads.store(upload())
        db.session.commit()
        assert [p.name for p in files_in(app)] == [kept.key]
