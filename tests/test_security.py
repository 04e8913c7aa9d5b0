"""The one helper that decides where a `next` parameter may send someone."""
import pytest

from tests.conftest import login_as
from tests.factories import make_user
from tracker import create_app
from tracker.extensions import db
from tracker.formatting import render_markdown
from tracker.headers import CONTENT_SECURITY_POLICY
from tracker.security import safe_next_url


@pytest.mark.parametrize("target", [
    "/", "/plans/3", "/admin/plans?status=active&page=2", "/plans/3#milestone-d30",
])
def test_local_paths_are_kept(target):
    assert safe_next_url(target) == target


@pytest.mark.parametrize("target", [
    None, "", "//evil.example", "////evil.example", "/\\evil.example", "\\\\evil.example",
    "https://evil.example/", "https:evil.example", "http:/evil.example", "javascript:alert(1)",
    "evil.example", "plans/3", "/\t/evil.example", "/\n/evil.example", " //evil.example",
    "\x00/plans", "/" + "a" * 3000, "data:text/html,hi", "//", "/\\",
])
def test_anything_that_could_leave_the_site_is_refused(target):
    assert safe_next_url(target) is None


def test_every_page_carries_the_security_headers(app, client):
    for response in (client.get("/login"), client.get("/nowhere"),
                     client.get("/static/css/app.css")):
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers  # testing is plain HTTP
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY.split("style-src-attr")[0]


def test_signed_in_pages_are_never_stored_and_production_asks_for_https(app, client):
    with app.app_context():
        make_user("someone@example.com")
        db.session.commit()
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login_as(client, app, "someone@example.com")
    assert client.get("/preferences").headers["Cache-Control"] == "no-store"
    production = create_app("production", SECRET_KEY="x" * 32,
                            DATABASE_URL=app.config["DATABASE_URL"])
    answer = production.test_client().get("/login")
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_images_in_notes_are_links_never_loaded_from_elsewhere():
    html = str(render_markdown('![chart](https://evil.example/pixel.png) and '
                               '<img src="https://evil.example/raw.png"> and ![](https://x.example/a.png)'))
    assert "<img" not in html and "raw.png" not in html
    assert '<a href="https://evil.example/pixel.png" rel="noopener noreferrer">chart</a>' in html
    assert ">https://x.example/a.png</a>" in html  # no alt text: the address is the link text
