"""The admin outbox: a refused message goes dead, shows with the server's words, and re-queues."""
import sqlalchemy as sa

from tests.conftest import count_queries, login_as
from tests.factories import make_plan, make_user
from tests.outbox_data import queue
from tracker.extensions import db
from tracker.jobs.dispatch import dispatch
from tracker.models import Notification, NotificationStatus as S


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
    assert "Hana Hire" in page and "hana@example.com: SMTP 452 4.2.2 Mailbox full, try later" in page
    assert "<strong>dead</strong>" in page and "Re-queue" in page
    assert "The next sweep would queue" in page

    smtp_server.recorder.refuse = None
    back = client.post(f"/admin/outbox/{ids[0]}/requeue", data={"back": "/admin/outbox?status=dead"})
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
