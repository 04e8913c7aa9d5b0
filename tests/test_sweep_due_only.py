"""The sweep reads only plans with something due (issue 10), and sends exactly what a sweep
that reads every plan sends: same keys, same statuses, same instants, over months of ticks."""
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from tests.factories import make_plan, make_user
from tracker.extensions import db
from tracker.jobs.sweep import sweep
from tracker.models import GoalStatus, Notification, Plan, PlanMilestone, SweepSetting
from tracker.reminders.next_due import NEVER
from tracker.reminders.plan import planned
from tracker.services.plans import change_start_date

UTC = timezone.utc
START = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
ZONES = ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kolkata", "America/Denver"]


def company(app) -> list[int]:
    """Eight plans: staggered starts, time zones from UTC+14 to UTC-11, some goals done."""
    with app.app_context():
        ids = []
        for n in range(8):
            manager = make_user(timezone=ZONES[n % 5])
            hire = make_user(timezone=ZONES[(n + 2) % 5], password=None if n % 3 else "a pass")
            plan = make_plan(hire, manager, buddy=make_user() if n % 2 else None,
                             start=date(2025, 12, 1) + timedelta(days=9 * n))
            plan.created_at = START - timedelta(days=2)
            if n % 4 == 0:
                plan.pulse_days_early = 3
            for goal in plan.milestones[0].goals[: n % 4]:
                goal.status = GoalStatus.DONE
            ids.append(plan.id)
        db.session.commit()
        return ids


def ticks(days: int, every_hours: int):
    now = START
    while now < START + timedelta(days=days):
        yield now
        now += timedelta(hours=every_hours)


def outbox_rows(app) -> set[tuple]:
    with app.app_context():
        return set(db.session.execute(sa.select(
            Notification.dedupe_key, Notification.status, Notification.send_after)).all())


def forget(app) -> None:
    with app.app_context():
        db.session.execute(sa.delete(Notification))
        db.session.execute(sa.update(Plan).values(next_reminder_at=None))
        db.session.execute(sa.delete(SweepSetting))
        db.session.commit()


def run_all(app, read_all: bool, days=150, every_hours=11) -> tuple[set, int]:
    reads = 0
    for now in ticks(days, every_hours):
        with app.app_context():
            if not read_all:
                reads += len(planned(now).read)
            assert sweep(now, read_all=read_all).failed == {}
            db.session.commit()
    return outbox_rows(app), reads


def test_reading_only_what_is_due_sends_exactly_what_reading_everything_sends(app, library):
    company(app)
    due_only, reads = run_all(app, read_all=False)
    forget(app)
    everything, _ = run_all(app, read_all=True)
    assert len(everything) > 150  # months of reminders of every kind
    assert due_only == everything
    ticks_run = len(list(ticks(150, 11)))
    assert reads < 8 * ticks_run / 4, reads  # a plan is read when one of its messages is due


def test_a_swept_plan_is_not_read_again_until_its_time(app, library):
    [plan_id, *_] = company(app)
    now = START + timedelta(days=3)
    with app.app_context():
        assert len(planned(now).read) == 8  # nothing known yet: every plan is read
        sweep(now)
        db.session.commit()
        assert list(planned(now + timedelta(minutes=5)).read) == []
        nexts = dict(db.session.execute(sa.select(Plan.id, Plan.next_reminder_at)).all())
    assert all(now < when < NEVER for when in nexts.values())
    with app.app_context():
        later = min(nexts.values())
        assert list(planned(later).read) == [
            i for i, when in sorted(nexts.items()) if when <= later]


def test_a_moved_date_or_a_new_state_brings_the_plan_back(app, library):
    plan_ids = company(app)
    now = START + timedelta(days=3)
    with app.app_context():
        sweep(now)
        db.session.commit()
        plan = db.session.get(Plan, plan_ids[0])
        change_start_date(plan, plan.start_date + timedelta(days=14))
        db.session.commit()
        assert list(planned(now).read) == [plan_ids[0]]
        sweep(now)
        db.session.commit()
        # A milestone moved on its own (its plan not loaded), as a script might.
        db.session.expunge_all()
        milestone = db.session.scalar(sa.select(PlanMilestone).where(
            PlanMilestone.plan_id == plan_ids[1]).limit(1))
        milestone.due_date += timedelta(days=1)
        db.session.commit()
        assert list(planned(now).read) == [plan_ids[1]]


def test_a_new_time_zone_brings_the_persons_plans_back(app, library):
    plan_ids = company(app)
    now = START + timedelta(days=3)
    with app.app_context():
        sweep(now)
        db.session.commit()
        hire = db.session.get(Plan, plan_ids[2]).hire
        hire.timezone = "Asia/Tokyo"
        db.session.commit()
        assert list(planned(now).read) == [plan_ids[2]]


def test_changed_reminder_settings_read_every_plan_once(app, library, tmp_path):
    from tracker import create_app

    company(app)
    now = START + timedelta(days=3)
    with app.app_context():
        sweep(now)
        db.session.commit()
    other = create_app("testing", DATABASE_URL=app.config["DATABASE_URL"],
                       REMIND_MILESTONE_DAYS="14,7,1")
    try:
        with other.app_context():
            assert sweep(now, dry_run=True).failed == {}
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Plan).where(
                Plan.next_reminder_at.is_(None))) == 0  # a dry run changes nothing
            sweep(now)
            db.session.commit()
            assert list(planned(now + timedelta(minutes=5)).read) == []
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_parked_plans_send_exactly_what_reading_everything_sends(app, library):
    """A plan starting weeks ahead, made long ago, and one whose road ended are given a time
    by the sweep (not left to be asked about on every sweep); over 90 days the outbox is the
    same, key for key, as reading every plan each time, and the future hire's reminders are
    in it."""
    plan_ids = company(app)
    with app.app_context():
        future = make_plan(make_user(timezone="Pacific/Kiritimati"), make_user(),
                           start=(START + timedelta(days=40)).date())
        future.created_at = START - timedelta(days=60)
        ended = db.session.get(Plan, plan_ids[0])
        for milestone in ended.milestones:
            milestone.due_date = date(2025, 1, 1)
        ended.created_at = START - timedelta(days=400)
        db.session.commit()
        future_id, future_start = future.id, future.start_date
    with app.app_context():  # the first sweep parks both
        assert sweep(START, dry_run=True).failed == {}
        work = planned(START, remember=True)
        assert future_id not in work.read and plan_ids[0] not in work.read
    due_only, _ = run_all(app, read_all=False, days=90)
    with app.app_context():
        assert db.session.get(Plan, plan_ids[0]).next_reminder_at == NEVER
    forget(app)
    everything, _ = run_all(app, read_all=True, days=90)
    assert due_only == everything
    assert any(f"plan:{future_id}:" in key for key, *_ in everything)
    forget(app)
    with app.app_context():  # parked: read on the day the window first reaches its start
        sweep(START)
        db.session.commit()
        parked = db.session.get(Plan, future_id).next_reminder_at
        assert START < parked < datetime.combine(future_start, datetime.min.time(), UTC)
        assert future_id not in planned(parked - timedelta(minutes=5)).read
        assert future_id in planned(parked).read


def test_a_plan_whose_road_has_ended_is_parked_until_it_changes(app, library):
    """A running plan whose every milestone is long past is not read by any window, so it
    never got a time and every sweep asked about it again; the sweep now gives it NEVER, and
    a moved date brings it back like any other plan."""
    plan_ids = company(app)
    now = START + timedelta(days=3)
    with app.app_context():
        ended = db.session.get(Plan, plan_ids[0])
        for milestone in ended.milestones:
            milestone.due_date = date(2025, 1, 1)
        ended.created_at = START - timedelta(days=400)
        db.session.commit()
        sweep(now)
        db.session.commit()
        assert db.session.get(Plan, plan_ids[0]).next_reminder_at == NEVER
        assert plan_ids[0] not in planned(now + timedelta(days=1)).read
        ended = db.session.get(Plan, plan_ids[0])
        ended.milestones[-1].due_date = (now + timedelta(days=7)).date()
        db.session.commit()
        assert db.session.get(Plan, plan_ids[0]).next_reminder_at is None
        assert plan_ids[0] in planned(now).read
        sweep(now)
        db.session.commit()
        assert now < db.session.get(Plan, plan_ids[0]).next_reminder_at < NEVER
