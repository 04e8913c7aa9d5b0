"""The dispatcher against a real SMTP server: once each, retries, dead letters, skips, leases."""
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.factories import PlanFactory, cast, make_plan, make_user
from tests.worlds import cached_world
from tests.outbox_data import queue
from tracker.extensions import db
from tracker.jobs.claim import claim, finish
from tracker.jobs.dispatch import dispatch
from tracker.models import Notification, NotificationStatus as S, PlanStatus, utcnow


def build_world(app):
    with app.app_context():
        people = cast("manager", "hire", hire={"timezone": "Europe/Berlin"})
        plan = PlanFactory(hire=people.hire, manager=people.manager)
        ids = queue(plan, people.hire, 5)
        db.session.commit()
        return SimpleNamespace(plan=plan.id, hire=people.hire.id, ids=ids)


world = cached_world(build_world)


def rows(app):
    with app.app_context():
        return {n.id: n for n in db.session.scalars(sa.select(Notification))}


def test_each_due_message_goes_out_once_with_a_stable_message_id(app, world, smtp_server):
    with app.app_context():
        report = dispatch()
        assert (report.sent, report.failed, report.skipped) == (5, 0, 0)
        assert dispatch().sent == 0  # nothing left
    received = smtp_server.recorder.messages
    assert len(received) == 5 and len(set(smtp_server.recorder.ids())) == 5
    assert all(m["To"] == "Hana Hire <hire@example.com>" for m in received)
    assert received[0].get_body(("plain",)) and received[0].get_body(("html",))
    stored = rows(app)
    assert {n.status for n in stored.values()} == {S.SENT}
    first = stored[world.ids[0]]
    assert received[0]["Message-ID"].startswith(f"<n{first.id}.")
    assert received[0]["X-Tracker-Notification"] == first.dedupe_key
    assert all(n.attempts == 1 and n.sent_at and n.lease_until is None for n in stored.values())


def test_a_refusing_server_means_backoff_then_dead_and_the_server_words_are_kept(app, world, smtp_server):
    smtp_server.recorder.refuse = "451 4.3.0 Mailbox busy, try again later"
    app.config.update(DISPATCH_MAX_ATTEMPTS=3, DISPATCH_BACKOFF_SECONDS=60)
    clock = utcnow()
    with app.app_context():
        first = dispatch(clock)
    assert (first.sent, first.retried, first.dead) == (0, 5, 0)
    after_first = rows(app)
    for n in after_first.values():
        assert n.status == S.FAILED and n.attempts == 1
        assert "SMTP 451" in n.last_error and "Mailbox busy, try again later" in n.last_error
        assert timedelta(seconds=30) <= n.send_after - clock <= timedelta(seconds=90)  # jitter
    with app.app_context():
        assert dispatch(clock + timedelta(seconds=20)).sent == 0  # not due again yet
        second = dispatch(clock + timedelta(minutes=2))
        assert second.retried == 5
        gaps = [n.send_after - (clock + timedelta(minutes=2)) for n in rows(app).values()]
        assert all(timedelta(seconds=60) <= gap <= timedelta(seconds=180) for gap in gaps)
        third = dispatch(clock + timedelta(hours=1))
    assert third.dead == 5 and {n.status for n in rows(app).values()} == {S.DEAD}
    assert smtp_server.recorder.messages == []


def test_a_permanent_refusal_is_dead_at_once(app, world, smtp_server):
    smtp_server.recorder.refuse = "550 5.1.1 No such user here"
    with app.app_context():
        report = dispatch()
    assert report.dead == 5 and report.retried == 0
    assert all("SMTP 550" in n.last_error for n in rows(app).values())


def test_archived_plans_and_deactivated_people_are_skipped_with_the_reason(app, world, smtp_server):
    with app.app_context():
        from tracker.models import Plan

        other_manager = make_user()
        other = make_user("leaver@example.com", active=False)
        other_plan = make_plan(other, other_manager)
        leaver_ids = queue(other_plan, other, 2, prefix="leaver")
        db.session.get(Plan, world.plan).status = PlanStatus.ARCHIVED
        db.session.commit()
        report = dispatch()
    assert (report.sent, report.skipped) == (0, 7)
    stored = rows(app)
    assert {stored[i].skip_reason for i in world.ids} == {"the plan is archived"}
    assert {stored[i].skip_reason for i in leaver_ids} == {"the recipient's account is deactivated"}
    assert smtp_server.recorder.messages == []


def test_a_lost_lease_is_taken_over_and_the_late_dispatcher_cannot_overwrite(app, world):
    import time

    with app.app_context():
        first = claim(utcnow(), batch=10, lease_seconds=1, max_attempts=6)
        assert first.ids == world.ids
        assert claim(utcnow(), batch=10, lease_seconds=1, max_attempts=6).ids == []  # held
        time.sleep(1.1)
        second = claim(utcnow(), batch=10, lease_seconds=60, max_attempts=6)
        assert second.ids == world.ids  # the lease ran out: taken over
        assert not finish(world.ids[0], first.lease_until, status=S.SENT)  # too late
        assert finish(world.ids[0], second.lease_until, status=S.SENT)
    stored = rows(app)
    assert stored[world.ids[0]].status == S.SENT and stored[world.ids[0]].attempts == 2


def test_a_replayed_clock_never_hands_out_expired_leases(app, world):
    with app.app_context():
        replay = claim(utcnow() - timedelta(days=1), batch=10, lease_seconds=60, max_attempts=6)
        assert replay.ids == []  # nothing was due yesterday
        later = claim(utcnow() + timedelta(days=365), batch=10, lease_seconds=60, max_attempts=6)
        assert later.ids == world.ids
        assert timedelta(seconds=59) < later.lease_until - utcnow() < timedelta(seconds=62)
        assert claim(utcnow(), batch=10, lease_seconds=60, max_attempts=6).ids == []  # still ours


def test_a_message_that_kills_its_dispatcher_every_time_ends_dead(app, world):
    import time

    with app.app_context():
        for _ in range(2):  # claimed, then the dispatcher "dies" and the lease runs out
            assert claim(utcnow(), batch=10, lease_seconds=1, max_attempts=2).ids == world.ids
            time.sleep(1.1)
        assert claim(utcnow(), batch=10, lease_seconds=1, max_attempts=2).ids == []
    stored = rows(app)
    assert {n.status for n in stored.values()} == {S.DEAD}
    assert all("stopped while sending it" in n.last_error for n in stored.values())


def test_a_mail_server_failure_stops_the_run_and_kills_nothing(app, world, smtp_server):
    smtp_server.recorder.refuse_sender = "530 5.7.0 Authentication required"
    with app.app_context():
        report = dispatch()
    assert report.stopped and "SMTP 530" in report.stopped
    assert (report.sent, report.dead, report.retried) == (0, 0, 1)
    stored = rows(app)
    assert {n.status for n in stored.values()} == {S.FAILED}
    assert sorted(n.attempts for n in stored.values()) == [0, 0, 0, 0, 1]  # only one was tried
    assert all("Authentication required" in n.last_error for n in stored.values())
    smtp_server.recorder.refuse_sender = None
    with app.app_context():
        assert dispatch(utcnow() + timedelta(hours=1)).sent == 5


def test_the_file_backend_writes_one_eml_per_message_and_a_retry_overwrites(app, world, tmp_path):
    app.config.update(MAIL_BACKEND="file", MAIL_FILE_DIR=str(tmp_path / "mail"))
    with app.app_context():
        assert dispatch().sent == 5
        files = sorted((tmp_path / "mail").glob("*.eml"))
        assert len(files) == 5
        db.session.execute(sa.update(Notification).values(status=S.PENDING))  # send them again
        db.session.commit()
        assert dispatch().sent == 5
    assert sorted((tmp_path / "mail").glob("*.eml")) == files
    assert b"Message-ID: <n" in files[0].read_bytes()


def test_dispatch_cli_reports_and_dry_run_sends_nothing(app, world, runner, smtp_server):
    dry = runner.invoke(args=["tracker", "dispatch", "--dry-run"])
    assert dry.exit_code == 0 and "would send 5: pulse_prompt 5" in dry.output
    assert smtp_server.recorder.messages == []
    done = runner.invoke(args=["tracker", "dispatch", "--once"])
    assert done.exit_code == 0, done.output
    assert "sent 5, failed 0 (retried 0, dead 0), skipped 0" in done.output
    assert len(smtp_server.recorder.messages) == 5


def test_mail_test_sends_one_message_and_prints_the_server_error_in_full(app, runner, smtp_server):
    ok = runner.invoke(args=["tracker", "mail", "test", "ops@example.com"])
    assert ok.exit_code == 0 and "Sent a test message to ops@example.com" in ok.output
    assert smtp_server.recorder.messages[0]["To"] == "ops@example.com"
    smtp_server.recorder.refuse = "554 5.7.1 Relay access denied for this client, ask the admin"
    refused = runner.invoke(args=["tracker", "mail", "test", "ops@example.com"])
    assert refused.exit_code == 1
    assert "SMTP 554" in refused.output and "Relay access denied for this client, ask the admin" in refused.output


def test_sweep_cli_queues_once_and_explains_a_bad_time(app, world, runner):
    from tracker.models import Plan

    with app.app_context():
        plan = db.session.get(Plan, world.plan)
        moment = plan.milestones[0].due_date.isoformat() + "T12:00:00+00:00"
    dry = runner.invoke(args=["tracker", "sweep", "--now", moment, "--dry-run"])
    assert dry.exit_code == 0 and dry.output.startswith("would queue ")
    before = len(rows(app))
    first = runner.invoke(args=["tracker", "sweep", "--now", moment])
    assert first.exit_code == 0 and "checkin_invite 2" in first.output, first.output
    assert len(rows(app)) > before
    again = runner.invoke(args=["tracker", "sweep", "--now", moment])
    assert again.output.startswith("queued 0: nothing")
    bad = runner.invoke(args=["tracker", "sweep", "--now", "next tuesday"])
    assert bad.exit_code == 2 and "is not an ISO-8601 time" in bad.output


def test_a_message_for_someone_no_longer_in_that_role_is_skipped(app, world, smtp_server):
    from tracker.models import Plan

    with app.app_context():
        plan = db.session.get(Plan, world.plan)
        old_manager = plan.manager
        db.session.execute(sa.update(Notification).values(recipient_id=old_manager.id))
        plan.manager = make_user("new.manager@example.com")  # reassigned before the send
        db.session.commit()
        report = dispatch()
        reasons = set(db.session.scalars(sa.select(Notification.skip_reason)))
    assert report.skipped == 5 and smtp_server.recorder.messages == []
    assert reasons == {"the recipient no longer has the role this message was for"}
