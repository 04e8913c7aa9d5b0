"""Dates at the ends of the calendar, already in the database, never make a page answer 500.

New due dates are bounded where they are entered (services/plan_changes.LATEST_DUE), but old
rows and hand edits are not, so each page that shows a plan is opened here with a due date in
the year 9999 (and one in the year 1) and a daily pulse, written straight into the tables.
"""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.conftest import login_as
from tests.factories import PlanFactory, cast
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.models import MilestoneKey, Plan, PlanMilestone
from tracker.services.pulses import due_pulse, next_pulse, schedule

FAR = {"year-9999": (MilestoneKey.M12, date(9999, 12, 31)),
       "year-1": (MilestoneKey.D60, date(1, 1, 1))}


def build_world(app):
    with app.app_context():
        people = cast("admin", "manager", "buddy", "hire")
        plan = PlanFactory(hire=people.hire, manager=people.manager, buddy=people.buddy,
                           start=date.today() - timedelta(days=40))
        db.session.commit()
        return SimpleNamespace(plan=plan.id)


world = cached_world(build_world)


@pytest.fixture(params=sorted(FAR))
def far(request, app, world):
    """The plan with one milestone at a far date and a pulse every day, past every service."""
    key, due = FAR[request.param]
    with app.app_context():
        db.session.execute(sa.update(PlanMilestone)
                           .where(PlanMilestone.plan_id == world.plan, PlanMilestone.key == key)
                           .values(due_date=due))
        db.session.execute(sa.update(Plan).where(Plan.id == world.plan)
                           .values(pulse_days_early=1, pulse_days_late=1))
        db.session.commit()
    return SimpleNamespace(key=key, due=due)


@pytest.mark.parametrize("viewer", ["hire", "manager", "buddy", "admin"])
def test_the_plan_page_answers_for_everyone(app, client, world, far, viewer):
    login_as(client, app, f"{viewer}@example.com")
    page = client.get(f"/plans/{world.plan}")
    assert page.status_code == 200
    assert f"{far.due.year}" in page.get_data(as_text=True)


@pytest.mark.parametrize("viewer, path", [
    ("hire", "/"), ("manager", "/"), ("manager", "/team"), ("manager", "/reviews"),
    ("admin", "/admin/plans"), ("admin", "/admin/plans/{plan}/edit"),
    ("hire", "/plans/{plan}/checkins/{key}"), ("manager", "/plans/{plan}/checkins/{key}"),
    ("admin", "/admin/outbox"), ("admin", "/admin/outbox?preview=1"),
])
def test_every_page_that_shows_the_plan_answers(app, client, world, far, viewer, path):
    login_as(client, app, f"{viewer}@example.com")
    response = client.get(path.format(plan=world.plan, key=far.key.value),
                          follow_redirects=True)
    assert response.status_code == 200


def test_the_pulse_schedule_is_worked_out_without_walking_every_day(app, world, far):
    """A daily pulse up to the year 9999 is three million dates; the page needs two of them."""
    with app.app_context():
        plan = db.session.get(Plan, world.plan)
        today = date.today()
        assert due_pulse(plan, today) == today
        assert next_pulse(plan, today) == today + timedelta(days=1)
        assert schedule(plan, until=today + timedelta(days=2))[-3:] == [
            today, today + timedelta(days=1), today + timedelta(days=2)]


@pytest.mark.parametrize("early, late, start_offset", [
    (7, 30, 0), (1, 1, 0), (13, 5, 3), (90, 7, 0), (91, 1, 0), (200, 2, 0), (0, 0, 0),
    (30, 90, 5), (45, 45, 400),
])
def test_the_worked_out_schedule_matches_walking_it_day_by_day(app, world, early, late,
                                                               start_offset):
    """The rule, walked the slow way: each step is ``early`` days while the day reached is
    under day 90, then ``late`` days; a cadence under 1 counts as 1."""
    with app.app_context():
        plan = db.session.get(Plan, world.plan)
        plan.pulse_days_early, plan.pulse_days_late = early, late
        plan.start_date = date(2026, 1, 5) - timedelta(days=start_offset)
        until = plan.start_date + timedelta(days=500)
        walked, day = [], plan.start_date
        while True:
            step = early if (day - plan.start_date).days < 90 else late
            day += timedelta(days=max(1, step))
            if day > until:
                break
            walked.append(day)
        assert schedule(plan, until=until) == walked
        for today in (plan.start_date, plan.start_date + timedelta(days=89),
                      plan.start_date + timedelta(days=90), walked[len(walked) // 2], until):
            past = [d for d in walked if d <= today]
            assert due_pulse(plan, today) == (past[-1] if past else None)
        db.session.rollback()


def test_business_days_are_counted_as_walking_them_would():
    from tracker.reminders.window import business_days_after

    def walked(start, end):
        days, day = 0, start
        while day < end:
            day += timedelta(days=1)
            days += day.weekday() < 5
        return days

    monday = date(2026, 1, 5)
    for offset in range(7):
        start = monday + timedelta(days=offset)
        for length in range(-3, 40):
            end = start + timedelta(days=length)
            assert business_days_after(start, end) == walked(start, end), (start, end)
    assert business_days_after(date(1, 1, 1), date(9999, 12, 31)) == walked(
        date(9990, 1, 1), date(9999, 12, 31)) + business_days_after(date(1, 1, 1),
                                                                    date(9990, 1, 1))
