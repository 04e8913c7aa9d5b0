"""Rendering outbox rows into emails: one action with an absolute link, a preferences link,
escaped user content, times in the reader's zone, and a calendar invitation for check-ins.

The rows come from real sweeps over a small company, so the renderer is tested against the
payloads the sweep really writes, in an app context with no request, as the dispatcher runs.
"""
import re
from datetime import date, datetime, timezone
from email import message_from_bytes
from email.policy import default as default_policy
from email.utils import getaddresses
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import has_request_context
from icalendar import Calendar

from tests.factories import make_plan, make_user
from tracker import create_app
from tracker.extensions import db
from tracker.jobs.sweep import sweep
from tracker.mail.message import build
from tracker.mail.render import render
from tracker.models import EvidenceKind, Notification, Plan, User, utcnow
from tracker.services.goals import submit_evidence

KINDS = ("welcome", "milestone_soon", "checkin_invite", "goal_overdue", "pulse_prompt",
         "review_waiting", "digest")
SCRIPT = '<script>alert("x")</script>'
SWEEPS = ("2026-01-12 14:00", "2026-01-15 14:00", "2026-01-28 14:00", "2026-02-04 14:00",
          "2026-02-05 14:00", "2026-02-09 14:00", "2026-02-11 14:00")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.fixture
def company(app, library):
    """A plan whose hire has no password yet, a goal titled like an attack, names with
    markup in them, evidence waiting since Monday; then a sweep on each day something is due."""
    with app.app_context():
        manager = make_user("manager@example.com", name="Maya <i>Manager</i>",
                            timezone="America/New_York")
        hire = make_user("hire@example.com", name="Hana <b>Hire</b> & Co", password=None)
        make_user("hr@example.com", name="Hen HR", is_admin=True)
        plan = make_plan(hire, manager, buddy=make_user("buddy@example.com"))
        plan.created_at = at("2026-01-12 10:00")
        first = plan.milestones[0]
        goal = next(g for g in first.goals if g.owner.value == "hire")
        goal.title = SCRIPT
        waiting = [g for g in first.goals if g.owner.value == "hire" and g.evidence_required][-1]
        evidence = submit_evidence(plan, waiting, hire, kind=EvidenceKind.NOTE, note="done")
        evidence.created_at = at("2026-01-12 15:00")  # Monday 10:00 in New York
        db.session.commit()
        ids = SimpleNamespace(plan=plan.id, hire=hire.id, manager=manager.id)
    for moment in SWEEPS:
        with app.app_context():
            sweep(at(moment))
    return ids


def rows(app, kind: str) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Notification.id)
                                       .where(Notification.kind == kind)
                                       .order_by(Notification.id)))


def render_one(app, notification_id: int):
    """Render as the dispatcher does: an app context, no request, then build the message."""
    with app.app_context():
        assert not has_request_context()
        notification = db.session.get(Notification, notification_id)
        recipient = db.session.get(User, notification.recipient_id)
        plan = db.session.get(Plan, notification.plan_id) if notification.plan_id else None
        rendered = render(notification, recipient, plan)
        message = build(notification, recipient, rendered)
        assert not has_request_context()
        return rendered, message_from_bytes(message.as_bytes(), policy=default_policy)


def action_links(text: str) -> list[str]:
    return [url for url in re.findall(r"https?://\S+", text) if "/preferences/" not in url]


def expected_path(kind: str, plan_id: int) -> str:
    return {"welcome": "/welcome/", "milestone_soon": f"/plans/{plan_id}#milestone-d30",
            "checkin_invite": f"/plans/{plan_id}/checkins/d30",
            "goal_overdue": f"/plans/{plan_id}#milestone-d30",
            "pulse_prompt": f"/plans/{plan_id}#pulse", "review_waiting": "/reviews",
            "digest": "/team"}[kind]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_subject_one_action_link_and_the_preferences_link(app, company, kind):
    ids = rows(app, kind)
    assert ids, f"the sweeps queued no {kind}"
    for notification_id in ids:
        rendered, message = render_one(app, notification_id)
        assert rendered.subject and "\n" not in rendered.subject
        links = set(action_links(rendered.text))
        assert len(links) == 1, links
        [link] = links
        assert link.startswith("http://tracker.test/")
        assert expected_path(kind, company.plan) in link
        assert f'href="{link}"' in rendered.html
        assert message.get_body(("plain",)).get_content().strip()
        assert message.get_body(("html",)).get_content().strip()
        # Links carry a timestamp, so they are read back rather than built again here.
        [mine] = re.findall(r"http://tracker\.test/preferences/\S+", rendered.text)
        assert f'href="{mine}"' in rendered.html
        with app.app_context():
            from tracker.models import Notification
            from tracker.services.preferences import user_for_token

            owner = db.session.get(Notification, notification_id).recipient_id
            assert user_for_token(mine.rsplit("/", 1)[1]).id == owner
            if kind == "welcome":  # an account email: it cannot be unsubscribed from
                assert "List-Unsubscribe" not in message
                continue
            header = rendered.headers["List-Unsubscribe"]
            one_click = re.fullmatch(r"<http://tracker\.test/unsubscribe/(\S+)>", header)
            assert user_for_token(one_click.group(1)).id == owner
        assert message["List-Unsubscribe"].strip() == header  # may be folded
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize("kind", KINDS)
def test_user_content_is_escaped_in_html_and_plain_in_text(app, company, kind):
    for notification_id in rows(app, kind):
        rendered, _ = render_one(app, notification_id)
        assert "<script" not in rendered.html
        assert "<b>Hire</b>" not in rendered.html and "<i>Manager</i>" not in rendered.html
        if SCRIPT in rendered.text:
            assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in rendered.html
    titles = " ".join(render_one(app, i)[0].text for i in rows(app, "milestone_soon"))
    assert SCRIPT in titles


def test_checkin_invitation_carries_a_calendar_event_with_a_stable_uid(app, company):
    uids = set()
    for notification_id in rows(app, "checkin_invite"):
        for _ in range(2):  # rendering again (a retry) gives the same event
            rendered, message = render_one(app, notification_id)
            [attachment] = rendered.attachments
            assert attachment.filename.endswith(".ics")
            assert "method=REQUEST" in attachment.content_type
            calendar = Calendar.from_ical(attachment.data)
            assert str(calendar["method"]) == "REQUEST"
            [event] = calendar.walk("VEVENT")
            assert event.decoded("dtstart") == date(2026, 2, 4)
            attendees = {str(a).lower() for a in event.get("attendee")}
            assert attendees == {"mailto:hire@example.com", "mailto:manager@example.com"}
            uids.add(str(event["uid"]))
            [part] = [p for p in message.iter_attachments()]
            assert part.get_content_type() == "text/calendar"
            assert part.get_param("method") == "REQUEST"
    assert uids == {f"checkin-{company.plan}-d30@localhost"}  # hire and manager: one event


def test_welcome_link_opens_the_set_password_page(app, company, client):
    [notification_id] = rows(app, "welcome")
    rendered, _ = render_one(app, notification_id)
    [link] = action_links(rendered.text)
    page = client.get(link.removeprefix("http://tracker.test"))
    assert page.status_code == 200
    assert "password" in page.get_data(as_text=True).lower()


def test_times_are_shown_in_the_recipients_zone(app, company):
    [notification_id] = rows(app, "review_waiting")[:1]
    rendered, _ = render_one(app, notification_id)
    assert "Mon 12 Jan 2026, 10:00 (America/New_York)" in rendered.text


def test_links_follow_a_base_url_with_a_path_prefix(app, company):
    other = create_app("testing", DATABASE_URL=app.config["DATABASE_URL"],
                       BASE_URL="https://people.example.com/onboarding/")
    try:
        for kind in ("checkin_invite", "welcome"):
            rendered, _ = render_one(other, rows(app, kind)[0])
            [link] = action_links(rendered.text)
            assert link.startswith("https://people.example.com/onboarding/")
            assert "https://people.example.com/onboarding/preferences/" in rendered.text
    finally:
        with other.app_context():
            db.engine.dispose()


def test_an_unknown_kind_is_refused_clearly(app, company):
    with app.app_context():
        notification = Notification(dedupe_key="x", kind="carrier_pigeon", recipient_id=1,
                                    payload={})
        with pytest.raises(ValueError, match="carrier_pigeon"):
            render(notification, db.session.get(User, company.hire), None)


def test_the_kinds_enum_is_exactly_what_the_sweeps_produce_and_each_renders(app, company):
    """Every kind is made by a sweep, except the password reset, which a request makes."""
    from tracker.reminders.kinds import NotificationKind
    from tracker.services.password_reset import request_reset

    with app.app_context():
        request_reset("hire@example.com", "127.0.0.1")
        db.session.commit()
        produced = set(db.session.scalars(sa.select(Notification.kind).distinct()))
    assert produced == {kind.value for kind in NotificationKind} == {*KINDS, "password_reset"}
    for kind in NotificationKind:
        rendered, _ = render_one(app, rows(app, kind)[0])
        assert rendered.subject and rendered.text.strip() and rendered.html.strip()


def test_a_display_name_with_an_address_in_it_stays_a_name_in_the_to_header(app, library):
    """Only the real address may be read from To:, whatever someone typed as their name."""
    with app.app_context():
        hire = make_user("hana@example.com", name="Évé <eve@evil.example>")
        plan = make_plan(hire, make_user())
        db.session.flush()
        notification = Notification(recipient=hire, plan=plan, kind="welcome",
                                    dedupe_key="welcome:test", payload={}, send_after=utcnow())
        db.session.add(notification)
        db.session.flush()
        message = build(notification, hire, render(notification, hire, plan))
        parsed = message_from_bytes(message.as_bytes(), policy=default_policy)
        assert [a.addr_spec for a in parsed["To"].addresses] == ["hana@example.com"]
        assert [address for _, address in getaddresses([str(parsed["To"])])] == ["hana@example.com"]
