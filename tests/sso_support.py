"""Fixtures and steps for the single sign-on tests: an app pointed at the loopback provider
(tests/oidc_provider.py), and the browser's part of the flow, done over real HTTP.

The app is built here rather than by conftest's ``app`` fixture because single sign-on is set
up by the factory from OIDC_* settings, and those must be given before the app exists.
"""
from __future__ import annotations

import contextlib
from urllib.parse import parse_qs, urlsplit

import requests
import sqlalchemy as sa

from tests.conftest import COMPILED_TEMPLATES, BufferedClient
from tests.factories import make_plan, make_user
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, LoopbackProvider
from tracker import create_app
from tracker.extensions import db
from tracker.services.role_versions import load_library

BASE = "http://localhost"  # the test client's own host, so its cookies come back


def serve_provider(tmp_path_factory):
    """For a module-scoped ``provider`` fixture: one server per module, reset per app."""
    provider = LoopbackProvider(tmp_path_factory.mktemp("provider"), BASE + "/login/sso/callback")
    yield provider
    provider.close()


@contextlib.contextmanager
def sso_app(database_url, provider, **settings):
    """The testing app signing in through ``provider`` (reset to behave), on the test's database."""
    provider.reset()
    app = create_app("testing", DATABASE_URL=database_url, BASE_URL=BASE,
                     OIDC_ISSUER=provider.issuer, OIDC_CLIENT_ID=CLIENT_ID,
                     OIDC_CLIENT_SECRET=CLIENT_SECRET, OIDC_CA_BUNDLE=provider.ca_file,
                     OIDC_PROVIDER_NAME="Example ID", **settings)
    app.test_client_class = BufferedClient
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def sam_account(app, provider) -> str:
    """Sam has an account and a plan from HR, and is signed in at the provider with a verified
    address."""
    with app.app_context():
        load_library()
        make_plan(make_user("sam@example.com", name="Sam"), make_user("sams.manager@example.com"))
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

