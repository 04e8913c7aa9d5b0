"""Single sign-on against a real OpenID provider on loopback (tests/oidc_provider.py).

Every test walks the whole flow over HTTP: the app sends the browser to the provider, the
provider signs the person in and sends back a code, and the app exchanges it, checks the ID
token against the provider's published keys and finds the account HR made. Only the provider
is made to misbehave; nothing of the app is replaced.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import make_user
from tests.oidc_provider import CLIENT_ID, OTHER_CLIENT
from tests.sso_support import (
    come_back,
    count,
    sam_account,
    serve_provider,
    sign_in_with_sso,
    signed_in,
    sso_app,
    through_provider,
)
from tracker import create_app
from tracker.extensions import db
from tracker.models import AuditEvent, SignIn, User


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    yield from serve_provider(tmp_path_factory)


@pytest.fixture
def app(database_url, provider):
    with sso_app(database_url, provider) as app:
        yield app


@pytest.fixture
def sam(app, provider):
    return sam_account(app, provider)


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


def test_an_account_on_no_plan_and_with_no_role_is_refused(app, client, provider):
    """HR made it, but nobody onboards or manages anyone with it: nothing to sign in to."""
    with app.app_context():
        make_user("idle@example.com")
        db.session.commit()
    provider.add_person("idle", "idle@example.com")
    provider.signed_in = "idle"
    response = sign_in_with_sso(client, provider)
    assert response.status_code == 403 and "on no onboarding plan" in response.get_data(True)
    assert not signed_in(client) and count(app, SignIn) == 0


def test_a_template_editor_with_no_plan_signs_in(app, client, provider):
    with app.app_context():
        make_user("tina@example.com").edits_templates = True
        db.session.commit()
    provider.add_person("tina", "tina@example.com")
    provider.signed_in = "tina"
    assert sign_in_with_sso(client, provider).status_code == 302 and signed_in(client)


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



def test_clicking_the_button_again_keeps_the_session_cookie_small(client, provider, sam):
    """Only the latest attempt is kept: browsers drop a cookie past 4 KB, session and all."""
    for _ in range(20):
        client.get("/login/sso")
    assert len(client.get_cookie("session").value) < 1000
    with client.session_transaction() as session:
        assert len([key for key in session if key.startswith("_state_")]) == 1
    assert sign_in_with_sso(client, provider).status_code == 302 and signed_in(client)
