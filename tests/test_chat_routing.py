"""Email, chat or both, per person and per reminder kind: what the real sweep queues and what
the dispatcher then sends, by SMTP to a real server and to a loopback Slack and Teams."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from tests.chat_receiver import TOKEN, ChatReceiver
from tests.chat_world import build_world, choose
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.jobs.dispatch import dispatch
from tracker.jobs.sweep import sweep
from tracker.models import Channel, Notification
from tracker.models import NotificationStatus as S

# The plan starts Mon 5 Jan 2026: its 30-day milestone is due Wed 4 Feb, so "coming up in 7
# days" goes out Wed 28 Jan at 09:00 UTC to the hire and to the manager (who has goals too).
DUE = datetime(2026, 1, 28, 9, 0, tzinfo=timezone.utc)


world = cached_world(build_world)


def soon_rows(app) -> dict[tuple[int, str], Notification]:
    with app.app_context():
        return {(n.recipient_id, n.channel.value): n for n in db.session.scalars(
            sa.select(Notification).where(Notification.kind == "milestone_soon"))}


@pytest.fixture
def receiver(app):
    with ChatReceiver() as server:
        app.config.update(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=server.slack_api_url)
        yield server


def test_nobody_choosing_chat_queues_email_only_as_before(app, world, receiver):
    with app.app_context():
        sweep(DUE)
    assert set(soon_rows(app)) == {(world.hire, "email"), (world.manager, "email")}


def test_chat_only_email_only_and_both_route_as_chosen(app, world, receiver, smtp_server):
    with app.app_context():
        choose(world.hire, milestone_soon="chat")  # by the site's Slack bot
        choose(world.manager, webhook_url=receiver.webhook_url, milestone_soon="both",
               goal_overdue="chat")
        counts = sweep(DUE).counts
    assert counts["milestone_soon"] == 3
    rows = soon_rows(app)
    assert set(rows) == {(world.hire, "chat"), (world.manager, "email"),
                         (world.manager, "chat")}
    email_key = rows[world.manager, "email"].dedupe_key
    assert rows[world.manager, "chat"].dedupe_key == email_key + ":chat"
    assert rows[world.hire, "chat"].send_after == DUE
    with app.app_context():
        dispatch(DUE + timedelta(minutes=1))
    assert {n.status for n in soon_rows(app).values()} == {S.SENT}
    soon_mail = [m for m in smtp_server.recorder.messages if "milestone" in m["Subject"]]
    assert [m["To"].addresses[0].addr_spec for m in soon_mail] == ["manager@example.com"]
    [posted] = [r for r in receiver.calls("/api/") if r.slack_method == "chat.postMessage"]
    assert posted.json["channel"] == "DU0HIRE"
    assert "milestone is due in 7 days" in posted.json["blocks"][0]["text"]["text"]
    [card] = receiver.calls("/webhookb2/")
    button = card.json["attachments"][0]["content"]["actions"][0]
    assert button["url"] == f"http://tracker.test/plans/{world.plan}#milestone-d30"
    # The email links to the same page.
    assert button["url"] in soon_mail[0].get_body(("plain",)).get_content()


def test_chat_chosen_without_any_chat_falls_back_to_email(app, world):
    with app.app_context():
        choose(world.hire, milestone_soon="chat")  # no Slack bot, no webhook address
        sweep(DUE)
    assert set(soon_rows(app)) == {(world.hire, "email"), (world.manager, "email")}


def test_sweeping_twice_queues_one_chat_row(app, world, receiver):
    with app.app_context():
        choose(world.hire, milestone_soon="both")
        first = sweep(DUE).counts
        again = sweep(DUE + timedelta(minutes=5)).counts
        chat_rows = db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                                      .where(Notification.channel == Channel.CHAT))
    assert first["milestone_soon"] == 3 and "milestone_soon" not in again
    assert chat_rows == 1


def test_choosing_both_after_a_sweep_applies_from_the_next_reminder(app, world, receiver):
    with app.app_context():
        sweep(DUE)
        choose(world.hire, milestone_soon="both")
        assert sweep(DUE + timedelta(minutes=5)).counts == {}  # today's is queued already
        day_before = sweep(DUE + timedelta(days=6)).counts  # "due tomorrow", Tue 3 Feb
    assert day_before["milestone_soon"] == 3
    with app.app_context():
        tomorrow = {(n.recipient_id, n.channel.value) for n in db.session.scalars(
            sa.select(Notification).where(Notification.dedupe_key.like("%2026-02-03%")))}
    assert tomorrow == {(world.hire, "email"), (world.hire, "chat"), (world.manager, "email")}


def test_switching_to_chat_only_after_the_sweep_skips_the_queued_email(app, world, receiver,
                                                                       smtp_server):
    with app.app_context():
        sweep(DUE)
        choose(world.hire, milestone_soon="chat")
        dispatch(DUE + timedelta(minutes=1))
    row = soon_rows(app)[world.hire, "email"]
    assert row.status == S.SKIPPED
    assert row.skip_reason == "the recipient chose chat only for milestone coming up"


def test_the_email_choice_still_governs_email_and_leaves_chat_alone(app, world, receiver,
                                                                    smtp_server):
    with app.app_context():
        choose(world.hire, milestone_soon="both")
        from tracker.models import User
        db.session.get(User, world.hire).notification_preference = "none"
        db.session.commit()
        sweep(DUE)
        dispatch(DUE + timedelta(minutes=1))
    rows = soon_rows(app)
    assert rows[world.hire, "email"].status == S.SKIPPED
    assert rows[world.hire, "chat"].status == S.SENT


def test_the_outbox_page_shows_each_rows_channel(app, world, receiver):
    from tests.conftest import login_as
    from tests.factories import make_user

    with app.app_context():
        make_user("hr@example.com", is_admin=True)
        choose(world.hire, milestone_soon="both")
        sweep(DUE)
    client = app.test_client()
    login_as(client, app, "hr@example.com")
    page = client.get("/admin/outbox?kind=milestone_soon").get_data(as_text=True)
    assert '<th scope="col">Channel</th>' in page
    cells = re.findall(r"<td>(Email|Chat)</td>", page)
    assert sorted(cells) == ["Chat", "Email", "Email"]


def test_an_administrator_sets_someones_teams_webhook_from_the_command_line(app, world,
                                                                            receiver):
    runner = app.test_cli_runner()
    app.config.update(SLACK_BOT_TOKEN="")
    refused = runner.invoke(args=["tracker", "chat", "set", "hire@example.com",
                                  "--webhook", "http://hooks.example.com/x"])
    assert refused.exit_code != 0 and "starts with https://" in refused.output
    wrong = runner.invoke(args=["tracker", "chat", "set", "hire@example.com",
                                "--choose", "welcome=chat"])
    assert wrong.exit_code != 0 and "not a reminder kind that goes to chat" in wrong.output
    done = runner.invoke(args=["tracker", "chat", "set", "hire@example.com", "--webhook",
                               receiver.webhook_url, "--choose", "milestone_soon=chat"])
    assert done.exit_code == 0 and "saved" in done.output
    shown = runner.invoke(args=["tracker", "chat", "show", "hire@example.com"])
    assert "Chat messages go to your webhook address" in shown.output
    assert "Milestone coming up: chose chat, goes by chat" in shown.output
    assert "Pulse check-in: chose email, goes by email" in shown.output
    with app.app_context():
        sweep(DUE)
        from tracker.models import AuditEvent
        change = db.session.scalar(sa.select(AuditEvent)
                                   .where(AuditEvent.action == "preferences.chat_changed"))
        assert change.actor_id is None
    assert (world.hire, "chat") in soon_rows(app) and (world.hire, "email") not in soon_rows(app)
