"""Events come from the real service calls, in the same transaction as the change they report,
to the endpoints that chose them and only those; ``plan.at_risk`` once per plan per day."""
from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa

from tests.factories import PlanFactory, cast, days_ago
from tests.webhook_receiver import Receiver
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.jobs.deliver import deliver
from tracker.models import (
    EvidenceKind,
    GoalOwner,
    Plan,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from tracker.services import checkins, goals, hires, plan_changes, webhooks
from tracker.services.progress import local_today
from tracker.webhooks.at_risk import emit_at_risk
from tracker.webhooks.events import SUBSCRIBABLE


def build_world(app):
    with app.app_context():
        people = cast("admin", "manager", "hire", "other_hire")
        plan = PlanFactory(hire=people.hire, manager=people.manager, start=days_ago(25))
        late = PlanFactory(hire=people.other_hire, manager=people.manager, start=days_ago(200))
        db.session.commit()
        return SimpleNamespace(plan=plan.id, late=late.id)


world = cached_world(build_world)


def person(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def endpoint(url: str, events: list[str], *, active: bool = True) -> int:
    admin = person("admin@example.com")
    made, _ = webhooks.create_endpoint(url, events, admin)
    if not active:
        webhooks.set_active(made, False, admin)
    db.session.commit()
    return made.id


def a_day_of_onboarding(world) -> None:
    """Every event a person causes, each through the service the page calls."""
    admin, hire, manager = (person(f"{who}@example.com") for who in ("admin", "hire", "manager"))
    hires.create_hire(name="Nia New", email="nia@example.com", timezone="UTC",
                      role="data-engineer", start=days_ago(-7),
                      manager_email="manager@example.com", actor=admin)
    db.session.commit()
    plan = db.session.get(Plan, world.plan)
    d30 = plan.milestones[0]
    first, second = [g for g in d30.goals
                     if g.owner == GoalOwner.HIRE and g.evidence_required][:2]
    for goal, approve in ((first, True), (second, False)):
        goals.submit_evidence(plan, goal, hire, kind=EvidenceKind.NOTE, note="Done, see notes.")
        db.session.commit()
        goals.review_goal(plan, goal, manager, approve=approve,
                          comment="" if approve else "Add the dashboard link.")
        db.session.commit()
    today = local_today(hire.timezone)
    checkins.save_hire_part(plan, d30, hire, today, self_assessment="Good month", went_well="",
                            blockers="", goal_notes={})
    checkins.save_manager_part(plan, d30, manager, today, assessment="Agreed",
                               rating="on_track", next_steps="")
    for signer in (hire, manager):
        db.session.flush()
        checkins.sign(plan, d30, signer, today,
                      checkins.content_digest(checkins.check_in_for(d30)))
    db.session.commit()
    plan_changes.set_status(plan, "completed", admin)
    db.session.commit()


def test_each_event_reaches_the_endpoints_that_chose_it_signed_and_in_order(app, world):
    with Receiver() as everything, Receiver() as approvals, Receiver() as off, \
            app.app_context():
        endpoint(everything.url, [e.value for e in SUBSCRIBABLE])
        endpoint(approvals.url, ["goal.approved"])
        endpoint(off.url, [e.value for e in SUBSCRIBABLE], active=False)
        a_day_of_onboarding(world)
        report = deliver()
        assert (report.sent, report.failed, report.skipped) == (8, 0, 0)
    events = [r.headers["X-Tracker-Event"] for r in everything.requests]
    assert events == ["hire.created", "evidence.submitted", "goal.approved",
                      "evidence.submitted", "goal.changes_requested", "checkin.signed",
                      "plan.completed"]
    assert [r.headers["X-Tracker-Event"] for r in approvals.requests] == ["goal.approved"]
    assert off.requests == []
    bodies = [json.loads(r.body) for r in everything.requests]
    assert bodies[1]["data"]["evidence"]["kind"] == "note"
    assert "note" not in bodies[1]["data"]["evidence"]  # the words stay in the tracker
    assert bodies[4]["data"]["reviewer"]["email"] == "manager@example.com"
    assert bodies[5]["data"]["checkin"]["milestone"] == "d30"
    assert bodies[6]["data"]["plan"]["status"] == "completed"
    assert all(b["data"]["plan"]["id"] for b in bodies)


def test_a_change_that_rolls_back_queues_nothing(app, world):
    with app.app_context():
        endpoint("http://127.0.0.1:9/hook", ["evidence.submitted"])
        plan = db.session.get(Plan, world.plan)
        goal = next(g for g in plan.milestones[0].goals
                    if g.owner == GoalOwner.HIRE and g.evidence_required)
        goals.submit_evidence(plan, goal, person("hire@example.com"), kind=EvidenceKind.NOTE,
                              note="Draft")
        assert db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id))) == 1
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id))) == 0


def test_a_plan_at_risk_is_told_once_a_day_while_it_lasts(app, world):
    with app.app_context():
        assert emit_at_risk(utcnow()) == 0  # nobody listens: nothing is even asked
        endpoint("http://127.0.0.1:9/hook", ["plan.at_risk"])
        now = utcnow()
        assert emit_at_risk(now) == 1  # the plan that started 200 days ago, goals all open
        assert emit_at_risk(now + timedelta(minutes=5)) == 0  # the next sweep, the same day
        assert emit_at_risk(now + timedelta(days=1)) == 1
        db.session.commit()
        rows = list(db.session.scalars(sa.select(WebhookDelivery)))
        assert {row.payload["data"]["plan"]["id"] for row in rows} == {world.late}
        assert rows[0].payload["data"]["reasons"] == ["overdue goals"]


def test_the_test_button_queues_a_ping_for_that_endpoint_alone(app, world):
    with Receiver() as receiver, Receiver() as other, app.app_context():
        chosen = endpoint(receiver.url, ["hire.created"])
        endpoint(other.url, ["hire.created"])
        webhooks.send_test(db.session.get(WebhookEndpoint, chosen),
                           person("admin@example.com"))
        db.session.commit()
        assert deliver().sent == 1
    assert [r.headers["X-Tracker-Event"] for r in receiver.requests] == ["ping"]
    assert other.requests == []


def test_the_commands_queue_at_risk_events_and_deliver_them(app, world, runner):
    """For deployments that run `tracker sweep` and the deliveries from cron."""
    with Receiver() as receiver:
        with app.app_context():
            endpoint(receiver.url, ["plan.at_risk"])
        swept = runner.invoke(args=["tracker", "sweep"])
        assert "queued 1 plan.at_risk webhook deliveries" in swept.output
        delivered = runner.invoke(args=["tracker", "webhooks", "deliver", "--once"])
        assert delivered.exit_code == 0, delivered.output
        assert delivered.output.startswith("delivered 1, failed 0")
    [received] = receiver.requests
    assert json.loads(received.body)["data"]["plan"]["id"] == world.late
