"""Signing out ends that session on the server: copies of its cookies stop working too."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_user
from tracker.extensions import db
from tracker.models import SignIn, utcnow


@pytest.fixture
def person(app):
    with app.app_context():
        make_user("sam@example.com", name="Sam")
        db.session.commit()
    return "sam@example.com"


def sign_in(client, email, remember=False):
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302
    return response


def copy_cookies(app, source, names):
    """Another browser holding copies of ``source``'s cookies (say, stolen ones)."""
    thief = app.test_client()
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def rows(app) -> list[SignIn]:
    with app.app_context():
        return db.session.scalars(sa.select(SignIn)).all()


def test_after_sign_out_a_copied_session_cookie_no_longer_opens_pages(app, client, person):
    sign_in(client, person)
    thief = copy_cookies(app, client, ["session"])
    assert thief.get("/").status_code == 200
    client.post("/logout")
    assert thief.get("/").status_code == 302
    assert rows(app) == []


def test_after_sign_out_the_remember_cookie_no_longer_signs_in(app, client, person):
    sign_in(client, person, remember=True)
    stolen = client.get_cookie("remember_token").value  # the 30-day cookie alone
    before = app.test_client()
    before.set_cookie("remember_token", stolen)
    assert before.get("/").status_code == 200
    client.post("/logout")
    after = app.test_client()
    after.set_cookie("remember_token", stolen)
    assert after.get("/").status_code == 302


def test_signing_out_on_one_device_leaves_the_others_signed_in(app, person):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, person)
    sign_in(phone, person)
    laptop.post("/logout")
    assert phone.get("/").status_code == 200
    assert laptop.get("/").status_code == 302
    assert len(rows(app)) == 1


def test_sign_out_everywhere_removes_every_session(app, person):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, person, remember=True)
    sign_in(phone, person)
    laptop.post("/logout-everywhere")
    assert phone.get("/").status_code == 302 and rows(app) == []


def test_the_cookie_carries_a_random_token_stored_only_as_a_hash(app, client, person):
    sign_in(client, person)
    with client.session_transaction() as session:
        token = session["_user_id"]
    [row] = rows(app)
    assert token not in (row.token_hash, str(row.user_id)) and len(row.token_hash) == 64
    with app.app_context():
        from tracker.services.accounts import find_user

        assert token != find_user(person).session_token


def test_an_expired_session_is_signed_out(app, client, person):
    sign_in(client, person)
    with app.app_context():
        row = db.session.scalars(sa.select(SignIn)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/").status_code == 302


def test_a_session_in_use_is_extended_once_past_half_its_life(app, client, person):
    sign_in(client, person)
    [row] = rows(app)
    idle = timedelta(hours=app.config["SIGN_IN_IDLE_HOURS"])
    assert idle - timedelta(minutes=1) < row.expires_at - utcnow() <= idle
    client.get("/")
    assert rows(app)[0].expires_at == row.expires_at  # early in its life: no write
    with app.app_context():
        stored = db.session.get(SignIn, row.id)
        stored.expires_at = utcnow() + timedelta(hours=1)
        db.session.commit()
    assert client.get("/").status_code == 200
    assert rows(app)[0].expires_at - utcnow() > idle - timedelta(minutes=1)


def test_remembered_sessions_last_as_long_as_the_cookie(app, client, person):
    sign_in(client, person, remember=True)
    [row] = rows(app)
    days = app.config["REMEMBER_COOKIE_DURATION"] / 86400
    assert row.remember and abs((row.expires_at - utcnow()).days - days) <= 1


def test_a_new_sign_in_clears_the_accounts_ended_sessions(app, person):
    first = app.test_client()
    sign_in(first, person)
    with app.app_context():
        row = db.session.scalars(sa.select(SignIn)).one()
        row.expires_at = utcnow() - timedelta(days=1)
        db.session.commit()
    sign_in(app.test_client(), person)
    assert len(rows(app)) == 1
