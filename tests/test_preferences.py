"""Email preferences: chosen when signed in or from an email's link, honoured by the dispatcher."""
import re
from types import SimpleNamespace

import sqlalchemy as sa

from tests.conftest import login_as
from tests.factories import PlanFactory, cast
from tests.outbox_data import queue
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.jobs.dispatch import dispatch
from tracker.models import AuditEvent, Notification, User
from tracker.models import NotificationStatus as S
from tracker.services.preferences import preferences_token


def build_world(app):
    with app.app_context():
        people = cast("manager", "hire")
        plan = PlanFactory(hire=people.hire, manager=people.manager)
        db.session.commit()
        return SimpleNamespace(plan=plan.id, hire=people.hire.id,
                               token=preferences_token(people.hire))


world = cached_world(build_world)


def preference(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).notification_preference


def test_choosing_fewer_emails_when_signed_in_shows_on_the_managers_team_page(app, client, world):
    login_as(client, app, "hire@example.com")
    page = client.get("/preferences").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="all"', page)
    refused = client.post("/preferences", data={"preference": "sometimes"})
    assert refused.status_code == 422 and "choose one of the options" in refused.get_data(as_text=True)
    saved = client.post("/preferences", data={"preference": "checkins"}, follow_redirects=True)
    assert "Saved: only check-in invitations." in saved.get_data(as_text=True)
    assert preference(app, world.hire) == "checkins"
    with app.app_context():
        change = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "preferences.changed"))
        assert (change.before, change.after) == ({"preference": "all"}, {"preference": "checkins"})
    login_as(client, app, "manager@example.com")
    assert "emails: check-ins only" in client.get("/team").get_data(as_text=True)


def test_the_link_in_an_email_works_without_signing_in_and_only_for_its_owner(app, client, world):
    page = client.get(f"/preferences/{world.token}")
    assert page.status_code == 200 and "hire@example.com" in page.get_data(as_text=True)
    assert client.post(f"/preferences/{world.token}", data={"preference": "digest"}).status_code == 302
    assert preference(app, world.hire) == "digest"
    assert client.get(f"/preferences/{world.token[:-3]}abc").status_code == 410
    assert client.get("/team").status_code == 302  # the link signed nobody in


def test_the_dispatcher_skips_what_someone_chose_not_to_get(app, world, smtp_server):
    with app.app_context():
        hire = db.session.get(User, world.hire)
        hire.notification_preference = "checkins"
        from tracker.models import Plan

        queue(db.session.get(Plan, world.plan), hire, 2)  # pulse prompts
        db.session.commit()
        report = dispatch()
        reasons = set(db.session.scalars(sa.select(Notification.skip_reason)))
        statuses = set(db.session.scalars(sa.select(Notification.status)))
    assert report.skipped == 2 and smtp_server.recorder.messages == []
    assert statuses == {S.SKIPPED} and reasons == {"the recipient chose: Only check-in invitations"}
