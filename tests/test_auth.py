"""Signing in and out: hashed passwords, safe redirects, revocable sessions, CSRF."""
import re

import pytest

from tests.conftest import login_as
from tests.factories import PASSWORD, make_user
from tracker import create_app
from tracker.extensions import db


@pytest.fixture
def person(app):
    with app.app_context():
        user = make_user("sam@example.com", name="Sam")
        db.session.commit()
        return user.email


def sign_in(client, email, password=PASSWORD, next_url=""):
    return client.post("/login", data={"email": email, "password": password, "next": next_url})


def test_login_page_renders_a_form(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert b'name="email"' in page.data and b'autocomplete="current-password"' in page.data


def test_sign_in_with_the_right_password_lands_on_the_home_page(client, person):
    response = sign_in(client, "  SAM@example.com ")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_keeps_the_email_and_says_what_is_wrong(client, person):
    response = sign_in(client, person, "wrong password")
    assert response.status_code == 422
    assert b"That email and password do not match an active account." in response.data
    assert b'value="sam@example.com"' in response.data
    assert client.get("/").status_code == 302


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, person):
    response = sign_in(client, "nobody@example.com")
    assert response.status_code == 422
    assert b"That email and password do not match an active account." in response.data


def test_a_deactivated_account_cannot_sign_in(app, client):
    with app.app_context():
        make_user("gone@example.com", active=False)
        db.session.commit()
    assert sign_in(client, "gone@example.com").status_code == 422


def test_next_is_followed_only_to_local_paths(client, person):
    assert sign_in(client, person, next_url="/admin/plans").headers["Location"] == "/admin/plans"
    client.post("/logout")
    assert sign_in(client, person, next_url="//evil.example/x").headers["Location"] == "/"


def test_protected_pages_send_anonymous_visitors_to_login_with_next(client):
    response = client.get("/plans/1")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logout_is_post_only(client, person):
    sign_in(client, person)
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_logout_everywhere_ends_sessions_on_other_devices(app, person):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, person)
    sign_in(phone, person)
    assert phone.get("/").status_code == 200
    laptop.post("/logout-everywhere")
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 302


def test_a_password_change_ends_existing_sessions(app, client, person):
    login_as(client, app, person)
    assert client.get("/").status_code == 200
    with app.app_context():
        from tracker.services.accounts import find_user

        find_user(person).set_password("a brand new password")
        db.session.commit()
    assert client.get("/").status_code == 302


def test_state_changes_need_a_csrf_token(tmp_path):
    app = create_app("testing", DATABASE_URL=f"sqlite:///{tmp_path / 'csrf.sqlite3'}",
                     WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        make_user("sam@example.com")
        db.session.commit()
    client = app.test_client()
    assert sign_in(client, "sam@example.com").status_code == 400  # no token: refused
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": "sam@example.com", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    client.post("/logout")  # without a token: still signed in
    assert client.get("/").status_code == 200
    home = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', home).group(1)
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/").status_code == 302
    with app.app_context():
        db.engine.dispose()
