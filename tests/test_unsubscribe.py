"""One-click unsubscribe (RFC 8058), links that expire or are taken back, and forged links."""
import time
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tests.conftest import login_as
from tests.factories import PlanFactory, cast
from tests.outbox_data import queue
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.jobs.dispatch import dispatch
from tracker.models import AuditEvent, Plan, User
from tracker.services import invitations, preferences
from tracker.services.password_reset import request_reset


def build_world(app):
    with app.app_context():
        people = cast("manager", "hire")
        plan = PlanFactory(hire=people.hire, manager=people.manager)
        db.session.commit()
        return SimpleNamespace(plan=plan.id, hire=people.hire.id, email=people.hire.email,
                               token=preferences.preferences_token(people.hire))


world = cached_world(build_world)


def choice(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).notification_preference


def signed(app, salt, payload, *, days_ago=0):
    """A token made with the app's own key, as the app would have made it ``days_ago``."""
    class Then(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - days_ago * 86400

    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=salt, signer=Then).dumps(payload)


@pytest.mark.csrf_on
def test_a_mail_program_unsubscribes_with_one_post_and_no_form_token(app, world):
    client = app.test_client()  # no cookie, no CSRF token: what a mail provider sends
    response = client.post(f"/unsubscribe/{world.token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and b"You are unsubscribed" in response.data
    assert choice(app, world.hire) == "none"
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc())) \
            == "preferences.changed"


def test_opening_the_link_only_asks(app, client, world):
    page = client.get(f"/unsubscribe/{world.token}")
    assert page.status_code == 200 and b"Stop reminder emails?" in page.data
    assert choice(app, world.hire) == "all"


def test_after_unsubscribing_reminders_stop_but_password_links_still_come(app, world, smtp_server):
    app.test_client().post(f"/unsubscribe/{world.token}")
    with app.app_context():
        queue(db.session.get(Plan, world.plan), db.session.get(User, world.hire), 2)
        request_reset(world.email, "10.0.0.1")
        db.session.commit()
        report = dispatch()
    assert (report.sent, report.skipped) == (1, 2)
    [message] = smtp_server.recorder.messages
    assert "reset" in message["Subject"].lower()


def test_the_choice_is_on_the_preferences_page_too(app, client, world):
    login_as(client, app, world.email)
    assert b'value="none"' in client.get("/preferences").data
    client.post("/preferences", data={"preference": "none"})
    assert choice(app, world.hire) == "none"


@pytest.mark.parametrize("path", ["/unsubscribe/", "/preferences/"])
def test_a_link_older_than_its_lifetime_is_refused_with_a_way_forward(app, client, world, path):
    days = app.config["PREFERENCE_LINK_DAYS"]
    with app.app_context():
        hire = db.session.get(User, world.hire)
        payload = {"user": hire.id, "fp": preferences._fingerprint(hire)}
    fresh = signed(app, preferences.SALT, payload, days_ago=days - 1)
    stale = signed(app, preferences.SALT, payload, days_ago=days + 1)
    assert client.get(path + fresh).status_code == 200
    response = client.post(path + stale, data={"preference": "digest"})
    assert response.status_code == 410 and b"expired" in response.data
    assert b'href="/login"' in response.data
    assert choice(app, world.hire) == "all"


def test_signing_out_everywhere_takes_back_the_links_in_old_emails(app, client, world):
    login_as(client, app, world.email)
    client.post("/logout-everywhere")
    assert client.post(f"/unsubscribe/{world.token}").status_code == 410
    assert choice(app, world.hire) == "all"


def test_links_from_before_expiry_existed_no_longer_open(app, client, world):
    from itsdangerous import URLSafeSerializer

    old = URLSafeSerializer(app.config["SECRET_KEY"], salt="tracker.preferences").dumps(world.hire)
    assert client.get(f"/preferences/{old}").status_code == 410


ODD = [1, "1", [1], None, {}, {"user": "2"}, {"user": 2**70}, {"user": -1}, {"user": True},
       {"user": 0}, {"user": [2]}, {"user": {"id": 2}}, {"user": 2, "fp": 5}, {"user": 1.5}]


@pytest.mark.parametrize("payload", ODD, ids=repr)
def test_a_forged_link_with_an_odd_payload_is_refused_not_an_error(app, client, world, payload):
    """Someone holding the key (a leaked one, say) still cannot make the server fail."""
    links = [f"/preferences/{signed(app, preferences.SALT, payload)}",
             f"/unsubscribe/{signed(app, preferences.SALT, payload)}",
             f"/welcome/{signed(app, invitations.SALT, payload)}"]
    for link in links:
        assert client.get(link).status_code == 410, link
        assert client.post(link, data={"preference": "none", "password": "x",
                                       "confirm": "x"}).status_code == 410, link
    assert choice(app, world.hire) == "all"
