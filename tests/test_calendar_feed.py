"""The calendar feed (issue 12): a secret .ics address per person that calendar apps poll.

Every feed here is read back with the icalendar parser, as a calendar app would read it; dates
are moved through HR's own pages, and addresses are made and revoked through the person's.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from tests.conftest import count_queries, login_as
from tests.factories import PlanFactory, cast, days_ago, make_user
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    CalendarFeed,
    CheckIn,
    Plan,
    PlanGoal,
    PlanStatus,
    User,
    utcnow,
)
from tracker.services import calendar_feeds
from tracker.services.plan_changes import set_status


def build_world(app):
    with app.app_context():
        people = cast("admin", "manager", "other_manager", "hire", "other_hire", "buddy")
        plan = PlanFactory(hire=people.hire, manager=people.manager, buddy=people.buddy,
                           start=days_ago(25))
        other = PlanFactory(hire=people.other_hire, manager=people.other_manager)
        db.session.commit()
        return SimpleNamespace(plan=plan.id, other_plan=other.id,
                               ids={name: person.id for name, person in vars(people).items()})


world = cached_world(build_world)


def address_for(app, email: str) -> str:
    """A fresh address for ``email``, made by the service the page calls; returns its path."""
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        token = calendar_feeds.make_address(user)
        db.session.commit()
    return f"/calendar/{token}.ics"


def fetch(app, path: str) -> Calendar:
    response = app.test_client().get(path)
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.get_data())


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def due_dates(app, plan_id: int) -> dict[str, date]:
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        return {m.key.value: m.due_date for m in plan.milestones}


def test_a_hires_feed_holds_their_five_milestones_as_all_day_events(app, world):
    response = app.test_client().get(address_for(app, "hire@example.com"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"].startswith("private, max-age=")
    calendar = Calendar.from_ical(response.get_data())
    assert str(calendar["x-wr-calname"]) == "Onboarding: Hana Hire"
    assert str(calendar["method"]) == "PUBLISH"
    assert calendar["refresh-interval"].to_ical() == b"PT1H"
    assert calendar["x-published-ttl"].to_ical() == b"PT1H"
    found = events(calendar)
    dates = due_dates(app, world.plan)
    assert set(found) == {f"milestone-{world.plan}-{key}@tracker.test" for key in dates}
    for key, due in dates.items():
        event = found[f"milestone-{world.plan}-{key}@tracker.test"]
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert type(start) is date and start == due and end == due + timedelta(days=1)
        assert event["dtstart"].params["VALUE"] == "DATE"
        assert str(event["summary"]).startswith("Hana Hire: ")
        assert str(event["summary"]).endswith("milestone and check-in")
        description = str(event["description"])
        assert "Goals finished: 0 of " in description
        assert f"http://tracker.test/plans/{world.plan}/checkins/{key}" in description
        assert str(event["url"]) == f"http://tracker.test/plans/{world.plan}"
        assert int(event["sequence"]) == 0
        assert isinstance(event.decoded("dtstamp"), datetime)
    assert "30 days" in str(found[f"milestone-{world.plan}-d30@tracker.test"]["summary"])


def test_a_managers_feed_holds_their_reports_and_nobody_elses(app, world):
    with app.app_context():
        manager = db.session.get(User, world.ids["manager"])
        second = PlanFactory(hire=make_user("second@example.com", name="Sam Second"),
                             manager=manager)
        db.session.commit()
        second_id = second.id
    mine = {uid.split("-")[1] for uid in events(fetch(app, address_for(
        app, "manager@example.com")))}
    assert mine == {str(world.plan), str(second_id)}
    theirs = {uid.split("-")[1] for uid in events(fetch(app, address_for(
        app, "other.manager@example.com")))}
    assert theirs == {str(world.other_plan)}
    hires = {uid.split("-")[1] for uid in events(fetch(app, address_for(
        app, "hire@example.com")))}
    assert hires == {str(world.plan)}
    admins = fetch(app, address_for(app, "admin@example.com"))  # their own plans, none here
    assert events(admins) == {}


def test_the_buddy_sees_the_milestones_but_not_the_check_ins(app, world):
    found = events(fetch(app, address_for(app, "buddy@example.com")))
    assert len(found) == 5
    for event in found.values():
        assert not str(event["summary"]).endswith("check-in")
        assert "Check-in" not in str(event["description"])
        assert "/checkins/" not in str(event["description"])


def test_the_check_in_state_shows_for_the_hire_and_the_manager(app, world):
    with app.app_context():
        d30 = db.session.get(Plan, world.plan).milestones[0]
        db.session.add(CheckIn(milestone=d30, self_assessment="Good month",
                               manager_assessment="Agreed", hire_signed_at=utcnow(),
                               manager_signed_at=utcnow()))
        db.session.commit()
    found = events(fetch(app, address_for(app, "manager@example.com")))
    d30_event = found[f"milestone-{world.plan}-d30@tracker.test"]
    assert "Check-in: signed by both." in str(d30_event["description"])
    d60_event = found[f"milestone-{world.plan}-d60@tracker.test"]
    assert "Check-in: not started; it opens " in str(d60_event["description"])


def test_a_date_hr_moves_shows_in_the_feed_under_the_same_uid_with_a_newer_sequence(app, world):
    path = address_for(app, "hire@example.com")
    uid = f"milestone-{world.plan}-d60@tracker.test"
    with app.app_context():
        # LAST-MODIFIED has whole seconds: a plan made in the second of the move would tie.
        hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
        for model in (Plan, PlanGoal):
            db.session.execute(sa.update(model).values(created_at=hour_ago, updated_at=hour_ago))
        db.session.commit()
    before = events(fetch(app, path))[uid]
    with app.app_context():
        milestone = db.session.get(Plan, world.plan).milestones[1]
        milestone_id, moved_to = milestone.id, milestone.due_date + timedelta(days=9)
    admin = app.test_client()
    login_as(admin, app, "admin@example.com")
    response = admin.post(f"/admin/plans/{world.plan}/milestones/{milestone_id}/due-date",
                          data={f"m{milestone_id}-due_date": moved_to.isoformat(),
                                f"m{milestone_id}-reason": "Team offsite that week"})
    assert response.status_code == 302
    after = events(fetch(app, path))[uid]
    assert after.decoded("dtstart") == moved_to
    assert int(after["sequence"]) == int(before["sequence"]) + 1
    assert after.decoded("last-modified") > before.decoded("last-modified")

    # A new start date moves the dates nobody set by hand; those count a revision too.
    start = due_dates(app, world.plan)
    with app.app_context():
        new_start = db.session.get(Plan, world.plan).start_date + timedelta(days=7)
    assert admin.post(f"/admin/plans/{world.plan}/start-date",
                      data={"start_date": new_start.isoformat()}).status_code == 302
    again = events(fetch(app, path))
    moved = due_dates(app, world.plan)
    d30 = again[f"milestone-{world.plan}-d30@tracker.test"]
    assert d30.decoded("dtstart") == moved["d30"] != start["d30"]
    assert int(d30["sequence"]) == 1
    assert again[uid].decoded("dtstart") == moved_to and int(again[uid]["sequence"]) == 1


def test_finished_plans_leave_the_feed_and_come_back_when_reactivated(app, world):
    path = address_for(app, "manager@example.com")
    for status, expected in ((PlanStatus.COMPLETED, 0), (PlanStatus.ACTIVE, 5),
                             (PlanStatus.ARCHIVED, 0)):
        with app.app_context():
            set_status(db.session.get(Plan, world.plan), status)
            db.session.commit()
        assert len(events(fetch(app, path))) == expected


def test_a_new_address_revokes_the_old_one_and_turning_off_revokes_both(app, client, world):
    old = address_for(app, "hire@example.com")
    login_as(client, app, "hire@example.com")
    page = client.post("/calendar/address")
    assert page.status_code == 200
    new = re.search(r"http://tracker\.test(/calendar/[A-Za-z0-9_-]{43}\.ics)",
                    page.get_data(as_text=True)).group(1)
    assert f'href="webcal://tracker.test{new}"' in page.get_data(as_text=True)
    assert app.test_client().get(old).status_code == 404
    assert app.test_client().get(new).status_code == 200
    # Shown once: the preferences page says the feed is on, never what its address is.
    preferences = client.get("/preferences").get_data(as_text=True)
    assert "Your calendar feed is on" in preferences and new not in preferences
    assert "A calendar app last fetched it" in preferences
    assert client.post("/calendar/address/off").status_code == 302
    assert app.test_client().get(new).status_code == 404
    assert "Make my calendar address" in client.get("/preferences").get_data(as_text=True)
    assert client.post("/calendar/address/off", follow_redirects=True).status_code == 200
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.action.like("calendar.%")).order_by(AuditEvent.id)))
        assert actions == ["calendar.address_made", "calendar.address_made",
                           "calendar.turned_off"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarFeed)) == 0


def test_only_the_hash_is_kept_and_a_poll_is_noted_at_most_hourly(app, world):
    path = address_for(app, "hire@example.com")
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    fetch(app, path)
    with app.app_context():
        feed = db.session.scalar(sa.select(CalendarFeed))
        assert token not in feed.token_hash and feed.token_hash == calendar_feeds.token_hash(token)
        first = feed.last_used_at
        assert first is not None
    fetch(app, path)
    with app.app_context():
        assert db.session.scalar(sa.select(CalendarFeed)).last_used_at == first


@pytest.mark.parametrize("token", [
    "", "x", "A" * 43, "A" * 42 + "\x00", "A" * 5000, "../../etc/passwd", "A" * 42 + "é",
    "%00" * 20,
])
def test_a_wrong_token_is_a_plain_404(app, world, token):
    address_for(app, "hire@example.com")
    response = app.test_client().get(f"/calendar/{token}.ics")
    assert response.status_code == 404
    assert "calendar" not in response.get_data(as_text=True).lower()


def test_a_deactivated_persons_address_stops_answering(app, world):
    path = address_for(app, "manager@example.com")
    with app.app_context():
        db.session.get(User, world.ids["manager"]).active = False
        db.session.commit()
    assert app.test_client().get(path).status_code == 404


def test_the_feed_costs_the_same_queries_for_one_report_or_many(app, world):
    path = address_for(app, "manager@example.com")
    client = app.test_client()
    client.get(path)  # the poll is noted now; the counted ones write nothing
    with count_queries(app) as one:
        assert client.get(path).status_code == 200
    with app.app_context():
        manager = db.session.get(User, world.ids["manager"])
        for n in range(4):
            PlanFactory(hire=make_user(f"report{n}@example.com"), manager=manager)
        db.session.commit()
    with count_queries(app) as five:
        calendar = fetch(app, path)
    assert len(events(calendar)) == 25
    assert len(five) == len(one) <= 6, five


@pytest.mark.csrf_on
def test_making_and_turning_off_an_address_needs_the_forms_token(app, client, world):
    login_as(client, app, "hire@example.com")
    for path in ("/calendar/address", "/calendar/address/off"):
        refused = client.post(path)
        assert refused.status_code == 400 and "nothing was saved" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarFeed)) == 0
    page = client.get("/preferences").get_data(as_text=True)
    token = re.search(r'action="/calendar/address".*?name="csrf_token"(?: type="hidden")? '
                      r'value="([^"]+)"', page, re.S).group(1)
    made = client.post("/calendar/address", data={"csrf_token": token})
    assert made.status_code == 200 and "webcal://tracker.test/calendar/" in made.get_data(
        as_text=True)
    assert made.headers["Cache-Control"] == "no-store"  # the page with the secret is not kept
