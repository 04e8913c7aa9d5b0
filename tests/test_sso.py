"""Single sign-on against a real OpenID provider on loopback (tests/oidc_provider.py).

Every test walks the whole flow over HTTP: the app sends the browser to the provider, the
provider signs the person in and sends back a code, and the app exchanges it, checks the ID
token against the provider's published keys and finds the account HR made. Only the provider
is made to misbehave; nothing of the app is replaced.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa

from config import ConfigError, load_config
from tests.conftest import COMPILED_TEMPLATES, BufferedClient
from tests.factories import make_user
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, OTHER_CLIENT, LoopbackProvider
from tracker import create_app
from tracker.extensions import db
from tracker.models import AuditEvent, SignIn, User

BASE = "http://localhost"  # the test client's own host, so its cookies come back


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    provider = LoopbackProvider(tmp_path_factory.mktemp("provider"), BASE + "/login/sso/callback")
    yield provider
    provider.close()


def sso_app(database_url, provider, **settings):
    app = create_app("testing", DATABASE_URL=database_url, BASE_URL=BASE,
                     OIDC_ISSUER=provider.issuer, OIDC_CLIENT_ID=CLIENT_ID,
                     OIDC_CLIENT_SECRET=CLIENT_SECRET, OIDC_CA_BUNDLE=provider.ca_file,
                     OIDC_PROVIDER_NAME="Example ID", **settings)
    app.test_client_class = BufferedClient
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


@pytest.fixture
def app(database_url, provider):
    provider.reset()
    app = sso_app(database_url, provider)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def sam(app, provider):
    """Sam has an account from HR and is signed in at the provider with a verified address."""
    with app.app_context():
        make_user("sam@example.com", name="Sam")
        db.session.commit()
    provider.add_person("sam", "Sam@Example.com")
    provider.signed_in = "sam"
    return "sam@example.com"


def through_provider(client, provider, start: str = "/login/sso"):
    """The browser's part: to the provider, which consents at once, and back with the code."""
    to_provider = client.get(start)
    assert to_provider.status_code == 302, to_provider.get_data(as_text=True)
    assert to_provider.location.startswith(provider.issuer + "/authorize?")
    asked = parse_qs(urlsplit(to_provider.location).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["nonce"] and asked["state"]
    at_provider = requests.get(to_provider.location, allow_redirects=False,
                               verify=provider.ca_file, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == BASE + "/login/sso/callback"
    return back


def come_back(client, back, **change):
    query = {key: values[0] for key, values in parse_qs(back.query).items()} | change
    return client.get(back.path, query_string=query)


def sign_in_with_sso(client, provider, start: str = "/login/sso"):
    return come_back(client, through_provider(client, provider, start))


def signed_in(client) -> bool:
    response = client.get("/preferences")
    return response.status_code == 200


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_the_login_page_offers_the_provider_by_name(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Example ID" in page and 'name="password"' in page


def test_a_person_with_an_account_signs_in_and_lands_on_their_plans(app, client, provider, sam):
    response = sign_in_with_sso(client, provider)
    assert response.status_code == 302 and response.location == "/"
    assert signed_in(client)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == sam))
        assert user.oidc_subject == "sub-sam" and user.last_login_at is not None
    assert count(app, SignIn) == 1  # a server-side session, as a password sign-in makes
    assert count(app, AuditEvent, AuditEvent.action == "user.sso_linked") == 1


def test_signing_out_ends_the_single_sign_on_session_on_the_server(app, client, provider, sam):
    sign_in_with_sso(client, provider)
    client.post("/logout")
    assert not signed_in(client) and count(app, SignIn) == 0


def test_next_is_followed_to_local_paths_only(client, provider, sam):
    response = sign_in_with_sso(client, provider, "/login/sso?next=/preferences")
    assert response.location == "/preferences"
    client.post("/logout")
    response = sign_in_with_sso(client, provider, "/login/sso?next=//evil.example/x")
    assert response.location == "/"


def test_the_sign_in_button_carries_next_from_the_login_page(client):
    page = client.get("/login?next=/preferences").get_data(as_text=True)
    assert 'href="/login/sso?next=/preferences"' in page


def test_an_address_with_no_account_is_refused_and_no_account_is_made(app, client, provider):
    provider.add_person("stranger", "stranger@example.com")
    provider.signed_in = "stranger"
    response = sign_in_with_sso(client, provider)
    assert response.status_code == 403
    assert "ask HR" in response.get_data(as_text=True)
    assert count(app, User) == 0 and count(app, SignIn) == 0 and not signed_in(client)


def test_an_unverified_address_is_refused_even_when_it_has_an_account(app, client, provider, sam):
    provider.add_person("sam", sam, verified=False)
    response = sign_in_with_sso(client, provider)
    assert response.status_code == 403 and "has not verified" in response.get_data(as_text=True)
    assert not signed_in(client) and count(app, SignIn) == 0


def test_a_switched_off_account_is_refused(app, client, provider):
    with app.app_context():
        make_user("gone@example.com", active=False)
        db.session.commit()
    provider.add_person("gone", "gone@example.com")
    provider.signed_in = "gone"
    response = sign_in_with_sso(client, provider)
    assert response.status_code == 403 and "switched off" in response.get_data(as_text=True)
    assert not signed_in(client)


@pytest.mark.parametrize("azp", [None, CLIENT_ID])
def test_an_id_token_for_another_client_is_refused(client, provider, sam, azp):
    """Also when it names us as the authorized party: Authlib alone would accept that one."""
    provider.audience, provider.azp = OTHER_CLIENT, azp
    response = sign_in_with_sso(client, provider)
    assert response.status_code == 400 and not signed_in(client)


def test_an_expired_id_token_is_refused(client, provider, sam):
    provider.id_token_lifetime = -600  # well past the minute of clock difference allowed
    response = sign_in_with_sso(client, provider)
    assert response.status_code == 400 and not signed_in(client)


def test_an_id_token_signed_with_a_key_the_provider_does_not_publish_is_refused(
        client, provider, sam):
    provider.forge = True
    response = sign_in_with_sso(client, provider)
    assert response.status_code == 400 and not signed_in(client)


def test_an_id_token_naming_another_issuer_is_refused(client, provider, sam):
    provider.token_issuer = "https://id.evil.example"
    response = sign_in_with_sso(client, provider)
    assert response.status_code == 400 and not signed_in(client)


def test_an_id_token_with_another_nonce_is_refused(client, provider, sam):
    provider.nonce = "replayed-from-another-sign-in"
    response = sign_in_with_sso(client, provider)
    assert response.status_code == 400 and not signed_in(client)


def test_a_tampered_state_is_refused(client, provider, sam):
    back = through_provider(client, provider)
    response = come_back(client, back, state="not-the-state-we-sent")
    assert response.status_code == 400 and not signed_in(client)


def test_a_callback_in_another_browser_is_refused(app, client, provider, sam):
    """The code and state are worthless without the session that asked for them."""
    back = through_provider(client, provider)
    response = come_back(app.test_client(), back)
    assert response.status_code == 400


def test_a_callback_cannot_be_replayed(client, provider, sam):
    back = through_provider(client, provider)
    assert come_back(client, back).status_code == 302
    client.post("/logout")
    assert come_back(client, back).status_code == 400


def test_the_address_can_come_from_userinfo_when_the_id_token_leaves_it_out(client, provider, sam):
    provider.email_in_id_token = False
    assert sign_in_with_sso(client, provider).status_code == 302 and signed_in(client)


def test_a_changed_address_at_the_provider_still_finds_the_linked_account(
        app, client, provider, sam):
    sign_in_with_sso(client, provider)
    client.post("/logout")
    provider.add_person("sam", "samantha@new.example.com")  # same sub, new mailbox
    assert sign_in_with_sso(client, provider).status_code == 302 and signed_in(client)


def test_an_account_linked_to_another_person_at_the_provider_is_refused(
        app, client, provider, sam):
    sign_in_with_sso(client, provider)
    client.post("/logout")
    provider.add_person("impostor", sam, sub="sub-impostor")
    provider.signed_in = "impostor"
    response = sign_in_with_sso(client, provider)
    assert response.status_code == 403 and not signed_in(client)


def test_the_provider_refusing_is_a_plain_page_not_an_error(client, provider, sam):
    client.get("/login/sso")
    response = client.get("/login/sso/callback", query_string={
        "error": "access_denied", "error_description": "the user said no", "state": "x"})
    assert response.status_code == 400


def test_an_unreachable_provider_is_a_plain_page(database_url, provider):
    app = create_app("testing", DATABASE_URL=database_url, OIDC_ISSUER="https://127.0.0.1:9",
                     OIDC_CLIENT_ID="x", OIDC_CLIENT_SECRET="y", OIDC_TIMEOUT_SECONDS=2)
    response = app.test_client().get("/login/sso")
    assert response.status_code == 502 and "cannot be reached" in response.get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("query", [{"code": "x\x00y", "state": "\x00"}, {"state": "s" * 5000},
                                   {"code": "", "state": ""}, {"error": "\n"}, {}])
def test_hostile_callbacks_never_fail_the_server(client, query):
    assert client.get("/login/sso/callback", query_string=query).status_code == 400


class TestPasswordsOff:
    @pytest.fixture
    def app(self, database_url, provider):
        provider.reset()
        app = sso_app(database_url, provider, PASSWORD_SIGN_IN=False)
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    def test_the_login_page_offers_only_single_sign_on(self, client):
        page = client.get("/login").get_data(as_text=True)
        assert "Sign in with Example ID" in page
        assert 'name="password"' not in page and "Forgot your password" not in page

    def test_a_password_is_refused_even_the_right_one(self, client, sam):
        response = client.post("/login", data={"email": sam, "password": "correct horse battery"})
        assert response.status_code == 403 and not signed_in(client)
        from tests.factories import PASSWORD

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
