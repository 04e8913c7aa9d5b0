"""Chat rows through the dispatcher, against a real HTTP server on loopback playing Slack's Web
API and a Teams webhook: the Slack calls in order with the button back to the page, the Teams
card, a receiver that is down or rate-limiting (retried, then delivered once), and the reasons
a chat message is skipped rather than retried."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from tests.chat_receiver import TOKEN, ChatReceiver
from tests.chat_world import build_world, choose
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.jobs.dispatch import dispatch
from tracker.models import Channel, ChatSettings, Notification, utcnow
from tracker.models import NotificationStatus as S

world = cached_world(build_world)


def queue_chat(world, recipient_id: int, count: int = 1) -> list[int]:
    """Pulse prompts for chat, with the payload the sweep writes, due a few minutes ago."""
    rows = [Notification(dedupe_key=f"plan:{world.plan}:pulse_prompt:{recipient_id}:{n}:chat",
                         kind="pulse_prompt", channel=Channel.CHAT, recipient_id=recipient_id,
                         plan_id=world.plan, send_after=utcnow() - timedelta(minutes=5),
                         payload={"plan_id": world.plan, "hire_name": "Hana Hire",
                                  "manager_name": "Max Manager",
                                  "pulse_date": (date(2026, 1, 5) + timedelta(days=n)).isoformat()})
            for n in range(count)]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def stored(app) -> list[Notification]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Notification).order_by(Notification.id)))


@pytest.fixture
def receiver(app):
    with ChatReceiver() as server:
        app.config.update(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=server.slack_api_url,
                          DISPATCH_BACKOFF_SECONDS=60)
        yield server


def test_slack_finds_the_person_by_email_opens_a_dm_and_posts_a_button_to_the_page(
        app, world, receiver):
    with app.app_context():
        choose(world.hire, pulse_prompt="chat")
        [queued] = queue_chat(world, world.hire)
        report = dispatch()
        assert (report.sent, report.failed, report.skipped) == (1, 0, 0)
        assert dispatch().sent == 0  # nothing left
        settings = db.session.scalar(sa.select(ChatSettings))
        assert (settings.slack_user_id, settings.slack_email) == ("U0HIRE", "hire@example.com")
    assert receiver.slack_calls() == ["users.lookupByEmail", "conversations.open",
                                      "chat.postMessage"]
    lookup, opened, posted = receiver.calls("/api/")
    assert lookup.params["email"] == ["hire@example.com"]
    assert opened.params["users"] == ["U0HIRE"]
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in receiver.requests)
    message = posted.json
    assert message["channel"] == "DU0HIRE"
    section, actions = message["blocks"]
    assert section["text"]["text"] == "How is it going? Your pulse check-in (one minute)"
    [button] = actions["elements"]
    assert button["type"] == "button" and button["text"]["text"] == "Answer the pulse check-in"
    # The same link the email has: the pulse on the plan's page.
    assert button["url"] == f"http://tracker.test/plans/{world.plan}#pulse"
    assert message["text"].endswith(button["url"])
    [row] = stored(app)
    assert (row.id, row.status, row.attempts, row.sent_at is not None) == (queued, S.SENT, 1, True)


def test_the_slack_user_found_once_is_kept_for_the_next_message(app, world, receiver):
    with app.app_context():
        choose(world.hire, pulse_prompt="chat")
        queue_chat(world, world.hire, count=2)
        assert dispatch().sent == 2
    assert receiver.slack_calls() == ["users.lookupByEmail", "conversations.open",
                                      "chat.postMessage", "conversations.open",
                                      "chat.postMessage"]


def test_nobody_in_slack_with_that_email_is_skipped_with_the_reason_not_retried(
        app, world, receiver):
    receiver.slack_users.pop("hire@example.com")
    with app.app_context():
        choose(world.hire, pulse_prompt="chat")
        queue_chat(world, world.hire)
        report = dispatch()
    assert (report.sent, report.skipped, report.failed) == (0, 1, 0)
    [row] = stored(app)
    assert row.status == S.SKIPPED
    assert row.skip_reason == "Slack has no user with the email hire@example.com"
    assert receiver.slack_calls() == ["users.lookupByEmail"]


def test_a_deactivated_slack_account_is_skipped_with_the_reason(app, world, receiver):
    receiver.disabled.add("U0HIRE")
    with app.app_context():
        choose(world.hire, pulse_prompt="chat")
        queue_chat(world, world.hire)
        assert dispatch().skipped == 1
    [row] = stored(app)
    assert row.skip_reason == "the Slack account for hire@example.com is deactivated"
    assert "chat.postMessage" not in receiver.slack_calls()


def test_a_kept_slack_user_that_slack_no_longer_knows_is_looked_up_again(app, world,
                                                                        receiver):
    clock = utcnow()
    with app.app_context():
        db.session.add(ChatSettings(user_id=world.hire, channels={"pulse_prompt": "chat"},
                                    slack_user_id="U0GONE", slack_email="hire@example.com"))
        db.session.commit()
        queue_chat(world, world.hire)
        assert dispatch(clock).retried == 1  # conversations.open: user_not_found
        assert dispatch(clock + timedelta(hours=1)).sent == 1
    assert receiver.slack_calls() == ["conversations.open", "users.lookupByEmail",
                                      "conversations.open", "chat.postMessage"]


def test_slack_down_is_retried_with_backoff_then_delivered_once(app, world, receiver):
    receiver.fail_next(2, status=500)
    clock = utcnow()
    with app.app_context():
        choose(world.hire, pulse_prompt="chat")
        queue_chat(world, world.hire)
        first = dispatch(clock)
        assert (first.sent, first.retried) == (0, 1)
        [row] = stored(app)
        assert row.status == S.FAILED and row.attempts == 1 and "Slack" in row.last_error
        assert timedelta(seconds=30) <= row.send_after - clock <= timedelta(seconds=90)
        assert dispatch(clock + timedelta(seconds=20)).sent == 0  # not due again yet
        assert dispatch(clock + timedelta(minutes=2)).retried == 1
        assert dispatch(clock + timedelta(hours=1)).sent == 1
        assert dispatch(clock + timedelta(hours=2)).sent == 0
    [row] = stored(app)
    assert (row.status, row.attempts, row.last_error) == (S.SENT, 3, None)
    assert receiver.slack_calls().count("chat.postMessage") == 1


def test_slack_rate_limit_waits_at_least_as_long_as_it_says(app, world, receiver):
    receiver.fail_next(1, status=429, headers={"Retry-After": "600"})
    clock = utcnow()
    with app.app_context():
        choose(world.hire, pulse_prompt="chat")
        queue_chat(world, world.hire)
        assert dispatch(clock).retried == 1
        [row] = stored(app)
        assert "HTTP 429" in row.last_error and "ratelimited" in row.last_error
        assert row.send_after - clock >= timedelta(seconds=600)  # not the 60 s backoff
        assert dispatch(clock + timedelta(seconds=300)).sent == 0
        assert dispatch(clock + timedelta(seconds=601)).sent == 1
    assert receiver.slack_calls().count("chat.postMessage") == 1


def test_a_bad_token_fails_and_goes_dead_after_the_last_try(app, world, receiver):
    app.config.update(SLACK_BOT_TOKEN="xoxb-revoked", DISPATCH_MAX_ATTEMPTS=2)
    clock = utcnow()
    with app.app_context():
        choose(world.hire, pulse_prompt="chat")
        queue_chat(world, world.hire)
        assert dispatch(clock).retried == 1
        assert dispatch(clock + timedelta(hours=1)).dead == 1
    [row] = stored(app)
    assert row.status == S.DEAD and "invalid_auth" in row.last_error


def test_teams_gets_an_adaptive_card_with_a_button_back_to_the_page(app, world, receiver):
    app.config.update(SLACK_BOT_TOKEN="")  # the person's own webhook, no Slack on this site
    with app.app_context():
        choose(world.manager, webhook_url=receiver.webhook_url, pulse_prompt="chat")
        queue_chat(world, world.manager)
        assert dispatch().sent == 1
    [posted] = receiver.requests
    assert posted.method == "POST" and posted.path == "/webhookb2/teams-chat"
    assert posted.headers["Content-Type"] == "application/json"
    envelope = posted.json
    assert envelope["type"] == "message"
    [attachment] = envelope["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0]["type"] == "TextBlock"
    assert card["body"][0]["text"] == "How is it going? Your pulse check-in (one minute)"
    [action] = card["actions"]
    assert action == {"type": "Action.OpenUrl", "title": "Answer the pulse check-in",
                      "url": f"http://tracker.test/plans/{world.plan}#pulse"}
    assert envelope["text"].endswith(action["url"])  # what other chats' webhooks show


def test_a_webhook_that_is_down_is_retried_then_delivered_exactly_once(app, world, receiver):
    receiver.fail_next(3, status=500)
    clock = utcnow()
    with app.app_context():
        choose(world.manager, webhook_url=receiver.webhook_url, pulse_prompt="chat")
        queue_chat(world, world.manager)
        for hours in range(3):
            assert dispatch(clock + timedelta(hours=hours)).retried == 1
        [row] = stored(app)
        assert "HTTP 500" in row.last_error and "Service Unavailable" in row.last_error
        assert dispatch(clock + timedelta(hours=3)).sent == 1
        assert dispatch(clock + timedelta(hours=4)).sent == 0
    assert len(receiver.requests) == 4
    [row] = stored(app)
    assert (row.status, row.attempts) == (S.SENT, 4)


def test_a_webhook_that_refuses_connections_is_retried_like_any_failure(app, world):
    with ChatReceiver() as down:
        url = down.webhook_url  # the port is free again once it stops
    with app.app_context():
        choose(world.manager, webhook_url=url, pulse_prompt="chat")
        queue_chat(world, world.manager)
        assert dispatch().retried == 1
    [row] = stored(app)
    assert row.status == S.FAILED and "no answer" in row.last_error


def test_chat_rows_skip_when_chat_is_gone_or_no_longer_chosen(app, world, receiver):
    with app.app_context():
        # changed their mind after the sweep; their chat is still there
        choose(world.hire, webhook_url=receiver.webhook_url, pulse_prompt="email")
        queue_chat(world, world.hire)
        app.config.update(SLACK_BOT_TOKEN="")
        choose(world.manager, pulse_prompt="chat")  # Slack was taken away after the sweep
        queue_chat(world, world.manager)
        assert dispatch().skipped == 2
    reasons = {row.recipient_id: row.skip_reason for row in stored(app)}
    assert reasons[world.hire] == "the recipient chose email only for pulse check-in"
    assert reasons[world.manager].startswith("no chat is set up for the recipient any more")
    assert receiver.requests == []


def test_one_chat_receiver_down_does_not_hold_up_mail_or_other_chat(app, world, receiver,
                                                                    smtp_server):
    from tests.outbox_data import queue
    from tracker.models import Plan

    with ChatReceiver() as down:
        dead_url = down.webhook_url
    with app.app_context():
        choose(world.manager, webhook_url=dead_url, pulse_prompt="both")
        choose(world.hire, pulse_prompt="both")
        queue_chat(world, world.manager)
        queue_chat(world, world.hire)
        plan = db.session.get(Plan, world.plan)
        queue(plan, plan.hire, 1)
        db.session.commit()
        report = dispatch()
    assert (report.sent, report.retried) == (2, 1)
    assert len(smtp_server.recorder.messages) == 1
    assert receiver.slack_calls()[-1] == "chat.postMessage"


def test_the_slack_app_manifest_asks_for_exactly_the_scopes_of_the_calls_made(app, world,
                                                                              receiver):
    root = Path(__file__).resolve().parent.parent
    manifest = yaml.safe_load((root / "docs" / "slack-app-manifest.yaml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # users.lookupByEmail needs users:read.email (and users:read); conversations.open with a
    # user needs im:write; chat.postMessage needs chat:write. Slack's docs, method by method.
    needed = {"users.lookupByEmail": {"users:read", "users:read.email"},
              "conversations.open": {"im:write"}, "chat.postMessage": {"chat:write"}}
    with app.app_context():
        choose(world.hire, pulse_prompt="chat")
        queue_chat(world, world.hire)
        dispatch()
    assert scopes == set().union(*(needed[call] for call in receiver.slack_calls()))
    assert manifest["features"]["bot_user"]["display_name"]
