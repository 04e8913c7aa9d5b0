"""Failed sign-ins are throttled per account and per address, in the shared database."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_user
from tracker import create_app
from tracker.extensions import db
from tracker.models import ThrottleEvent


@pytest.fixture
def person(app):
    with app.app_context():
        make_user("sam@example.com", name="Sam")
        make_user("kim@example.com", name="Kim")
        db.session.commit()
    return "sam@example.com"


def attempt(client, email, password="wrong password", address="10.0.0.1", **headers):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def age_events(app, minutes: int) -> None:
    """Move every counted attempt back in time, as if the window had passed."""
    with app.app_context():
        for event in db.session.scalars(sa.select(ThrottleEvent)):
            event.occurred_at -= timedelta(minutes=minutes)
        db.session.commit()


def events(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(ThrottleEvent))


def test_thirty_wrong_passwords_then_the_right_one_does_not_sign_in(app, client, person):
    statuses = [attempt(client, person).status_code for _ in range(30)]
    assert statuses == [422] * 5 + [429] * 25
    refused = attempt(client, person, PASSWORD)
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 15 * 60
    page = refused.get_data(as_text=True)
    assert "Too many attempts" in page and "Wait 15 minutes" in page
    assert 'value="sam@example.com"' in page  # the form keeps what was typed
    assert client.get("/").status_code == 302


def test_refused_attempts_are_not_counted_so_the_wait_never_grows(app, client, person):
    for _ in range(40):
        attempt(client, person)
    assert events(app) == 5 * 2  # five failures, each against the account and the address
    age_events(app, 15)
    assert attempt(client, person, PASSWORD).status_code == 302


def test_the_count_is_shared_by_every_web_process(app, person, database_url):
    """A second app on the same database (another gunicorn worker) sees the same count."""
    for _ in range(5):
        attempt(app.test_client(), person)
    other = create_app("testing", DATABASE_URL=database_url)
    try:
        assert attempt(other.test_client(), person, PASSWORD).status_code == 429
    finally:
        with other.app_context():
            db.engine.dispose()


def test_one_address_is_throttled_across_accounts(app, client, person):
    app.config.update(SIGN_IN_ADDRESS_ATTEMPTS=3)
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        assert attempt(client, email).status_code == 422
    assert attempt(client, "kim@example.com", PASSWORD).status_code == 429
    assert attempt(client, "kim@example.com", PASSWORD, address="10.0.0.2").status_code == 302


def test_a_successful_sign_in_clears_the_account_count(app, client, person):
    for _ in range(4):
        attempt(client, person)
    assert attempt(client, person, PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(4):
        assert attempt(client, person).status_code == 422


def test_the_table_holds_no_email_or_address_in_the_clear(app, client, person):
    attempt(client, person)
    with app.app_context():
        keys = db.session.scalars(sa.select(ThrottleEvent.key_hash)).all()
    assert len(keys) == 2 and all(len(k) == 64 and "@" not in k and "10.0" not in k for k in keys)


def test_a_forged_forwarded_for_header_does_not_dodge_the_limit(app, client, person):
    """Without a proxy configured, X-Forwarded-For is the client's own words and is ignored."""
    for n in range(6):
        response = attempt(client, person, **{"X-Forwarded-For": f"192.0.2.{n}"})
    assert response.status_code == 429


def test_behind_a_proxy_the_forwarded_address_is_counted(database_url, person):
    app = create_app("testing", DATABASE_URL=database_url, PROXY_COUNT=1,
                     SIGN_IN_ADDRESS_ATTEMPTS=2)
    client = app.test_client()
    try:
        for email in ("a@example.com", "b@example.com"):
            attempt(client, email, **{"X-Forwarded-For": "198.51.100.7"})
        kim = ("kim@example.com", PASSWORD)
        blocked = attempt(client, *kim, **{"X-Forwarded-For": "198.51.100.7"})
        other = attempt(client, *kim, **{"X-Forwarded-For": "198.51.100.8"})
        assert (blocked.status_code, other.status_code) == (429, 302)
    finally:
        with app.app_context():
            db.engine.dispose()
