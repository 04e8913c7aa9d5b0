"""Passwords switched off (PASSWORD_SIGN_IN=false), and the settings single sign-on refuses
to start with: nobody may end up with no way in, or with a half-configured provider."""
from __future__ import annotations

import pytest

from config import ConfigError, load_config
from tests.factories import PASSWORD, make_plan, make_user
from tests.sso_support import sam_account, serve_provider, sign_in_with_sso, signed_in, sso_app
from tracker import create_app
from tracker.extensions import db
from tracker.mail.render import render
from tracker.models import Notification, utcnow


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    yield from serve_provider(tmp_path_factory)


@pytest.fixture
def app(database_url, provider):
    with sso_app(database_url, provider, PASSWORD_SIGN_IN=False) as app:
        yield app


@pytest.fixture
def sam(app, provider):
    return sam_account(app, provider)


class TestPasswordsOff:
    def test_the_login_page_offers_only_single_sign_on(self, client):
        page = client.get("/login").get_data(as_text=True)
        assert "Sign in with Example ID" in page
        assert 'name="password"' not in page and "Forgot your password" not in page

    def test_a_password_is_refused_even_the_right_one(self, client, sam):
        response = client.post("/login", data={"email": sam, "password": "correct horse battery"})
        assert response.status_code == 403 and not signed_in(client)
        response = client.post("/login", data={"email": sam, "password": PASSWORD})
        assert response.status_code == 403 and not signed_in(client)

    @pytest.mark.parametrize("path", ["/forgot-password", "/reset-password/abc",
                                      "/welcome/abc"])
    def test_password_pages_say_single_sign_on_is_in_use(self, client, path):
        assert "Passwords are not used here" in client.get(path).get_data(as_text=True)
        assert client.post(path, data={"email": "sam@example.com"}).status_code == 403

    def test_single_sign_on_still_signs_people_in(self, client, provider, sam):
        assert sign_in_with_sso(client, provider).status_code == 302 and signed_in(client)

    def test_create_admin_still_bootstraps_an_account_for_single_sign_on(
            self, app, client, provider, monkeypatch):
        monkeypatch.setenv("TRACKER_ADMIN_PASSWORD", "a long unguessable phrase 42")
        result = app.test_cli_runner().invoke(args=["tracker", "create-admin",
                                                    "boss@example.com"])
        assert result.exit_code == 0, result.output
        provider.add_person("boss", "boss@example.com")
        provider.signed_in = "boss"
        assert sign_in_with_sso(client, provider).location == "/"
        assert signed_in(client)


    def test_the_welcome_email_says_to_sign_in_with_the_provider(self, app, client, library):
        with app.app_context():
            hire = make_user("hana@example.com", password=None)
            plan = make_plan(hire, make_user())
            notification = Notification(recipient=hire, plan=plan, kind="welcome",
                                        dedupe_key="welcome:sso", payload={}, send_after=utcnow())
            db.session.add(notification)
            db.session.flush()
            rendered = render(notification, hire, plan)
            db.session.rollback()
        assert "sign in with Example ID" in rendered.text and "password" not in rendered.text
        assert "/login/sso" in rendered.html


def test_without_oidc_settings_the_routes_do_not_exist(database_url):
    app = create_app("testing", DATABASE_URL=database_url)
    client = app.test_client()
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback").status_code == 404
    assert "Sign in with" not in client.get("/login").get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


SSO = {"OIDC_ISSUER": "https://id.example.com", "OIDC_CLIENT_ID": "tracker",
       "OIDC_CLIENT_SECRET": "s3cret"}


@pytest.mark.parametrize("environ,message", [
    ({"PASSWORD_SIGN_IN": "false"}, "PASSWORD_SIGN_IN is off but single sign-on is not set up"),
    ({"OIDC_ISSUER": "https://id.example.com"}, "needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"),
    (SSO | {"OIDC_CLIENT_SECRET": ""}, "needs OIDC_CLIENT_SECRET"),
    (SSO | {"OIDC_ISSUER": "id.example.com"}, "is not an http"),
])
def test_a_sign_in_setup_nobody_could_use_refuses_to_start(environ, message):
    with pytest.raises(ConfigError, match=message):
        load_config("development", environ=environ)


def test_production_wants_the_provider_on_https():
    production = {"SECRET_KEY": "s", "DATABASE_URL": "sqlite://"}
    with pytest.raises(ConfigError, match="must use https"):
        load_config("production", environ=production | SSO | {"OIDC_ISSUER": "http://id.local"})
    values = load_config("production", environ=production | SSO | {"PASSWORD_SIGN_IN": "0"})
    assert values["PASSWORD_SIGN_IN"] is False and values["OIDC_ISSUER"] == SSO["OIDC_ISSUER"]
