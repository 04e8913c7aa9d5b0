"""Pulse check-ins: the schedule, the hire's answer, and the manager's trend chart."""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.conftest import login_as
from tests.factories import PlanFactory, UserFactory, cast, days_ago
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.models import Plan, PulseCheckIn
from tracker.services.pulses import due_pulse, schedule, trend_points


def build_world(app):
    with app.app_context():
        people = cast("manager", "buddy", "hire", "other_manager")
        plan = PlanFactory(hire=people.hire, manager=people.manager, buddy=people.buddy,
                           start=days_ago(25))
        fresh = PlanFactory(hire=UserFactory(email="new@example.com"), manager=people.manager,
                            start=date.today())
        db.session.commit()
        return SimpleNamespace(plan=plan.id, fresh=fresh.id)


world = cached_world(build_world)


def test_schedule_is_weekly_for_90_days_then_monthly(app, world):
    with app.app_context():
        plan = db.session.get(Plan, world.plan)
        plan.start_date = date(2026, 1, 5)
        days = [(d - plan.start_date).days for d in schedule(plan, until=date(2026, 7, 10))]
        assert days[:13] == list(range(7, 92, 7))  # day 91 is the last weekly one
        assert days[13:] == [121, 151, 181]
        plan.pulse_days_early, plan.pulse_days_late = 14, 60
        days = [(d - plan.start_date).days for d in schedule(plan, until=date(2026, 7, 10))]
        assert days == [14, 28, 42, 56, 70, 84, 98, 158]


def test_the_due_pulse_is_the_latest_one_on_or_before_today(app, world):
    with app.app_context():
        plan = db.session.get(Plan, world.plan)
        plan.start_date = date(2026, 1, 5)
        assert due_pulse(plan, date(2026, 1, 11)) is None
        assert due_pulse(plan, date(2026, 1, 12)) == date(2026, 1, 12)
        assert due_pulse(plan, date(2026, 1, 25)) == date(2026, 1, 19)  # an old one is not offered


def _answer(client, world, **data):
    return client.post(f"/plans/{world.plan}/pulse",
                       data={"confidence": "4", "blocker": "", "win": ""} | data)


def test_hire_answers_once_and_manager_sees_the_trend(app, client, world):
    login_as(client, app, "hire@example.com")
    page = client.get(f"/plans/{world.plan}").get_data(as_text=True)
    assert "How confident do you feel" in page
    assert _answer(client, world, blocker="Waiting on data access", win="First PR merged"
                   ).status_code == 302
    again = _answer(client, world)
    assert again.status_code == 422 and "already answered" in again.get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(sa.select(PulseCheckIn)).all()
        assert [(r.confidence, r.blocker, r.win) for r in rows] == [
            (4, "Waiting on data access", "First PR merged")]
        assert rows[0].due_on == date.today() - timedelta(days=25 - 21)
        db.session.add(PulseCheckIn(plan_id=world.plan, due_on=rows[0].due_on - timedelta(days=7),
                                    confidence=2))
        db.session.commit()
    page = client.get(f"/plans/{world.plan}").get_data(as_text=True)
    assert "How confident do you feel" not in page and "next pulse check-in opens" in page

    login_as(client, app, "manager@example.com")
    page = client.get(f"/plans/{world.plan}").get_data(as_text=True)
    assert page.count('class="trend-dot') == 2 and "<polyline" in page
    assert "latest 4 out of 5" in page and "Waiting on data access" in page


def test_bad_answers_are_refused_with_the_input_kept(app, client, world):
    login_as(client, app, "hire@example.com")
    refused = _answer(client, world, confidence="9", win="Met the team")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "from 1 to 5" in page and 'value="Met the team"' in page
    long = _answer(client, world, blocker="x" * 501)
    assert long.status_code == 422
    assert "the answer on what is in your way is 501 characters; the limit is 500" in (
        long.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PulseCheckIn)) == 0


def test_nothing_is_due_on_the_first_day(app, client, world):
    login_as(client, app, "new@example.com")
    page = client.get(f"/plans/{world.fresh}").get_data(as_text=True)
    assert "How confident" not in page and "next pulse check-in opens on" in page
    refused = client.post(f"/plans/{world.fresh}/pulse", data={"confidence": "3"})
    assert refused.status_code == 422 and "no pulse check-in is due yet" in refused.get_data(as_text=True)


@pytest.mark.parametrize("viewer,post,sees_chart", [
    ("manager", 403, True), ("buddy", 403, False), ("other.manager", 404, False), (None, 302, False),
])
def test_only_the_hire_answers_and_the_buddy_sees_no_pulses(app, client, world, viewer, post,
                                                             sees_chart):
    with app.app_context():
        db.session.add(PulseCheckIn(plan_id=world.plan, due_on=date.today(), confidence=3,
                                    blocker="private worry"))
        db.session.commit()
    if viewer:
        login_as(client, app, f"{viewer}@example.com")
    assert _answer(client, world).status_code == post
    page = client.get(f"/plans/{world.plan}").get_data(as_text=True)
    assert ("private worry" in page) == sees_chart and ('id="pulse"' in page) == sees_chart


def test_trend_points_put_5_at_the_top_and_1_at_the_bottom():
    pulses = [SimpleNamespace(due_on=date(2026, 1, 12), confidence=1),
              SimpleNamespace(due_on=date(2026, 1, 19), confidence=5),
              SimpleNamespace(due_on=date(2026, 2, 2), confidence=3)]
    points = trend_points(pulses, width=300, height=80, pad=8)
    assert [(p.x, p.y) for p in points] == [(8, 72), (102.7, 8), (292, 40)]
    single = trend_points(pulses[:1], width=300, height=80, pad=8)
    assert single[0].x == 150


def test_a_cadence_change_does_not_open_a_second_answer_for_the_same_period(app, client, world):
    login_as(client, app, "hire@example.com")
    assert _answer(client, world, confidence="4").status_code == 302  # the day-21 pulse
    with app.app_context():
        db.session.get(Plan, world.plan).pulse_days_early = 10  # now day 10, 20, 30...
        db.session.commit()
    again = _answer(client, world, confidence="1")
    assert again.status_code == 422 and "already answered" in again.get_data(as_text=True)
    assert "How confident" not in client.get(f"/plans/{world.plan}").get_data(as_text=True)
