"""The admin outbox: a refused message goes dead, shows with the server's words, and re-queues."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import count_queries, login_as
from tests.factories import make_plan, make_user
from tests.outbox_data import queue
from tracker.extensions import db
from tracker.jobs.dispatch import dispatch
from tracker.jobs.sweep import sweep
from tracker.models import Notification, utcnow
from tracker.models import NotificationStatus as S
from tracker.reminders.kinds import label_of
from tracker.services.accounts import find_user
from tracker.services.site_policy import requeue_notification


def test_dead_message_is_visible_and_requeue_sends_it(app, client, library, smtp_server):
    app.config["DISPATCH_MAX_ATTEMPTS"] = 2
    with app.app_context():
        make_user("hr@example.com", is_admin=True)
        hire = make_user("hana@example.com", name="Hana Hire")
        ids = queue(make_plan(hire, make_user()), hire, 1)
        db.session.commit()
    smtp_server.recorder.refuse = "452 4.2.2 Mailbox full, try later"
    with app.app_context():
        assert dispatch().retried == 1
        db.session.execute(sa.update(Notification).values(send_after=sa.func.now()))
        db.session.commit()
        assert dispatch().dead == 1
    login_as(client, app, "hr@example.com")
    page = client.get("/admin/outbox?status=dead").get_data(as_text=True)
    assert "Hana Hire" in page
    assert "hana@example.com: SMTP 452 4.2.2 Mailbox full, try later" in page
    assert "<strong>dead</strong>" in page and "Re-queue" in page
    assert "Preview what the next sweep would queue" in page

    smtp_server.recorder.refuse = None
    back = client.post(f"/admin/outbox/{ids[0]}/requeue",
                       data={"back": "/admin/outbox?status=dead"})
    assert back.status_code == 302 and back.headers["Location"] == "/admin/outbox?status=dead"
    again = client.post(f"/admin/outbox/{ids[0]}/requeue", data={"back": "https://evil.example/"},
                        follow_redirects=False)
    assert again.headers["Location"] == "/admin/outbox"  # no open redirect; and refused:
    with app.app_context():
        assert db.session.get(Notification, ids[0]).status == S.PENDING
        assert dispatch().sent == 1
    assert len(smtp_server.recorder.messages) == 1
    assert "Hana Hire" in client.get("/admin/outbox?status=sent").get_data(as_text=True)


def test_the_outbox_page_costs_the_same_sql_for_few_and_many_messages(app, client, library):
    with app.app_context():
        make_user("hr@example.com", is_admin=True)
        hire = make_user()
        plan = make_plan(hire, make_user())
        queue(plan, hire, 2, prefix="few")
        db.session.commit()
        plan_id = plan.id
    login_as(client, app, "hr@example.com")
    client.get("/admin/outbox")
    with count_queries(app) as few:
        client.get("/admin/outbox")
    with app.app_context():
        from tracker.models import Plan

        for n in range(6):
            other = make_user()
            queue(db.session.get(Plan, plan_id), other, 5, prefix=f"many{n}")
        db.session.commit()
    with count_queries(app) as many:
        assert client.get("/admin/outbox").status_code == 200
    assert len(many) == len(few)


def test_long_lists_page_and_keep_their_filters(app, client, library):
    app.config["ADMIN_PAGE_SIZE"] = 2
    with app.app_context():
        make_user("hr@example.com", is_admin=True)
        hire = make_user()
        queue(make_plan(hire, make_user()), hire, 3)
        db.session.commit()
    login_as(client, app, "hr@example.com")
    first = client.get("/admin/outbox?status=pending").get_data(as_text=True)
    assert "Page 1 of 2" in first and 'href="/admin/outbox?page=2&amp;status=pending"' in first
    second = client.get("/admin/outbox?status=pending&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and second.count("<tr class=\"outbox-") == 1
    plans = client.get("/admin/plans?status=all").get_data(as_text=True)
    assert "(1)" in plans and 'class="pager"' not in plans


def _sweep_tables(statements: list[str]) -> set[str]:
    """The tables only a sweep reads; the outbox list itself never touches them."""
    return {table for table in ("plan_milestones", "plan_goals", "pulse_checkins", "checkins")
            if any(re.search(rf"\b{table}\b", statement) for statement in statements)}


def test_a_plain_view_runs_no_sweep_and_the_preview_shows_what_a_dry_run_sweep_would(
        app, client, library):
    with app.app_context():
        make_user("hr@example.com", is_admin=True)
        manager = make_user()
        for weeks in (0, 3, 5, 9):  # some welcomes, some milestone and pulse reminders
            make_plan(make_user(password=None), manager,
                      start=date.today() - timedelta(weeks=weeks))
        db.session.commit()
    login_as(client, app, "hr@example.com")
    client.get("/admin/outbox")
    with count_queries(app) as plain:
        page = client.get("/admin/outbox").get_data(as_text=True)
    assert _sweep_tables(plain) == set()
    assert 'id="sweep-preview"' not in page
    assert 'name="preview" value="1"' in page

    with app.app_context():
        would = sweep(utcnow(), dry_run=True).counts
    with count_queries(app) as asked:
        shown = client.get("/admin/outbox?preview=1").get_data(as_text=True)
    assert _sweep_tables(asked)  # the counter sees a sweep when one runs
    assert would.get("welcome") == 4, would
    [line] = re.findall(r'<p id="sweep-preview">(.*?)</p>', shown, re.S)
    pairs = dict(re.findall(r"([^:·]+?): <strong>(\d+)</strong>", line))
    expected = {("Recorded as missed (too late to send)" if kind == "skipped_stale"
                 else label_of(kind)): str(count) for kind, count in would.items() if count}
    assert {label.strip(): count for label, count in pairs.items()} == expected
    with app.app_context():  # previewing queued nothing
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_the_requeue_button_shows_exactly_when_the_policy_allows_and_so_does_the_action(
        app, client, library):
    with app.app_context():
        make_user("hr@example.com", is_admin=True)
        hire = make_user()
        plan = make_plan(hire, make_user())
        ids = queue(plan, hire, len(S))
        for notification_id, status in zip(ids, S):
            db.session.get(Notification, notification_id).status = status
        db.session.commit()
        admin = find_user("hr@example.com")
        allowed = {n.id: bool(requeue_notification(admin, n)) for n in
                   db.session.scalars(sa.select(Notification).where(Notification.id.in_(ids)))}
        by_status = {db.session.get(Notification, i).status: allowed[i] for i in ids}
    # Only what the dispatcher gave up on goes back: never a pending, sending or sent message.
    assert {status for status, yes in by_status.items() if yes} == {
        S.DEAD, S.FAILED, S.SKIPPED, S.SKIPPED_STALE}
    login_as(client, app, "hr@example.com")
    page = client.get("/admin/outbox").get_data(as_text=True)
    shown = {int(i) for i in re.findall(r'action="/admin/outbox/(\d+)/requeue"', page)}
    assert shown == {i for i, yes in allowed.items() if yes}

    for notification_id in ids:
        with app.app_context():
            before = db.session.get(Notification, notification_id).status
        answer = client.post(f"/admin/outbox/{notification_id}/requeue",
                             data={"back": "/admin/outbox?status=dead"})
        assert answer.status_code == 302
        with app.app_context():
            after = db.session.get(Notification, notification_id).status
        assert (after == S.PENDING and before != S.PENDING) == allowed[notification_id], before


@pytest.fixture
def dead_message(app, library) -> int:
    """One message the dispatcher gave up on, and an HR person to look at it."""
    with app.app_context():
        make_user("hr@example.com", is_admin=True)
        hire = make_user()
        [notification_id] = queue(make_plan(hire, make_user()), hire, 1)
        db.session.get(Notification, notification_id).status = S.DEAD
        db.session.commit()
    return notification_id


def test_requeue_refuses_a_return_address_off_the_site(app, client, dead_message):
    notification_id = dead_message
    login_as(client, app, "hr@example.com")
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        answer = client.post(f"/admin/outbox/{notification_id}/requeue", data={"back": evil})
        assert answer.headers["Location"] == "/admin/outbox"
        with app.app_context():
            assert db.session.get(Notification, notification_id).status == S.DEAD
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "not queued again: that return address is not a page of this site" in page


@pytest.mark.parametrize("blank", ["\n" * 65, " \r\n\t"], ids=["line breaks", "white space"])
def test_requeue_refuses_a_return_address_of_blank_lines(app, client, dead_message, blank):
    """Found by the route fuzz: blank lines passed as "no address" and went into the
    Location header, which cannot hold a line break (500)."""
    login_as(client, app, "hr@example.com")
    answer = client.post(f"/admin/outbox/{dead_message}/requeue", data={"back": blank})
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/outbox"
    with app.app_context():
        assert db.session.get(Notification, dead_message).status == S.DEAD


@pytest.mark.csrf_on
def test_requeue_from_the_page_carries_its_token_with_csrf_on_as_in_production(
        app, client, dead_message):
    notification_id = dead_message
    login_as(client, app, "hr@example.com")
    page = client.get("/admin/outbox?status=dead").get_data(as_text=True)
    [form] = re.findall(rf'<form method="post" action="/admin/outbox/{notification_id}/requeue">'
                        r"(.*?)</form>", page, re.S)
    fields = dict(re.findall(r'<input name="(\w+)" type="hidden" value="([^"]*)"', form))
    assert set(fields) == {"csrf_token", "back"} and 'id="' not in form
    without = client.post(f"/admin/outbox/{notification_id}/requeue", data={"back": fields["back"]})
    assert without.status_code == 400
    answer = client.post(f"/admin/outbox/{notification_id}/requeue", data=fields)
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/outbox?status=dead"
    with app.app_context():
        assert db.session.get(Notification, notification_id).status == S.PENDING
