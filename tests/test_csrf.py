"""With CSRF protection on, as in production: every state change needs the form's token.

The first test walks the app's URL map, so a POST route added later is covered without anyone
remembering to list it here.
"""
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.conftest import login_as
from tests.factories import PlanFactory, cast, days_ago
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.models import AuditEvent, CheckIn, GoalOwner, GoalStatus, PlanGoal, PulseCheckIn

pytestmark = pytest.mark.csrf_on


def build_world(app):
    with app.app_context():
        people = cast("admin", "manager", "hire")
        plan = PlanFactory(hire=people.hire, manager=people.manager, start=days_ago(25))
        db.session.commit()
        d30 = plan.milestones[0]
        goal = next(g for g in d30.goals if g.owner == GoalOwner.HIRE and g.evidence_required)
        return SimpleNamespace(plan=plan.id, goal=goal.id, milestone=d30.id)


world = cached_world(build_world)


def _audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def token_from(page: str) -> str:
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("viewer", ["admin@example.com", "hire@example.com",
                                    "manager@example.com"])
def test_every_post_route_refuses_a_request_without_the_token(app, client, world, viewer):
    login_as(client, app, viewer)
    values = {"plan_id": world.plan, "goal_id": world.goal, "evidence_id": 1, "key": "d30",
              "milestone_id": world.milestone, "token": "not-checked-before-csrf",
              "notification_id": 1, "slug": "data-engineer", "milestone": "d30", "user_id": 1,
              "webhook_id": 1, "number": 1, "token_id": 1}
    before = _audit_count(app)
    # The one-click unsubscribe is exempt by design (RFC 8058; tests/test_unsubscribe.py).
    changes = [(method, rule) for rule in app.url_map.iter_rules()
               for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"})
               if rule.endpoint not in ("static", "auth.unsubscribe")]
    assert len(changes) >= 10
    for method, rule in changes:
        path = rule.build({name: values[name] for name in rule.arguments})[1]
        data = {"note": "x", "kind": "note", "confidence": "3", "self_assessment": "x",
                "decision": "approve"}
        # The API reads JSON: a session's JSON change is refused the same way (tests/test_api_*).
        sent = {"json": {"note": "x"}} if path.startswith("/api/") else {"data": data}
        response = client.open(path, method=method, **sent)
        assert response.status_code == 400, path
        assert "nothing was saved" in response.get_data(as_text=True).lower(), path
    assert _audit_count(app) == before


def test_the_forms_carry_their_token_through_a_day_of_work(app, world):
    hire, manager = app.test_client(), app.test_client()
    login_as(hire, app, "hire@example.com")
    login_as(manager, app, "manager@example.com")
    plan_url = f"/plans/{world.plan}"

    token = token_from(hire.get(plan_url).get_data(as_text=True))
    assert hire.post(f"{plan_url}/goals/{world.goal}/evidence",
                     data={"kind": "note", "note": "Mapped the systems", "csrf_token": token}
                     ).status_code == 302
    assert hire.post(f"{plan_url}/pulse", data={"confidence": "4", "csrf_token": token}
                     ).status_code == 302
    checkin_page = hire.get(f"{plan_url}/checkins/d30").get_data(as_text=True)
    assert hire.post(f"{plan_url}/checkins/d30/hire",
                     data={"self_assessment": "Good month", "csrf_token": token_from(checkin_page)}
                     ).status_code == 302

    token = token_from(manager.get(plan_url).get_data(as_text=True))
    assert manager.post(f"{plan_url}/goals/{world.goal}/review",
                        data={"decision": "approve", "csrf_token": token}).status_code == 302
    forged = manager.post(f"{plan_url}/checkins/d30/manager",
                          data={"manager_assessment": "x", "csrf_token": "not-the-token"})
    assert forged.status_code == 400

    with app.app_context():
        assert db.session.get(PlanGoal, world.goal).status == GoalStatus.APPROVED
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PulseCheckIn)) == 1
        checkin = db.session.scalar(sa.select(CheckIn))
        assert checkin.self_assessment == "Good month" and checkin.manager_assessment == ""


@pytest.mark.parametrize("viewer,path", [
    ("hire@example.com", "/plans/{plan}"), ("manager@example.com", "/plans/{plan}"),
    ("hire@example.com", "/plans/{plan}/checkins/d30"), ("admin@example.com", "/admin/plans/{plan}/edit"),
    ("admin@example.com", "/admin/hires/new"), ("hire@example.com", "/preferences"),
])
def test_a_page_of_many_forms_has_no_id_twice(app, client, world, viewer, path):
    """Each form carries its own token; ids on a page stay unique, as labels and tests rely on."""
    login_as(client, app, viewer)
    page = client.get(path.format(plan=world.plan)).get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert page.count('name="csrf_token"') >= 2
    assert sorted(i for i in set(ids) if ids.count(i) > 1) == []
