"""Forgot my password: a one-hour, single-use link by email, the same answer for everyone."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_user
from tracker.extensions import db
from tracker.jobs.dispatch import dispatch
from tracker.models import Notification, PasswordReset, utcnow

NEW = "a fresh long passphrase"


@pytest.fixture
def person(app):
    with app.app_context():
        make_user("sam@example.com", name="Sam")
        make_user("gone@example.com", name="Gone", active=False)
        db.session.commit()
    return "sam@example.com"


def ask(client, email, address="10.0.0.1"):
    return client.post("/forgot-password", data={"email": email},
                       environ_base={"REMOTE_ADDR": address})


def emailed_link(app, smtp_server) -> str:
    with app.app_context():
        assert dispatch().sent == 1
    message = smtp_server.recorder.messages[-1]
    text = message.get_body(("plain",)).get_content()
    [link] = re.findall(r"http://tracker\.test/reset-password/\S+", text)
    assert "List-Unsubscribe" not in message  # an account email: nothing to unsubscribe from
    return link.removeprefix("http://tracker.test")


def choose(client, path, password=NEW, confirm=None):
    return client.post(path, data={"password": password, "confirm": confirm or password})


def queued(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Notification))


def test_the_link_by_email_sets_a_new_password_once(app, client, person, smtp_server):
    other_device = app.test_client()
    other_device.post("/login", data={"email": person, "password": PASSWORD})
    assert ask(client, person).status_code == 200
    path = emailed_link(app, smtp_server)
    assert client.get(path).status_code == 200
    response = choose(client, path)
    assert response.status_code == 302 and client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302  # every other session ended
    again = client.get(path)
    assert again.status_code == 410 and b"already been used" in again.data
    client.post("/logout")
    assert client.post("/login", data={"email": person, "password": PASSWORD}).status_code == 422
    assert client.post("/login", data={"email": person, "password": NEW}).status_code == 302


def test_known_and_unknown_addresses_get_the_same_answer(app, client, person):
    known = ask(client, person).get_data(as_text=True).replace(person, "X")
    unknown = ask(client, "nobody@example.com").get_data(as_text=True)
    gone = ask(client, "gone@example.com").get_data(as_text=True)
    strip = re.compile(r'name="csrf_token"[^>]*>|nonce="[^"]*"')
    assert strip.sub("", known) == strip.sub("", unknown.replace("nobody@example.com", "X")) \
        == strip.sub("", gone.replace("gone@example.com", "X"))
    assert queued(app) == 1  # only the real, active account gets an email


def test_only_a_hash_of_the_token_is_stored(app, client, person, smtp_server):
    ask(client, person)
    token = emailed_link(app, smtp_server).rsplit("/", 1)[1]
    with app.app_context():
        reset = db.session.scalars(sa.select(PasswordReset)).one()
        notification = db.session.scalars(sa.select(Notification)).one()
        assert reset.token_hash != token and token not in str(notification.payload)


def test_the_link_stops_working_after_an_hour(app, client, person, smtp_server):
    ask(client, person)
    path = emailed_link(app, smtp_server)
    with app.app_context():
        reset = db.session.scalars(sa.select(PasswordReset)).one()
        assert timedelta(minutes=59) < reset.expires_at - utcnow() <= timedelta(minutes=60)
        reset.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert choose(client, path).status_code == 410
    assert client.get("/").status_code == 302


def test_a_weak_or_mismatched_password_is_refused_and_the_link_still_works(
        app, client, person, smtp_server):
    ask(client, person)
    path = emailed_link(app, smtp_server)
    weak = choose(client, path, "aaaaaaaaaaaa")
    assert weak.status_code == 422 and b"different characters" in weak.data
    mine = choose(client, path, "sam@example.com-2026")
    assert mine.status_code == 422 and b"email address" in mine.data
    assert choose(client, path, NEW, "something else").status_code == 422
    assert choose(client, path).status_code == 302


def test_using_one_link_spends_every_other_open_link(app, client, person, smtp_server):
    ask(client, person)
    first = emailed_link(app, smtp_server)
    ask(client, person)
    second = emailed_link(app, smtp_server)
    assert choose(client, second).status_code == 302
    assert app.test_client().get(first).status_code == 410


def test_requests_are_throttled_like_sign_in(app, client, person):
    statuses = [ask(client, person).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert queued(app) == 3
    refused = ask(client, person)
    assert "Retry-After" in refused.headers and b"Too many attempts" in refused.data
    # The same limit for an address nobody has: the answer gives nothing away.
    assert [ask(client, "nobody@example.com").status_code for _ in range(4)][-1] == 429


def test_a_made_up_or_overlong_token_is_a_plain_410(client, person):
    for token in ("x", "a" * 64, "b" * 5000):
        response = client.get(f"/reset-password/{token}")
        assert response.status_code == 410 and b"Ask for a new link" in response.data


def test_an_empty_address_is_asked_for_again(client):
    response = client.post("/forgot-password", data={"email": ""})
    assert response.status_code == 422 and b"type your email address" in response.data


def test_the_sign_in_page_links_to_it(client):
    assert b'href="/forgot-password"' in client.get("/login").data
