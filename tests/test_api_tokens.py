"""Personal access tokens at the API's door (issue 12, part 2): read-only tokens only read,
revoked or made-up tokens get a 401 in the API's one shape, and each token is rate-limited."""
import pytest
import sqlalchemy as sa

from tests.api_support import Api, token_for
from tests.factories import cast
from tracker import create_app
from tracker.extensions import db
from tracker.models import AccessToken
from tracker.services.access_tokens import revoke


@pytest.fixture
def people(app, library):
    with app.app_context():
        cast("admin", "manager")
        db.session.commit()


def test_a_read_only_token_reads_but_changes_nothing(app, client, people):
    api = Api(client, token_for(app, "admin@example.com", read_only=True))
    me = api.get("/me").get_json()
    assert me["email"] == "admin@example.com" and me["token"] == "read-only"
    refused = api.post("/hires/import", {"csv": "name\n", "dry_run": True})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "read_only"
    assert Api(client, token_for(app, "admin@example.com")).get("/me").get_json()["token"] \
        == "read-write"


@pytest.mark.parametrize("header", ["Bearer trk_not-a-real-token", "Basic YWRtaW46YWRtaW4=",
                                    "Bearer", "Bearer trk_a trk_b"])
def test_a_token_that_is_not_live_gets_401_in_the_one_shape(client, people, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == "unauthorized" and error["message"] and error["fields"] == {}


def test_a_revoked_token_stops_at_once_and_an_empty_header_is_no_token(app, client, people):
    raw = token_for(app, "manager@example.com")
    api = Api(client, raw)
    assert api.get("/plans").status_code == 200
    with app.app_context():
        token = db.session.scalar(sa.select(AccessToken))
        revoke(token, None)
        db.session.commit()
    assert api.get("/plans").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": " "}).status_code == 401


def test_each_token_has_its_own_limit_shared_by_every_worker(app, database_url, people):
    """Two app instances on one database stand for two web workers: the count is shared."""
    app.config.update(TOKEN_RATE_LIMIT=3, TOKEN_RATE_WINDOW_SECONDS=60)
    second = create_app("testing", DATABASE_URL=database_url, TOKEN_RATE_LIMIT=3,
                        TOKEN_RATE_WINDOW_SECONDS=60)
    raw = token_for(app, "manager@example.com")
    first, other = Api(app.test_client(), raw), Api(second.test_client(), raw)
    assert [first.get("/me").status_code, other.get("/me").status_code,
            first.get("/me").status_code] == [200, 200, 200]
    limited = other.get("/me")
    assert limited.status_code == 429
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) in range(1, 61)
    fresh = Api(app.test_client(), token_for(app, "manager@example.com", name="another"))
    assert fresh.get("/me").status_code == 200  # another token has its own count
    with second.app_context():
        db.engine.dispose()
