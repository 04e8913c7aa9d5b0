"""The sweep: which reminders are due, to whom, at 09:00 in whose zone, and only once.

Every test drives the real sweep against the real database with a simulated clock (``now``),
then reads the outbox rows it wrote.
"""
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.conftest import count_queries
from tests.factories import PlanFactory, UserFactory, cast, make_plan, make_user
from tests.worlds import cached_world
from tracker import create_app
from tracker.extensions import db
from tracker.jobs.sweep import sweep
from tracker.models import (
    EvidenceKind,
    GoalStatus,
    Notification,
    NotificationStatus,
    Plan,
    PlanStatus,
    PulseCheckIn,
    SweepSetting,
    User,
)
from tracker.reminders.next_due import fingerprint
from tracker.services.goals import submit_evidence
from tracker.services.plan_changes import add_custom_goal

UTC = timezone.utc


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def run(app, now: datetime, **kwargs) -> dict[str, int]:
    with app.app_context():
        result = sweep(now, **kwargs)
    assert result.failed == {}
    return result.counts


def outbox(app, kind: str | None = None) -> list[SimpleNamespace]:
    with app.app_context():
        query = sa.select(Notification).order_by(Notification.id)
        if kind:
            query = query.where(Notification.kind == kind)
        return [SimpleNamespace(key=n.dedupe_key, kind=n.kind, recipient=n.recipient_id,
                                plan=n.plan_id, status=n.status, send_after=n.send_after,
                                payload=n.payload, skip_reason=n.skip_reason)
                for n in db.session.scalars(query)]


def who(rows) -> set[tuple]:
    return {(row.plan, row.recipient) for row in rows}


@pytest.fixture
def configured(app):
    """A second app on the same database with other settings (the factory takes them)."""
    made = []

    def build(**overrides):
        other = create_app("testing", DATABASE_URL=app.config["DATABASE_URL"], **overrides)
        made.append(other)
        return other

    yield build
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def build_world(app):
    """Two plans starting Mon 5 Jan 2026 (30 days due Wed 4 Feb): one with a buddy and a
    manager in New York, one without a buddy, so its buddy goals belong to the manager."""
    with app.app_context():
        people = cast("manager", "buddy", "hire", manager={"timezone": "America/New_York"})
        solo_manager = UserFactory(email="solo.manager@example.com", name="Sam Solo-Manager")
        solo = UserFactory(email="solo@example.com", name="Sol Solo")
        admin = UserFactory(email="hr@example.com", name="Hen HR", is_admin=True)
        UserFactory(email="former.hr@example.com", is_admin=True, active=False)
        plan = PlanFactory(hire=people.hire, manager=people.manager, buddy=people.buddy)
        alone = PlanFactory(hire=solo, manager=solo_manager)
        db.session.commit()
        return SimpleNamespace(plan=plan.id, alone=alone.id, hire=people.hire.id,
                               manager=people.manager.id, buddy=people.buddy.id, solo=solo.id,
                               solo_manager=solo_manager.id, admin=admin.id)


world = cached_world(build_world)


def test_milestone_coming_up_goes_to_goal_owners_at_9_in_their_own_zone(app, world):
    assert "milestone_soon" not in run(app, at("2026-01-28 08:59"))
    assert run(app, at("2026-01-28 09:00"))["milestone_soon"] == 4
    rows = outbox(app, "milestone_soon")
    assert who(rows) == {(world.plan, world.hire), (world.plan, world.buddy),
                         (world.alone, world.solo), (world.alone, world.solo_manager)}
    run(app, at("2026-01-28 13:59"))
    assert (world.plan, world.manager) not in who(outbox(app, "milestone_soon"))
    run(app, at("2026-01-28 14:00"))  # 09:00 in New York
    rows = {(r.plan, r.recipient): r for r in outbox(app, "milestone_soon")}
    assert len(rows) == 5
    assert all(r.payload["days"] == 7 and r.key.endswith(":2026-01-28") for r in rows.values())
    assert rows[world.plan, world.manager].send_after == at("2026-01-28 14:00")
    # Buddy goals go to the buddy, or to the manager when the plan has no buddy.
    owners = lambda row: {g["owner"] for g in row.payload["goals"]}  # noqa: E731
    assert owners(rows[world.plan, world.buddy]) == {"buddy"}
    assert owners(rows[world.plan, world.manager]) == {"manager"}
    assert owners(rows[world.alone, world.solo_manager]) == {"manager", "buddy"}
    assert rows[world.plan, world.hire].key == (
        f"plan:{world.plan}:milestone:d30:milestone_soon:{world.hire}:2026-01-28")

    run(app, at("2026-02-03 14:00"))
    day_before = [r for r in outbox(app, "milestone_soon") if r.payload["days"] == 1]
    assert len(day_before) == 5 and all(r.key.endswith(":2026-02-03") for r in day_before)


def test_finished_goals_are_not_reminded_and_their_owner_gets_nothing(app, world):
    with app.app_context():
        plan = db.session.get(Plan, world.plan)
        for goal in plan.milestones[0].goals:
            if goal.owner.value == "buddy":
                goal.status = GoalStatus.DONE
        db.session.commit()
    run(app, at("2026-01-28 14:00"))
    assert (world.plan, world.buddy) not in who(outbox(app, "milestone_soon"))


def test_checkin_invitation_on_the_due_date_to_hire_and_manager(app, world):
    run(app, at("2026-02-03 23:00"))
    assert outbox(app, "checkin_invite") == []
    run(app, at("2026-02-04 09:00"))
    assert who(outbox(app, "checkin_invite")) == {
        (world.plan, world.hire), (world.alone, world.solo), (world.alone, world.solo_manager)}
    run(app, at("2026-02-04 14:00"))
    rows = outbox(app, "checkin_invite")
    assert who(rows) == {(world.plan, world.hire), (world.plan, world.manager),
                         (world.alone, world.solo), (world.alone, world.solo_manager)}
    assert {r.payload["role"] for r in rows if r.plan == world.plan} == {"hire", "manager"}


def test_overdue_goes_to_owners_then_the_manager_after_3_days_then_hr_after_7(app, world):
    with app.app_context():
        plan = db.session.get(Plan, world.plan)
        finished = next(g for g in plan.milestones[0].goals if g.owner.value == "hire")
        finished.status = GoalStatus.APPROVED
        finished_id = finished.id
        db.session.commit()

    run(app, at("2026-02-05 14:00"))  # Thu, the day after Wed 4 Feb
    first = outbox(app, "goal_overdue")
    assert {(r.plan, r.recipient, r.payload["stage"]) for r in first} == {
        (world.plan, world.hire, "owner"), (world.plan, world.buddy, "owner"),
        (world.plan, world.manager, "owner"), (world.alone, world.solo, "owner"),
        (world.alone, world.solo_manager, "owner")}
    assert all(finished_id not in {g["id"] for g in r.payload["goals"]} for r in first)

    run(app, at("2026-02-07 14:00"))  # +3 is a Saturday: the escalation waits for Monday
    assert len(outbox(app, "goal_overdue")) == 5
    run(app, at("2026-02-09 14:00"))
    managers = [r for r in outbox(app, "goal_overdue") if r.payload["stage"] == "manager"]
    assert who(managers) == {(world.plan, world.manager), (world.alone, world.solo_manager)}
    assert all(r.key.endswith(":2026-02-09") and r.payload["days"] == 5 for r in managers)
    mine = next(r for r in managers if r.plan == world.plan)
    assert {g["owner"] for g in mine.payload["goals"]} == {"hire", "manager", "buddy"}

    run(app, at("2026-02-11 08:59"))
    assert not [r for r in outbox(app, "goal_overdue") if r.payload["stage"] == "hr"]
    run(app, at("2026-02-11 09:00"))
    hr = [r for r in outbox(app, "goal_overdue") if r.payload["stage"] == "hr"]
    assert who(hr) == {(world.plan, world.admin), (world.alone, world.admin)}  # not the former HR


def test_owner_and_manager_stages_on_one_monday_make_one_message_the_escalation(app, world):
    with app.app_context():  # a buddy goal at 60 days, whatever the library has there
        plan = db.session.get(Plan, world.plan)
        add_custom_goal(plan, plan.milestones[1], title="Pair on a backfill", owner="buddy")
        db.session.commit()
    run(app, at("2026-03-09 14:00"))  # 60 days was due Fri 6 Mar: +1 and +3 both land Monday
    rows = [r for r in outbox(app, "goal_overdue") if r.payload["milestone"] == "d60"
            and r.plan == world.plan]
    assert {(r.recipient, r.payload["stage"]) for r in rows} == {
        (world.hire, "owner"), (world.buddy, "owner"), (world.manager, "manager")}
    assert all(r.key.endswith(":2026-03-09") for r in rows)


def test_pulse_prompt_on_each_pulse_date_unless_answered(app, world):
    run(app, at("2026-01-12 09:00"))
    assert who(outbox(app, "pulse_prompt")) == {(world.plan, world.hire), (world.alone, world.solo)}
    with app.app_context():
        db.session.add(PulseCheckIn(plan_id=world.plan, due_on=date(2026, 1, 19), confidence=4))
        db.session.commit()
    run(app, at("2026-01-19 09:00"))
    second = [r for r in outbox(app, "pulse_prompt") if r.payload["pulse_date"] == "2026-01-19"]
    assert who(second) == {(world.alone, world.solo)}


def test_review_waiting_more_than_2_business_days_is_one_message_per_manager(app, world):
    with app.app_context():
        plan = db.session.get(Plan, world.plan)
        hire = db.session.get(User, world.hire)
        goals = [g for g in plan.milestones[0].goals
                 if g.owner.value == "hire" and g.evidence_required][:2]
        for goal in goals:
            evidence = submit_evidence(plan, goal, hire, kind=EvidenceKind.NOTE, note="done")
            evidence.created_at = at("2026-01-12 15:00")  # Monday 10:00 in New York
        db.session.commit()
        ids = [g.id for g in goals]
    run(app, at("2026-01-15 13:59"))  # Thursday 08:59 in New York: 2 business days so far
    assert outbox(app, "review_waiting") == []
    assert run(app, at("2026-01-15 14:00"))["review_waiting"] == 1
    [row] = outbox(app, "review_waiting")
    assert row.recipient == world.manager and row.plan is None
    assert row.key == f"user:{world.manager}:review_waiting:2026-01-15"
    assert [g["id"] for g in row.payload["goals"]] == ids
    run(app, at("2026-01-15 20:00"))
    assert len(outbox(app, "review_waiting")) == 1  # once a day
    run(app, at("2026-01-16 14:00"))
    assert len(outbox(app, "review_waiting")) == 2


def test_weekly_digest_to_each_manager_with_active_reports(app, world):
    run(app, at("2026-01-12 14:00"))  # Monday 09:00 in New York
    rows = {r.recipient: r for r in outbox(app, "digest")}
    assert set(rows) == {world.manager, world.solo_manager}
    digest = rows[world.manager].payload
    assert [r["hire_name"] for r in digest["reports"]] == ["Hana Hire"]
    assert digest["reports"][0]["current"]["milestone"] == "d30"
    assert digest["week_start"] == "2026-01-12"
    run(app, at("2026-01-14 14:00"))
    assert len(outbox(app, "digest")) == 2


def test_welcome_goes_out_at_once_to_a_hire_without_a_password(app, library):
    with app.app_context():
        manager = make_user()
        new = make_user("new@example.com", password=None)
        known = make_user("known@example.com")
        fresh = make_plan(new, manager)
        other = make_plan(known, make_user())
        for plan in (fresh, other):
            plan.created_at = at("2026-01-20 15:30")
        db.session.commit()
        fresh_id = fresh.id
    assert run(app, at("2026-01-20 15:29")).get("welcome") is None
    assert run(app, at("2026-01-20 15:35"))["welcome"] == 1
    [row] = outbox(app, "welcome")
    assert (row.plan, row.send_after, row.key) == (
        fresh_id, at("2026-01-20 15:30"), f"plan:{fresh_id}:welcome:{row.recipient}")
    assert run(app, at("2026-01-21 15:35")).get("welcome") is None


def test_running_twice_inserts_nothing_new(app, world):
    first = run(app, at("2026-02-09 14:00"))
    count = len(outbox(app))
    assert sum(first.values()) == count > 10
    assert run(app, at("2026-02-09 14:00")) == {}
    assert run(app, at("2026-02-09 14:05")) == {}
    assert len(outbox(app)) == count


def test_a_key_already_in_the_outbox_is_left_alone_and_not_counted(app, world):
    """The insert itself skips existing keys (ON CONFLICT DO NOTHING), whatever the sweep read
    before: this row's send_after is outside what the sweep reads, as a row written by another
    scheduler for a recipient who has since changed zone would be."""
    key = f"plan:{world.plan}:milestone:d30:checkin_invite:{world.hire}:2026-02-04"
    with app.app_context():
        db.session.add(Notification(dedupe_key=key, kind="checkin_invite", recipient_id=world.hire,
                                    plan_id=world.plan, payload={"mine": True},
                                    send_after=at("2025-01-01 00:00")))
        db.session.commit()
    counts = run(app, at("2026-02-04 09:00"))
    assert counts["checkin_invite"] == 2  # the solo plan's hire and manager, not this one
    [row] = [r for r in outbox(app, "checkin_invite") if r.key == key]
    assert row.payload == {"mine": True}


def test_archived_plans_and_inactive_people_get_nothing(app, world):
    with app.app_context():
        db.session.get(Plan, world.alone).status = PlanStatus.ARCHIVED
        db.session.get(User, world.hire).active = False
        db.session.commit()
    run(app, at("2026-02-04 14:00"))
    rows = outbox(app)
    assert rows and not [r for r in rows if r.plan == world.alone]
    assert world.hire not in {r.recipient for r in rows}
    assert world.solo_manager not in {r.recipient for r in rows}  # no active reports left
    assert who(outbox(app, "checkin_invite")) == {(world.plan, world.manager)}


def test_dry_run_counts_and_writes_nothing(app, world):
    would = run(app, at("2026-02-09 14:00"), dry_run=True)
    assert would and outbox(app) == []
    assert run(app, at("2026-02-09 14:00")) == would


def test_weekend_reminders_wait_for_monday_and_coming_up_ones_move_to_friday(app, library):
    with app.app_context():
        hire = make_user("sunday@example.com", timezone="Europe/Berlin")
        plan_id = make_plan(hire, make_user(), start=date(2026, 3, 22)).id  # a Sunday
        db.session.commit()
        hire_id = hire.id
    run(app, at("2026-03-29 12:00"))  # Sunday: the first pulse is due, but not sent today
    assert outbox(app, "pulse_prompt") == []
    run(app, at("2026-03-30 07:00"))  # Monday 09:00 in Berlin (summer time since Sunday)
    [row] = outbox(app, "pulse_prompt")
    assert row.key == f"plan:{plan_id}:pulse_prompt:{hire_id}:2026-03-30"
    assert row.payload["pulse_date"] == "2026-03-29"
    run(app, at("2026-03-31 07:00"))
    assert len(outbox(app, "pulse_prompt")) == 1

    # 90 days is due Mon 22 Jun 2026: "1 day before" would be Sunday, so Friday it is.
    for day in ("2026-06-15", "2026-06-19", "2026-06-20", "2026-06-21", "2026-06-22"):
        run(app, at(f"{day} 07:00"))
    soon = [r for r in outbox(app, "milestone_soon") if r.payload["milestone"] == "d90"]
    assert {(r.key[-10:], r.payload["days"]) for r in soon} == {("2026-06-15", 7),
                                                                ("2026-06-19", 3)}


def test_hires_in_three_zones_get_each_reminder_at_9_local_once_across_dst(
        app, library, configured):
    """Berlin moves to summer time on Sun 29 Mar 2026, Sydney leaves it on Sun 5 Apr; the
    pulses fall on exactly those Sundays (weekends are not skipped here)."""
    zones = ("Australia/Sydney", "America/New_York", "Europe/Berlin")
    with app.app_context():
        manager = make_user("lead@example.com", timezone="Europe/London")
        hires = {make_user(f"{z.split('/')[1].lower()}@example.com", timezone=z).id: z
                 for z in zones}
        for hire_id in hires:
            make_plan(db.session.get(User, hire_id), manager, start=date(2026, 3, 22))
        db.session.commit()
    every_day = configured(REMINDER_SKIP_WEEKENDS=False)
    queued_at = {}
    now = at("2026-03-28 00:00")
    while now <= at("2026-04-07 00:00"):
        queued = run(every_day, now).get("pulse_prompt")
        if queued:
            queued_at[now] = queued
        now += timedelta(hours=1)

    rows = outbox(app)
    assert len({r.key for r in rows}) == len(rows)
    with app.app_context():
        zone_of = dict(db.session.execute(sa.select(User.id, User.timezone)).all())
    for row in rows:  # pulses, and the London manager's Monday digests
        local = row.send_after.astimezone(ZoneInfo(zone_of[row.recipient]))
        assert (local.hour, local.minute) == (9, 0)
        assert row.key.endswith(local.date().isoformat())
    pulses = outbox(app, "pulse_prompt")
    for hire_id, name in hires.items():
        mine = sorted(r.send_after.astimezone(ZoneInfo(name)).replace(tzinfo=None)
                      for r in pulses if r.recipient == hire_id)
        assert mine == [datetime(2026, 3, 29, 9), datetime(2026, 4, 5, 9)], name
    # Each went out from the first hourly sweep at or after 09:00 local, never twice.
    assert sorted(queued_at) == sorted(r.send_after for r in pulses)
    assert set(queued_at.values()) == {1}
    assert at("2026-03-29 07:00") in queued_at  # 09:00 CEST, the first day of summer time
    assert at("2026-04-04 23:00") in queued_at  # 09:00 AEST, the first day of winter time


def test_after_72_hours_down_missed_reminders_go_once_and_older_ones_are_stale(app, world):
    down_at = at("2026-02-02 12:00")  # Monday
    run(app, down_at)
    before = {r.key for r in outbox(app)}
    back = down_at + timedelta(hours=72)  # Thursday 12:00
    counts = run(app, back)
    missed = [r for r in outbox(app) if r.key not in before]
    assert len({r.key for r in missed}) == len(missed) == sum(counts.values())
    stale = [r for r in missed if r.status == NotificationStatus.SKIPPED_STALE]
    fresh = [r for r in missed if r.status == NotificationStatus.PENDING]
    assert all(r.send_after < back - timedelta(hours=48) and r.skip_reason for r in stale)
    assert all(r.send_after >= back - timedelta(hours=48) and not r.skip_reason for r in fresh)
    kinds = lambda rows: {(r.kind, r.payload.get("days")) for r in rows}  # noqa: E731
    assert ("milestone_soon", 1) in kinds(stale)  # Tue 3 Feb 09:00: 51 hours ago
    assert {("checkin_invite", None), ("goal_overdue", 1)} <= kinds(fresh)
    assert counts["skipped_stale"] == len(stale)
    assert run(app, back) == {}
    assert run(app, back + timedelta(minutes=5)) == {}


def _company(count: int, start: date) -> None:
    """``count`` plans like the ones people have: buddy, evidence waiting, a new account."""
    zones = ("UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney")
    for n in range(count):
        manager = make_user(timezone=zones[n % 4])
        hire = make_user(timezone=zones[(n + 1) % 4], password=None)
        plan = make_plan(hire, manager, buddy=make_user(), start=start)
        plan.created_at = at("2026-02-09 10:00")
        goal = next(g for g in plan.milestones[0].goals
                    if g.owner.value == "hire" and g.evidence_required)
        submit_evidence(plan, goal, hire, kind=EvidenceKind.NOTE, note="see the notebook")
        goal.evidence[0].created_at = at("2026-02-02 10:00")
    db.session.commit()


def test_sweep_cost_in_statements_does_not_grow_with_the_number_of_plans(
        app, library, configured):
    now = at("2026-02-09 16:00")  # a Monday, a week after the 30-day milestone
    week = configured(REMINDER_STALE_HOURS=7 * 24)  # so that every rule sends something
    with week.app_context():
        _company(3, date(2026, 1, 5))
        # The settings' fingerprint is kept by the first sweep ever; not what is measured here.
        db.session.add(SweepSetting(id=1, fingerprint=fingerprint(week.config)))
        db.session.commit()
    with count_queries(week) as small:
        few = run(week, now)
    with app.app_context():
        db.session.execute(sa.delete(Notification))
        db.session.execute(sa.update(Plan).values(next_reminder_at=None))  # all read again
        _company(9, date(2026, 1, 5))
    with count_queries(week) as large:
        many = run(week, now)
    assert set(few) == set(many) >= {"welcome", "milestone_soon", "checkin_invite",
                                     "goal_overdue", "pulse_prompt", "review_waiting",
                                     "digest"}
    assert many["digest"] == 12 and few["digest"] == 3
    assert len(large) == len(small)
