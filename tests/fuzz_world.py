"""The world tests/test_fuzz_routes.py fuzzes: the demo company, seen by four visitors, and
the values that take a request as far as it can go."""
from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from tests.outbox_data import queue
from tracker.extensions import db
from tracker.models import (
    Evidence,
    EvidenceKind,
    GoalOwner,
    GoalStatus,
    Notification,
    NotificationStatus,
    Plan,
    PlanMilestone,
    RoleTemplate,
    User,
)
from tracker.services import access_tokens, drafts, webhooks
from tracker.services.calendar_feeds import make_address
from tracker.services.demo import DEMO_DOMAIN, seed_demo
from tracker.services.goals import submit_evidence
from tracker.services.invitations import invitation_token
from tracker.services.preferences import preferences_token
from tracker.services.role_versions import current_version

VISITORS = {"anonymous": None, "new hire": f"ben.okafor@{DEMO_DOMAIN}",
            "manager": f"maya.chen@{DEMO_DOMAIN}", "HR admin": f"hr.admin@{DEMO_DOMAIN}"}


def build_world(app):
    """The demo company, plus what some routes need to go deep: a file to download, evidence
    waiting for review, a dead message to send again and working links from emails."""
    with app.app_context():
        seed_demo()
        ben = db.session.scalar(sa.select(User).where(User.email == VISITORS["new hire"]))
        plan = db.session.scalar(sa.select(Plan).where(Plan.hire_id == ben.id))
        open_goals = [g for g in plan.milestones[0].goals if g.status == GoalStatus.OPEN
                      and g.owner == GoalOwner.HIRE and g.evidence_required]
        upload = FileStorage(io.BytesIO(b"%PDF-1.4 notes"), "notes.pdf")
        submit_evidence(plan, open_goals[0], ben, kind=EvidenceKind.FILE, upload=upload)
        submit_evidence(plan, open_goals[1], ben, kind=EvidenceKind.NOTE, note="Mapped it.")
        dead = queue(plan, ben, 2, prefix="fuzz")[0]
        db.session.get(Notification, dead).status = NotificationStatus.DEAD
        felix = db.session.scalar(sa.select(User).where(User.email.like("felix.wagner@%")))
        felix.edits_templates = True
        draft = drafts.start_from(current_version("data-engineer"), felix)
        maya = db.session.scalar(sa.select(User).where(User.email == VISITORS["manager"]))
        calendar = make_address(maya)  # a live feed, with her team's plans in it
        hr = db.session.scalar(sa.select(User).where(User.email == VISITORS["HR admin"]))
        webhook, _ = webhooks.create_endpoint("https://hooks.example.com/onboarding",
                                              ["hire.created", "goal.approved"], hr)
        webhooks.send_test(webhook, hr)  # a delivery in its log
        token, _ = access_tokens.create_token(ben, "HRIS sync", read_only=True)
        db.session.commit()

        def ids(column, *where):
            return list(db.session.scalars(sa.select(column).where(*where).order_by(column)))

        emails = ids(User.email)
        return SimpleNamespace(
            # Path values, the most useful first: Ben's plan, his open goals, his evidence.
            path={"plan_id": [plan.id, *ids(Plan.id)],
                  "goal_id": [g.id for g in open_goals[::-1] + plan.milestones[0].goals],
                  "evidence_id": ids(Evidence.id, Evidence.author_id == ben.id)[::-1][:4]
                  + ids(Evidence.id)[:1],
                  "milestone_id": ids(PlanMilestone.id, PlanMilestone.plan_id == plan.id),
                  "notification_id": [dead, *ids(Notification.id)], "key": ["d30"] * 4,
                  "token": [invitation_token(felix), preferences_token(ben), calendar],
                  # The studio: a template with an open draft, one of its goal keys, editors.
                  "slug": ["data-engineer", "machine-learning-engineer"],
                  "milestone": ["d30", "m12"], "number": [1, 2],
                  "name": ["milestones", "check-ins", "pulses", "reviews"], "user_id": [felix.id, *ids(User.id)[:2]],
                  "webhook_id": [webhook.id], "token_id": [token.id]},
            # Form values that get a request as far as it can go, by field name (by route too,
            # where a route needs its own).
            typical={"email": "nia.new@example.com", "name": "Nia New", "role": "data-engineer",
                     "manager": VISITORS["manager"], "buddy": "", "timezone": "Europe/Berlin",
                     "milestone": str(plan.milestones[1].id), "decision": "approve",
                     "kind": "link", "url": "https://example.com/notes", "confidence": "4",
                     "rating": "on_track", "preference": "digest", "status": "archived",
                     "password": "a long enough password", "confirm": "a long enough password",
                     "next": "/team", "back": "/admin/outbox?status=dead",
                     "due_date": (plan.start_date + timedelta(days=100)).isoformat(),
                     "revision": str(draft.revision), "title": "A goal from the fuzz",
                     "start": "copy", "copy_of": "data-engineer", "slug": "fuzz-role",
                     "events": "plan.completed",
                     "webhook_url": "http://127.0.0.1:9/webhookb2/fuzz",  # loopback: testing
                     "studio.add_goal": {"milestone": "d60"},
                     "studio.save_goal": {"milestone": "d30"},
                     # A known account: an unknown one costs a deliberately slow hash.
                     "auth.login": {"email": ben.email, "password": "not the password"}},
            known={"email": emails, "manager": emails, "buddy": emails,
                   "role": ids(RoleTemplate.slug), "copy_of": ids(RoleTemplate.slug),
                   "catalogue": ["nlp-llm-engineer", "data-engineer", "no-such-role"], "timezone": ["UTC", "Europe/Berlin", "Mars"],
                   "layers": ["platform-team", "startup", "data-engineer", ""],
                   "milestone": ids(PlanMilestone.id, PlanMilestone.plan_id == plan.id),
                   "next": ["/team", "//evil.example"], "back": ["https://evil.example/"],
                   "url": ["https://example.com/notes", "http://[", "ftp://example.com/"]},
            goal_notes=[f"goal-{goal.id}" for goal in plan.milestones[0].goals[:3]])
