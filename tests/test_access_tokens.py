"""Personal access tokens: made once, kept only as a hash, checked on every API request,
used-at recorded at most once a minute, rate-limited across processes, revoked by their owner
or an admin, and managed from the preferences page with CSRF on.

The JSON API itself is built elsewhere; these tests call the service it calls
(``authenticate`` with the Authorization header's value, then ``check_rate``).
"""
from __future__ import annotations

import hashlib
import html
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.conftest import count_queries, login_as
from tests.factories import cast
from tests.test_csrf import token_from
from tests.worlds import cached_world
from tracker import create_app
from tracker.extensions import db
from tracker.models import AccessToken, AuditEvent, ThrottleEvent, User, utcnow
from tracker.services import access_tokens
from tracker.services.access_tokens import (
    MAX_LIVE_TOKENS,
    RateLimited,
    TokenRefused,
    TokenUse,
    authenticate,
    check_rate,
    create_token,
    revoke,
)
from tracker.services.errors import InputError

RAW = re.compile(r"trk_[A-Za-z0-9_-]{43}")


def build_world(app):
    with app.app_context():
        people = cast("admin", "manager", "hire", "other_hire")
        db.session.commit()
        return SimpleNamespace(**{name: person.id for name, person in vars(people).items()})


world = cached_world(build_world)


def person(user_id: int) -> User:
    return db.session.get(User, user_id)


def made(app, user_id: int, name: str = "HRIS sync", read_only: bool = True
         ) -> tuple[int, str]:
    """A committed token for the person, as (its id, the raw token)."""
    with app.app_context():
        token, raw = create_token(person(user_id), name, read_only)
        db.session.commit()
        return token.id, raw


def bearer(raw: str) -> str:
    return f"Bearer {raw}"


def refusal(app, header: str | None) -> TokenRefused:
    with app.app_context(), pytest.raises(TokenRefused) as refused:
        authenticate(header)
    return refused.value


# -- making a token -------------------------------------------------------------------------

def test_the_raw_token_is_returned_once_and_only_its_hash_is_stored(app, world):
    token_id, raw = made(app, world.hire)
    assert RAW.fullmatch(raw)
    with app.app_context():
        token = db.session.get(AccessToken, token_id)
        assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
        assert token.prefix == raw[:8] and token.prefix.startswith("trk_")
        # No column of any table holds the token, or its secret part, anywhere.
        with db.engine.connect() as connection:
            for table in db.metadata.tables.values():
                for row in connection.execute(sa.select(sa.table(table.name, *[
                        sa.column(column.name) for column in table.columns]))):
                    text = repr(tuple(row))
                    assert raw not in text and raw[4:] not in text, table.name
    assert made(app, world.hire)[1] != raw  # every token is new


def test_making_and_revoking_are_in_the_audit_log_without_the_token(app, world):
    token_id, raw = made(app, world.hire)
    with app.app_context():
        revoke(db.session.get(AccessToken, token_id), person(world.admin))
        db.session.commit()
        events = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.target_type == "AccessToken", AuditEvent.target_id == token_id)
            .order_by(AuditEvent.id)).all()
        assert [(e.action, e.actor_id) for e in events] == [
            ("token.created", world.hire), ("token.revoked", world.admin)]
        assert events[0].after == {"user_id": world.hire, "name": "HRIS sync",
                                   "prefix": raw[:8], "read_only": True, "by": "the person"}
        assert events[1].after == {"by": "an admin"}


@pytest.mark.parametrize("name,message", [
    ("", "name the token after what will use it, such as “HRIS sync”"),
    ("   ", "name the token after what will use it"),
    ("HRIS\x00sync", "remove the NUL character (an invisible \\0) from the token name"),
    ("HRIS\nsync", "remove the line break from the token name"),
    ("x" * 101, "the token name is 101 characters; the limit is 100"),
])
def test_a_token_needs_a_name_the_text_rules_accept(app, world, name, message):
    with app.app_context():
        with pytest.raises(InputError) as refused:
            create_token(person(world.hire), name, True)
        assert refused.value.field == "name" and message in refused.value.message
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AccessToken)) == 0


def test_a_switched_off_account_gets_no_token(app, world):
    with app.app_context():
        hire = person(world.hire)
        hire.active = False
        with pytest.raises(InputError, match="hire@example.com is switched off"):
            create_token(hire, "HRIS sync", True)


def test_one_person_has_at_most_twenty_live_tokens(app, world):
    with app.app_context():
        hire = person(world.hire)
        tokens = [create_token(hire, f"Script {n}", True)[0] for n in range(MAX_LIVE_TOKENS)]
        with pytest.raises(InputError) as refused:
            create_token(hire, "One too many", True)
        assert refused.value.message == (
            "hire@example.com already has 20 live tokens, the most one person can have: "
            "revoke one that is no longer used, then make this one")
        create_token(person(world.other_hire), "Someone else's", True)  # a limit per person
        revoke(tokens[0], hire)
        assert create_token(hire, "In its place", True)[0].live


# -- authenticating a request --------------------------------------------------------------

@pytest.mark.parametrize("read_only", [True, False])
def test_a_live_token_acts_for_its_person_with_its_read_only_flag(app, world, read_only):
    token_id, raw = made(app, world.hire, read_only=read_only)
    with app.app_context():
        use = authenticate(bearer(raw))
        assert isinstance(use, TokenUse)
        assert (use.user.id, use.token.id, use.read_only) == (world.hire, token_id, read_only)
        assert use.token.access == ("read-only" if read_only else "read-write")
        with pytest.raises(AttributeError):
            use.read_only = not read_only  # frozen
        assert authenticate(f"bearer   {raw}  ").token.id == token_id  # scheme in any case


@pytest.mark.parametrize("header", [None, "", "   "])
def test_no_authorization_header_is_no_token(app, header):
    with app.app_context():
        assert authenticate(header) is None


@pytest.mark.parametrize("header", [
    "Basic dXNlcjpwYXNz", "Bearer", "Token trk_x", "Bearer a b", "trk_" + "a" * 43,
    "Bearer trk_short", "Bearer " + "a" * 47, "Bearer trk_" + "a" * 44,
    "Bearer trk_" + "a" * 42 + "\x00", "Bearer trk_" + "a" * 42 + "é",
    "Bearer trk_" + "a" * 42 + "=", "Bearer " + "x" * 10_000,
])
def test_a_malformed_header_is_refused_before_any_sql(app, header):
    with count_queries(app) as statements:
        refused = refusal(app, header)
    assert statements == []
    assert refused.reason == "malformed"
    assert refused.message in (
        "send the token as “Authorization: Bearer trk_…”; no other kind of authorization "
        "is accepted",
        "that is not a tracker token: a token is trk_ and 43 letters, digits, - and _, "
        "exactly as it was shown")
    assert "aaaa" not in refused.message and "xxxx" not in refused.message


def test_an_unknown_token_is_refused_in_plain_words(app, world):
    _, raw = made(app, world.hire)
    wrong = raw[:-1] + ("A" if raw[-1] != "A" else "B")  # one character off
    refused = refusal(app, bearer(wrong))
    assert refused.reason == "unknown"
    assert refused.message == ("this token is not known here: check that it was copied "
                               "whole, or make a new one")


def test_a_revoked_token_is_refused_at_once(app, world):
    token_id, raw = made(app, world.hire)
    with app.app_context():
        authenticate(bearer(raw))
        revoke(db.session.get(AccessToken, token_id), person(world.hire))
        db.session.commit()
        revoked_on = db.session.get(AccessToken, token_id).revoked_at
    refused = refusal(app, bearer(raw))
    assert refused.reason == "revoked"
    assert refused.message == (f"this token ({raw[:8]}…) was revoked on "
                               f"{revoked_on:%a} {revoked_on.day} {revoked_on:%b %Y}; "
                               "make a new one")
    assert raw[8:] not in refused.message


def test_a_switched_off_persons_token_is_refused_and_works_again_when_switched_on(app, world):
    _, raw = made(app, world.hire)
    with app.app_context():
        person(world.hire).active = False
        db.session.commit()
    refused = refusal(app, bearer(raw))
    assert refused.reason == "inactive"
    assert refused.message == "the account this token belongs to is switched off"
    with app.app_context():
        person(world.hire).active = True
        db.session.commit()
        assert authenticate(bearer(raw)).user.id == world.hire


def test_signing_out_everywhere_leaves_tokens_working(app, world):
    _, raw = made(app, world.hire)
    with app.app_context():
        person(world.hire).set_password("a brand new password")
        db.session.commit()
        assert authenticate(bearer(raw)) is not None


def _last_used(app, token_id):
    with app.app_context():
        return db.session.get(AccessToken, token_id).last_used_at


def _token_writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("UPDATE ACCESS_TOKENS")]


def test_last_used_is_recorded_at_most_once_a_minute(app, world):
    token_id, raw = made(app, world.hire)
    assert _last_used(app, token_id) is None
    start = utcnow().replace(microsecond=0)
    with count_queries(app) as statements, app.app_context():
        authenticate(bearer(raw), now=start)
    assert len(_token_writes(statements)) == 1
    assert _last_used(app, token_id) == start
    for seconds in (1, 30, 59):  # no write at all within the minute, not even a tried one
        with count_queries(app) as statements, app.app_context():
            assert authenticate(bearer(raw), now=start + timedelta(seconds=seconds))
        assert _token_writes(statements) == []
        assert _last_used(app, token_id) == start
    with count_queries(app) as statements, app.app_context():
        use = authenticate(bearer(raw), now=start + timedelta(seconds=61))
        assert use.token.last_used_at == start + timedelta(seconds=61)
        assert use.token not in db.session.dirty  # written apart from the request's work
        db.session.rollback()  # the request's own work rolled back: the use still stands
    assert len(_token_writes(statements)) == 1
    assert _last_used(app, token_id) == start + timedelta(seconds=61)


def test_two_workers_in_the_same_minute_write_the_use_once(app, world):
    """Both loaded the token before either recorded a use: the row decides, and one writes."""
    token_id, _ = made(app, world.hire)
    now = utcnow()
    with app.app_context():
        one = db.session.get(AccessToken, token_id)
        db.session.expunge(one)
        other = db.session.get(AccessToken, token_id)  # another copy, as another worker's
        assert one is not other and one.last_used_at is None is other.last_used_at
        assert access_tokens.note_use(one, now) is True
        assert access_tokens.note_use(other, now + timedelta(seconds=5)) is False
    assert _last_used(app, token_id) == now


# -- the rate limit ------------------------------------------------------------------------

def _hit(app, token_id):
    with app.app_context():
        check_rate(db.session.get(AccessToken, token_id))


def _refused_rate(app, token_id) -> RateLimited:
    with pytest.raises(RateLimited) as refused:
        _hit(app, token_id)
    return refused.value


def test_every_request_counts_and_the_next_past_the_limit_is_told_when_to_retry(app, world):
    app.config.update(TOKEN_RATE_LIMIT=3, TOKEN_RATE_WINDOW_SECONDS=60)
    token_id, _ = made(app, world.hire)
    other_id, _ = made(app, world.hire, name="Another script")
    for _ in range(3):
        _hit(app, token_id)
    refused = _refused_rate(app, token_id)
    assert 0 < refused.retry_after <= 60
    assert (refused.limit, refused.window_seconds) == (3, 60)
    assert refused.message == ("too many requests with this token: at most 3 in 60 seconds; "
                               f"try again in {refused.retry_after} "
                               f"second{'' if refused.retry_after == 1 else 's'}")
    _hit(app, other_id)  # each token has its own count


def test_the_count_stands_when_the_request_is_rolled_back(app, world):
    app.config.update(TOKEN_RATE_LIMIT=2)
    token_id, _ = made(app, world.hire)
    for _ in range(2):
        with app.app_context():
            check_rate(db.session.get(AccessToken, token_id))
            db.session.rollback()  # the API refused the request (422) and undid its work
    _refused_rate(app, token_id)


def test_refused_requests_are_not_counted_so_waiting_as_told_gets_in(app, world):
    app.config.update(TOKEN_RATE_LIMIT=3, TOKEN_RATE_WINDOW_SECONDS=60)
    token_id, _ = made(app, world.hire)
    for _ in range(3):
        _hit(app, token_id)
    for _ in range(10):
        _refused_rate(app, token_id)
    with app.app_context():
        events = db.session.scalars(sa.select(ThrottleEvent)).all()
        assert len(events) == 3
        for event in events:  # the window passes
            event.occurred_at -= timedelta(seconds=60)
        db.session.commit()
    _hit(app, token_id)
    with app.app_context():  # and the events that left the window are gone
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ThrottleEvent)) == 1


def test_the_count_is_shared_by_every_worker_process(app, world, database_url):
    """A second app on the same database (another gunicorn worker) sees the same count."""
    app.config.update(TOKEN_RATE_LIMIT=3)
    token_id, raw = made(app, world.hire)
    other = create_app("testing", DATABASE_URL=database_url, TOKEN_RATE_LIMIT=3)
    try:
        _hit(app, token_id)
        _hit(other, token_id)
        _hit(app, token_id)
        assert _refused_rate(other, token_id).retry_after > 0
        assert _refused_rate(app, token_id).retry_after > 0
        with other.app_context():
            assert authenticate(bearer(raw)).token.id == token_id  # the token itself is fine
    finally:
        with other.app_context():
            db.engine.dispose()


def test_the_default_limit_is_300_requests_a_minute(app):
    assert (app.config["TOKEN_RATE_LIMIT"], app.config["TOKEN_RATE_WINDOW_SECONDS"]) == (300, 60)


# -- revoking ------------------------------------------------------------------------------

def test_the_owner_and_admins_revoke_and_nobody_else(app, world):
    with app.app_context():
        hire = person(world.hire)
        mine, _ = create_token(hire, "Mine", True)
        theirs, _ = create_token(hire, "For the admin", True)
        for stranger in (world.other_hire, world.manager):
            with pytest.raises(InputError, match="only the token's owner, HR and admins"):
                revoke(mine, person(stranger))
        assert mine.live
        revoke(mine, hire)
        revoke(theirs, person(world.admin))
        assert not mine.live and not theirs.live
        with pytest.raises(InputError, match="was already revoked on"):
            revoke(mine, hire)


# -- the preferences page, over HTTP with CSRF on -------------------------------------------

def _page(client) -> str:
    response = client.get("/preferences")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _tokens_section(page: str) -> str:
    return page[page.index('id="tokens"'):]


@pytest.mark.csrf_on
def test_make_list_and_revoke_a_token_from_the_preferences_page(app, client, world):
    login_as(client, app, "hire@example.com")
    page = _page(client)
    assert "Personal access tokens" in page and "You have no tokens." in page
    box = re.search(r'<input [^>]*name="read_only"[^>]*>', _tokens_section(page)).group(0)
    assert " checked" in box  # read-only unless the person says otherwise

    response = client.post("/preferences/tokens", data={
        "name": "HRIS sync", "read_only": "y", "csrf_token": token_from(page)})
    assert response.status_code == 201
    shown = html.unescape(response.get_data(as_text=True))
    assert "Copy your new token now" in shown and "It will not be shown again." in shown
    raw = RAW.search(shown).group(0)
    assert shown.count(raw) == 1
    assert "Location" not in response.headers and raw not in str(response.headers)
    with client.session_transaction() as session:  # not carried in the cookie either
        assert raw not in repr(dict(session))
    with app.app_context():
        use = authenticate(bearer(raw))
        assert (use.user.email, use.read_only) == ("hire@example.com", True)

    listed = _tokens_section(_page(client))
    assert raw not in listed
    assert "HRIS sync" in listed and f"{raw[:8]}…" in listed and "read-only" in listed
    assert "last used " in listed and "last used never" not in listed  # used just now

    token_id = use.token.id
    revoked = client.post(f"/preferences/tokens/{token_id}/revoke",
                          data={"csrf_token": token_from(page)})
    assert revoked.status_code == 302
    assert revoked.headers["Location"].endswith("/preferences#tokens")
    after = _page(client)
    assert f"Revoked “HRIS sync” ({raw[:8]}…): it no longer opens the API." in after
    assert "You have no tokens." in after
    assert refusal(app, bearer(raw)).reason == "revoked"


@pytest.mark.csrf_on
def test_without_the_csrf_token_nothing_is_made_or_revoked(app, client, world):
    token_id, raw = made(app, world.hire)
    login_as(client, app, "hire@example.com")
    assert client.post("/preferences/tokens", data={"name": "Sneaky"}).status_code == 400
    assert client.post(f"/preferences/tokens/{token_id}/revoke").status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AccessToken)) == 1
        assert authenticate(bearer(raw)) is not None


def test_a_read_write_token_and_one_never_used(app, client, world):
    login_as(client, app, "hire@example.com")
    response = client.post("/preferences/tokens", data={"name": "Evidence bot"})  # unticked
    assert response.status_code == 201
    assert "(read-write)" in html.unescape(response.get_data(as_text=True))
    listed = _tokens_section(_page(client))
    assert "read-write" in listed and "last used never" in listed


def test_a_refused_name_comes_back_beside_its_field_with_nothing_made(app, client, world):
    login_as(client, app, "hire@example.com")
    response = client.post("/preferences/tokens", data={"name": "  ", "read_only": "y"})
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert re.search(r'<p class="error" id="name-error">name the token after what will use it',
                     page)
    assert 'aria-invalid="true"' in _tokens_section(page)
    assert 'class="error" id="preference-error"' not in page  # the email choices are untouched
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AccessToken)) == 0


def test_the_twenty_first_token_is_refused_above_the_form(app, client, world):
    with app.app_context():
        for n in range(MAX_LIVE_TOKENS):
            create_token(person(world.hire), f"Script {n}", True)
        db.session.commit()
    login_as(client, app, "hire@example.com")
    response = client.post("/preferences/tokens", data={"name": "One too many"})
    assert response.status_code == 422
    assert ('<p class="error" role="alert">hire@example.com already has 20 live tokens'
            in html.unescape(response.get_data(as_text=True)))


def test_someone_elses_token_cannot_be_revoked_or_even_found(app, client, world):
    token_id, raw = made(app, world.hire, name="Payroll export")
    for stranger in ("other.hire@example.com", "manager@example.com"):
        login_as(client, app, stranger)
        assert client.post(f"/preferences/tokens/{token_id}/revoke").status_code == 404
        assert "Payroll export" not in _page(client)
    with app.app_context():
        assert authenticate(bearer(raw)) is not None


def test_an_admin_may_revoke_anyones_token(app, client, world):
    token_id, raw = made(app, world.hire)
    login_as(client, app, "admin@example.com")
    assert client.post(f"/preferences/tokens/{token_id}/revoke").status_code == 302
    assert (f"Revoked “HRIS sync” ({raw[:8]}…) of Hana Hire: it no longer opens the API."
            in _page(client))
    assert refusal(app, bearer(raw)).reason == "revoked"


def test_revoking_twice_says_so(app, client, world):
    token_id, _ = made(app, world.hire)
    login_as(client, app, "hire@example.com")
    client.post(f"/preferences/tokens/{token_id}/revoke")
    again = client.post(f"/preferences/tokens/{token_id}/revoke", follow_redirects=True)
    assert "was already revoked on" in html.unescape(again.get_data(as_text=True))


def test_the_emailed_preferences_link_shows_no_tokens(app, world):
    from tracker.services.preferences import preferences_token

    made(app, world.hire)
    with app.app_context():
        link = f"/preferences/{preferences_token(person(world.hire))}"
    page = app.test_client().get(link).get_data(as_text=True)
    assert "Email preferences" in page and "Personal access tokens" not in page


def test_signed_out_nobody_makes_a_token(app, client, world):
    response = client.post("/preferences/tokens", data={"name": "x"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AccessToken)) == 0
