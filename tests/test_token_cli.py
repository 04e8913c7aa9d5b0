"""`tracker token create|list|revoke`: the token printed once is one the API accepts."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.factories import make_user
from tracker.extensions import db
from tracker.models import AccessToken, AuditEvent, User
from tracker.services.access_tokens import TokenRefused, authenticate

RAW = re.compile(r"trk_[A-Za-z0-9_-]{43}")


@pytest.fixture
def people(app):
    with app.app_context():
        make_user("ops@example.com", name="Olu Ops")
        make_user("gone@example.com", name="Gus Gone", active=False)
        db.session.commit()


def invoke(runner, *args):
    return runner.invoke(args=["tracker", "token", *args])


def test_create_prints_the_token_alone_on_stdout_and_authenticate_accepts_it(app, runner,
                                                                             people):
    result = invoke(runner, "create", "OPS@example.com", "--name", "HRIS sync")
    assert result.exit_code == 0, result.output
    assert RAW.fullmatch(result.stdout.strip())  # a script can capture it whole
    raw = result.stdout.strip()
    assert "It will not be shown again: copy it now." in result.stderr
    assert "“HRIS sync” for ops@example.com (read-write)" in result.stderr
    with app.app_context():
        use = authenticate(f"Bearer {raw}")
        assert (use.user.email, use.token.name, use.read_only) == (
            "ops@example.com", "HRIS sync", False)
        event = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "token.created"))
        assert event.actor_id is None and event.after["by"] == "command line"
        assert raw not in repr(event.after)


def test_read_only_and_the_default_name(app, runner, people):
    raw = invoke(runner, "create", "ops@example.com", "--read-only").stdout.strip()
    with app.app_context():
        use = authenticate(f"Bearer {raw}")
        assert (use.token.name, use.read_only) == ("Command line", True)


def test_list_then_revoke_and_the_token_stops_working(app, runner, people):
    raw = invoke(runner, "create", "ops@example.com", "--name", "Payroll").stdout.strip()
    with app.app_context():
        token_id = db.session.scalar(sa.select(AccessToken.id))
    listed = invoke(runner, "list", "ops@example.com")
    assert listed.exit_code == 0
    assert re.search(rf"^\s*{token_id}\s+{re.escape(raw[:8])}…\s+read-write\s+live\s+.*"
                     r"last used never\s+Payroll$", listed.output, re.M), listed.output
    assert raw not in listed.output

    revoked = invoke(runner, "revoke", str(token_id))
    assert revoked.exit_code == 0
    assert revoked.output == (f"Revoked token {token_id} “Payroll” ({raw[:8]}…) of "
                              "ops@example.com.\n")
    assert "revoked " in invoke(runner, "list", "ops@example.com").output
    with app.app_context(), pytest.raises(TokenRefused, match="was revoked on"):
        authenticate(f"Bearer {raw}")
    again = invoke(runner, "revoke", str(token_id))
    assert again.exit_code == 1 and "was already revoked on" in again.output


@pytest.mark.parametrize("args,message", [
    (("create", "nobody@example.com"), "no account has the email address 'nobody@example.com'"),
    (("list", "nobody@example.com"), "no account has the email address 'nobody@example.com'"),
    (("create", "nobody\x00@example.com"), "no account has the email address"),
    (("create", "gone@example.com"), "the account gone@example.com is switched off"),
    (("create", "ops@example.com", "--name", "  "), "name the token after what will use it"),
    (("create", "ops@example.com", "--name", "a\nb"), "remove the line break from the token"),
    (("revoke", "999999"), "no token has the id 999999"),
    (("revoke", str(2**40)), f"no token has the id {2**40}"),
])
def test_mistakes_exit_non_zero_with_a_clear_message_and_make_nothing(app, runner, people,
                                                                       args, message):
    result = invoke(runner, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert not RAW.search(result.output)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AccessToken)) == 0


def test_list_says_when_there_are_none(app, runner, people):
    result = invoke(runner, "list", "ops@example.com")
    assert result.exit_code == 0 and result.output == "ops@example.com has no tokens.\n"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
