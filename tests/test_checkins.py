"""Milestone check-ins over HTTP: both halves, both signatures, then a read-only record."""
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.conftest import login_as
from tests.factories import PlanFactory, cast, days_ago, make_user
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.models import AuditEvent, CheckIn, CheckInRating, Plan, PlanStatus


def build_world(app):
    with app.app_context():
        people = cast("manager", "buddy", "hire", "other_hire", "admin")
        # Day 25: the 30-day check-in is open, the 60-day one opens 14 days before day 60.
        plan = PlanFactory(hire=people.hire, manager=people.manager, buddy=people.buddy,
                           start=days_ago(25))
        db.session.commit()
        d30, d60 = plan.milestones[0], plan.milestones[1]
        return SimpleNamespace(plan=plan.id, goals=[g.id for g in d30.goals],
                               later_goal=d60.goals[0].id)


world = cached_world(build_world)


def url(world, key="d30", part=""):
    return f"/plans/{world.plan}/checkins/{key}" + (f"/{part}" if part else "")


def sign(client, world, key="d30"):
    """Sign as the page showed it: the form carries a digest of what was on screen."""
    page = client.get(url(world, key)).get_data(as_text=True)
    seen = re.search(r'name="seen"[^>]*value="([0-9a-f]+)"', page)
    return client.post(url(world, key, "sign"), data={"seen": seen.group(1) if seen else ""})


def stored(app, world, key="d30"):
    with app.app_context():
        return db.session.scalar(sa.select(CheckIn).join(CheckIn.milestone)
                                 .where(CheckIn.milestone.has(plan_id=world.plan, key=key)))


def fill_both(app, client, world):
    login_as(client, app, "hire@example.com")
    assert client.post(url(world, part="hire"), data={
        "self_assessment": "Settled in; shipped my first fix.", "went_well": "Pairing",
        "blockers": "GPU quota", f"goal-{world.goals[0]}": "Accounts all work"}).status_code == 302
    login_as(client, app, "manager@example.com")
    assert client.post(url(world, part="manager"), data={
        "manager_assessment": "Strong start.", "rating": "on_track",
        "next_steps": "Own the nightly eval job"}).status_code == 302


def test_both_halves_then_both_signatures_make_a_read_only_record(app, client, world):
    fill_both(app, client, world)
    checkin = stored(app, world)
    assert checkin.goal_notes == {str(world.goals[0]): "Accounts all work"}
    assert checkin.rating == CheckInRating.ON_TRACK and not checkin.is_signed

    assert sign(client, world).status_code == 302  # the manager
    login_as(client, app, "hire@example.com")
    page = client.get(url(world)).get_data(as_text=True)
    assert "Waiting for a signature" in page and "Strong start." in page
    assert sign(client, world).status_code == 302
    assert stored(app, world).is_signed

    page = client.get(url(world)).get_data(as_text=True)
    assert "Signed by both" in page and "<textarea" not in page and "data-print" in page
    refused = client.post(url(world, part="hire"), data={"self_assessment": "rewrite history"})
    assert refused.status_code == 422 and "can no longer change" in refused.get_data(as_text=True)
    assert stored(app, world).self_assessment == "Settled in; shipped my first fix."
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.action.like("checkin.%")).order_by(AuditEvent.id)).all()
    assert actions == ["checkin.hire_saved", "checkin.manager_saved", "checkin.signed",
                       "checkin.signed"]


def test_plan_page_lists_the_check_in_history(app, client, world):
    fill_both(app, client, world)
    page = client.get(f"/plans/{world.plan}").get_data(as_text=True)
    assert 'id="checkins"' in page and "In progress" in page and "Ready to start" not in page
    assert page.count("check-in</a>") == 5 and "Opens " in page


def test_signing_needs_both_halves_written(app, client, world):
    login_as(client, app, "hire@example.com")
    client.post(url(world, part="hire"), data={"self_assessment": "Fine so far"})
    refused = client.post(url(world, part="sign"))
    assert refused.status_code == 422
    assert "before signing, add the manager&#39;s assessment, a rating" in refused.get_data(as_text=True)
    assert stored(app, world).hire_signed_at is None


def test_a_change_after_a_signature_clears_both_signatures(app, client, world):
    fill_both(app, client, world)
    sign(client, world)  # the manager signs
    login_as(client, app, "hire@example.com")
    answer = client.post(url(world, part="hire"), data={"self_assessment": "Changed my mind"},
                         follow_redirects=True)
    assert "cleared the signatures" in answer.get_data(as_text=True)
    assert stored(app, world).manager_signed_at is None
    assert sign(client, world).status_code == 302
    assert "Sign this check-in" not in client.get(url(world)).get_data(as_text=True)
    from tracker.services.checkins import content_digest

    with app.app_context():  # a second signature, even with a current digest, is refused
        seen = content_digest(db.session.get(CheckIn, stored(app, world).id))
    twice = client.post(url(world, part="sign"), data={"seen": seen})
    assert twice.status_code == 422 and "already signed" in twice.get_data(as_text=True)


def test_refusals_keep_what_was_typed(app, client, world):
    login_as(client, app, "manager@example.com")
    refused = client.post(url(world, part="manager"), data={
        "manager_assessment": "Careful words", "rating": "superb"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "choose on track, at risk or off track" in page
    assert "Careful words" in page
    too_long = client.post(url(world, part="manager"), data={"manager_assessment": "x" * 10_001})
    assert too_long.status_code == 422
    assert "the assessment is 10,001 characters; the limit is 10,000" in too_long.get_data(
        as_text=True)
    assert stored(app, world) is None


def test_a_check_in_opens_two_weeks_before_its_milestone(app, client, world):
    login_as(client, app, "hire@example.com")
    page = client.get(url(world, "d60")).get_data(as_text=True)
    assert "This check-in opens on" in page and "<textarea" not in page
    refused = client.post(url(world, "d60", "hire"), data={"self_assessment": "early"})
    assert refused.status_code == 422 and "opens on" in refused.get_data(as_text=True)


def test_notes_for_goals_of_other_milestones_are_ignored(app, client, world):
    login_as(client, app, "hire@example.com")
    client.post(url(world, part="hire"), data={"self_assessment": "ok",
                                               f"goal-{world.later_goal}": "sneaky"})
    assert stored(app, world).goal_notes == {}


def test_an_archived_plan_closes_its_check_ins(app, client, world):
    with app.app_context():
        db.session.get(Plan, world.plan).status = PlanStatus.ARCHIVED
        db.session.commit()
    login_as(client, app, "hire@example.com")
    refused = client.post(url(world, part="hire"), data={"self_assessment": "late"})
    assert refused.status_code == 422 and "archived" in refused.get_data(as_text=True)


@pytest.mark.parametrize("viewer,get,hire_part,manager_part,sign", [
    ("hire", 200, 302, 403, 422),
    ("manager", 200, 403, 302, 422),
    ("admin", 200, 403, 403, 403),
    ("buddy", 403, 403, 403, 403),
    ("other.hire", 404, 404, 404, 404),
    (None, 302, 302, 302, 302),
])
def test_who_may_open_and_change_a_check_in(app, client, world, viewer, get, hire_part,
                                            manager_part, sign):
    if viewer:
        login_as(client, app, f"{viewer}@example.com")
    assert client.get(url(world)).status_code == get
    assert client.post(url(world, part="hire"), data={"self_assessment": "x"}).status_code == hire_part
    assert client.post(url(world, part="manager"),
                       data={"manager_assessment": "x"}).status_code == manager_part
    assert client.post(url(world, part="sign")).status_code == sign
    assert client.get(f"/plans/{world.plan}/checkins/d45").status_code == 404  # no such milestone


def test_the_buddy_sees_no_check_in_or_pulse_activity(app, client, world):
    def feed(viewer):
        login_as(client, app, f"{viewer}@example.com")
        page = client.get(f"/plans/{world.plan}").get_data(as_text=True)
        return page.split('id="activity-heading"')[1]

    fill_both(app, client, world)
    login_as(client, app, "hire@example.com")
    client.post(f"/plans/{world.plan}/pulse", data={"confidence": "2"})
    hires_feed = feed("hire")
    assert "saved their self-assessment" in hires_feed and "answered a pulse" in hires_feed
    buddys_feed = feed("buddy")
    assert "created the plan" in buddys_feed
    assert "self-assessment" not in buddys_feed and "pulse" not in buddys_feed


def test_a_signature_is_refused_when_the_words_changed_since_the_page_was_read(app, client, world):
    fill_both(app, client, world)
    login_as(client, app, "hire@example.com")
    page = client.get(url(world)).get_data(as_text=True)
    seen = re.search(r'name="seen"[^>]*value="(\w+)"', page).group(1)
    manager = app.test_client()
    login_as(manager, app, "manager@example.com")
    manager.post(url(world, part="manager"), data={
        "manager_assessment": "Underperforming.", "rating": "off_track"})
    assert sign(manager, world).status_code == 302
    stale = client.post(url(world, part="sign"), data={"seen": seen})
    assert stale.status_code == 422 and "changed since you opened it" in stale.get_data(as_text=True)
    assert stored(app, world).hire_signed_at is None
    assert sign(client, world).status_code == 302 and stored(app, world).is_signed


def test_saving_the_same_words_keeps_signatures_and_the_audit_keeps_every_change(app, client, world):
    fill_both(app, client, world)  # signed in as the manager afterwards
    sign(client, world)
    again = client.post(url(world, part="manager"), data={
        "manager_assessment": "Strong start.", "rating": "on_track",
        "next_steps": "Own the nightly eval job"}, follow_redirects=True)
    assert "cleared the signatures" not in again.get_data(as_text=True)
    assert stored(app, world).manager_signed_at is not None
    client.post(url(world, part="manager"), data={
        "manager_assessment": "Strong start.", "rating": "at_risk",
        "next_steps": "Own the nightly eval job"})
    with app.app_context():
        saves = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "checkin.manager_saved").order_by(AuditEvent.id)).all()
        assert len(saves) == 2  # the unchanged save wrote nothing
        assert saves[0].after["manager_assessment"] == "Strong start."
        assert (saves[1].before, saves[1].after["rating"]) == ({"rating": "on_track"}, "at_risk")
        assert saves[1].after["signatures_cleared"] is True


def test_the_record_names_who_wrote_and_signed_even_after_the_manager_changes(app, client, world):
    from tracker.services.accounts import find_user

    fill_both(app, client, world)
    sign(client, world)
    login_as(client, app, "hire@example.com")
    sign(client, world)
    with app.app_context():
        db.session.get(Plan, world.plan).manager = make_user("ned@example.com", name="Ned New")
        db.session.commit()
        maya = find_user("manager@example.com")
        assert stored(app, world).manager_signed_by_id == maya.id
    page = client.get(url(world)).get_data(as_text=True)
    assert "Manager’s assessment <span class=\"muted\">· Maya Manager" in page
    assert "Maya Manager (manager): signed" in page and "Ned New (manager)" not in page
