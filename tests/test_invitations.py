"""HR's "set your password" links: work once, expire, and say plainly why when they don't."""
import time
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tests.factories import make_user
from tracker.extensions import db
from tracker.models import User
from tracker.services.invitations import SALT, _fingerprint, invitation_token, issue_link


@pytest.fixture
def newcomer(app):
    with app.app_context():
        user = make_user("nia@example.com", name="Nia Newhire", password=None)
        db.session.commit()
        return user.id


def _token(app, user_id):
    with app.app_context():
        return invitation_token(db.session.get(User, user_id))


def test_the_link_sets_a_password_signs_in_and_works_once(app, client, newcomer):
    token = _token(app, newcomer)
    page = client.get(f"/welcome/{token}")
    assert page.status_code == 200 and "Welcome, Nia Newhire" in page.get_data(as_text=True)
    short = client.post(f"/welcome/{token}", data={"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "use at least 10 characters" in short.get_data(as_text=True)
    differ = client.post(f"/welcome/{token}", data={"password": "a long passphrase",
                                                   "confirm": "a long passphrasE"})
    assert differ.status_code == 422 and "the two passwords differ" in differ.get_data(as_text=True)
    done = client.post(f"/welcome/{token}", data={"password": "a long passphrase",
                                                 "confirm": "a long passphrase"})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/team").status_code == 200  # signed in
    with app.app_context():
        assert db.session.get(User, newcomer).check_password("a long passphrase")
    again = client.get(f"/welcome/{token}")
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)


def test_an_expired_or_altered_link_is_refused_with_the_reason(app, client, newcomer):
    class FifteenDaysAgo(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - 15 * 86400

    with app.app_context():
        user = db.session.get(User, newcomer)
        old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=SALT, signer=FifteenDaysAgo
                                     ).dumps({"user": user.id, "fp": _fingerprint(user)})
    expired = client.get(f"/welcome/{old}")
    assert expired.status_code == 410 and "has expired" in expired.get_data(as_text=True)
    token = _token(app, newcomer)
    altered = client.get(f"/welcome/{token[:-2]}xx")
    assert altered.status_code == 410 and "not valid" in altered.get_data(as_text=True)
    refused = client.post(f"/welcome/{old}", data={"password": "a long passphrase",
                                                  "confirm": "a long passphrase"})
    assert refused.status_code == 410
    with app.app_context():
        assert db.session.get(User, newcomer).password_hash is None


def test_a_deactivated_person_cannot_use_their_link(app, client, newcomer):
    token = _token(app, newcomer)
    with app.app_context():
        db.session.get(User, newcomer).active = False
        db.session.commit()
    assert client.get(f"/welcome/{token}").status_code == 410


def test_hr_gets_the_link_when_creating_a_hire_and_on_the_edit_page(app, client, library):
    import re

    from tests.conftest import login_as

    with app.app_context():
        make_user("hr@example.com", is_admin=True)
        make_user("maya@example.com")
        db.session.commit()
    login_as(client, app, "hr@example.com")
    created = client.post("/admin/hires/new", follow_redirects=True, data={
        "name": "Nia Newhire", "email": "nia@example.com", "timezone": "UTC",
        "role": "data-engineer", "start_date": (date.today() - timedelta(days=20)).isoformat(),
        "manager": "maya@example.com",
        "create": "Create hire and plan"})
    page = created.get_data(as_text=True)
    link = re.search(r"http://tracker.test/welcome/[\w.-]+", page).group(0)  # BASE_URL
    plan_id = re.search(r"/plans/(\d+)", created.request.path).group(1)
    edit = client.get(f"/admin/plans/{plan_id}/edit").get_data(as_text=True)
    assert "has not chosen a password yet" in edit and "/welcome/" not in edit  # no link on GET
    newcomer = app.test_client()
    assert newcomer.post(link.removeprefix("http://tracker.test"), data={
        "password": "a long passphrase", "confirm": "a long passphrase"}).status_code == 302
    assert "has a password" in client.get(f"/admin/plans/{plan_id}/edit").get_data(as_text=True)
    fresh = client.post(f"/admin/plans/{plan_id}/invitation", follow_redirects=True)
    assert re.search(r"http://tracker.test/welcome/[\w.-]+", fresh.get_data(as_text=True))
    with app.app_context():
        from tracker.models import AuditEvent

        issued = db.session.scalars(sa.select(AuditEvent.after).where(
            AuditEvent.action == "invitation.issued").order_by(AuditEvent.id)).all()
    assert [e["had_password"] for e in issued] == [False, True]


def test_a_rehire_after_leaving_starts_without_the_old_password_or_sessions(app, client, library):
    from tests.conftest import login_as

    with app.app_context():
        make_user("hr@example.com", is_admin=True)
        make_user("maya@example.com")
        leaver = make_user("back@example.com", name="Bo Back", active=False)
        old_token = leaver.session_token
        db.session.commit()
    login_as(client, app, "hr@example.com")
    created = client.post("/admin/hires/new", follow_redirects=True, data={
        "name": "Bo Back", "email": "back@example.com", "timezone": "UTC",
        "role": "data-engineer", "start_date": date.today().isoformat(),
        "manager": "maya@example.com", "create": "Create hire and plan"})
    page = created.get_data(as_text=True)
    assert "Welcome back" in page and "/welcome/" in page
    with app.app_context():
        back = db.session.scalar(sa.select(User).where(User.email == "back@example.com"))
        assert back.active and back.password_hash is None and back.session_token != old_token


@pytest.mark.parametrize("password,message", [
    ("aaaaaaaaaaaa", "more than a few different characters"),
    ("Password123", "lists guessers try first"),
    ("qwertyuiop", "lists guessers try first"),
    ("NIA@example.com-2026", "from your email address"),
])
def test_a_weak_password_is_refused_with_the_reason(app, client, newcomer, password, message):
    token = _token(app, newcomer)
    refused = client.post(f"/welcome/{token}", data={"password": password, "confirm": password})
    assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, newcomer).password_hash is None


def test_a_new_link_ends_the_older_ones_and_points_at_base_url(app, client, newcomer):
    with app.test_request_context(base_url="http://evil.example"):  # a forged Host header
        user = db.session.get(User, newcomer)
        first = issue_link(user)
        db.session.commit()
        second = issue_link(user)
        db.session.commit()
    assert first.startswith("http://tracker.test/welcome/")
    assert second.startswith("http://tracker.test/welcome/")
    path = lambda link: link.removeprefix("http://tracker.test")  # noqa: E731
    old = client.get(path(first))
    assert old.status_code == 410 and "a newer one replaced it" in old.get_data(as_text=True)
    assert client.get(path(second)).status_code == 200
