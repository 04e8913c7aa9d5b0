"""Every route × every kind of viewer, with the status each must get.

Requests that are allowed carry input the app refuses (422), so the walk changes nothing and one
world serves every route; the one exception, withdrawing evidence, runs last. A route missing
from the table fails ``test_every_route_is_in_the_matrix``, so new routes cannot slip past.
"""
import io
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import FileStorage

from tests.conftest import login_as
from tests.factories import PlanFactory, cast, days_ago
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.models import EvidenceKind, GoalOwner
from tracker.services import access_tokens, drafts, webhooks
from tracker.services.goals import submit_evidence
from tracker.services.role_versions import current_version

VIEWERS = ["admin", "manager", "other.manager", "hire", "other.hire", "buddy", None]
NONE_LOGGED_IN = {None: 302}  # anonymous: sent to the login page, for every route


def everyone(status: int) -> dict:
    return {v: status for v in VIEWERS[:-1]} | NONE_LOGGED_IN


def only_admin(status: int) -> dict:
    return {v: 403 for v in VIEWERS[:-1]} | {"admin": status} | NONE_LOGGED_IN


def plan_people(*, admin, manager, hire, buddy, strangers=404) -> dict:
    return {"admin": admin, "manager": manager, "hire": hire, "buddy": buddy,
            "other.manager": strangers, "other.hire": strangers} | NONE_LOGGED_IN


def body(**fields) -> tuple:
    """A JSON body for an API route, kept hashable for the table's keys."""
    return tuple(sorted(fields.items()))


def api(statuses: dict) -> dict:
    """The same statuses over the API, where nobody signed in gets a 401, not the login page."""
    return statuses | {None: 401}


ON_PLAN = plan_people(admin=200, manager=200, hire=200, buddy=200)
HIRE_ACTS = plan_people(admin=403, manager=403, hire=422, buddy=403)
MANAGER_ACTS = plan_people(admin=403, manager=422, hire=403, buddy=403)
ADOPTERS_SEE = plan_people(admin=200, manager=200, hire=403, buddy=403)
ADOPTERS_ACT = plan_people(admin=422, manager=422, hire=403, buddy=403)

# (method, endpoint, url, urlencoded form) -> expected status per viewer
MATRIX = {
    ("GET", "plans.home", "/", None): {
        "admin": 302, "manager": 200, "other.manager": 200, "hire": 302, "other.hire": 302,
        "buddy": 200} | NONE_LOGGED_IN,
    ("GET", "plans.show", "/plans/{plan}", None): ON_PLAN,
    ("GET", "plans.show", "/plans/{other_plan}", None): {
        "admin": 200, "manager": 404, "other.manager": 200, "hire": 404, "other.hire": 200,
        "buddy": 404} | NONE_LOGGED_IN,
    ("GET", "plans.show", "/plans/999999", None): everyone(404),
    ("GET", "reviews.team_page", "/team", None): everyone(200),
    ("GET", "reviews.queue", "/reviews", None): everyone(200),
    ("GET", "plans.download", "/evidence/{file_evidence}/file", None): ON_PLAN,
    ("GET", "checkins.show", "/plans/{plan}/checkins/d30", None):
        plan_people(admin=200, manager=200, hire=200, buddy=403),
    ("POST", "plans.add_evidence", "/plans/{plan}/goals/{goal}/evidence", "kind=note&note="): HIRE_ACTS,
    ("POST", "plans.mark_done", "/plans/{plan}/goals/{goal}/done", ""): HIRE_ACTS,
    ("POST", "plans.review", "/plans/{plan}/goals/{goal}/review", "decision=changes&comment="): MANAGER_ACTS,
    ("POST", "plans.waive", "/plans/{plan}/goals/{goal}/waive", "reason="): MANAGER_ACTS,
    ("POST", "plans.edit", "/evidence/{evidence}/edit", "note="): HIRE_ACTS,
    ("POST", "checkins.save_hire", "/plans/{plan}/checkins/d30/hire", "self_assessment=" + "x" * 10_001): HIRE_ACTS,
    ("POST", "checkins.save_manager", "/plans/{plan}/checkins/d30/manager", "rating=superb"): MANAGER_ACTS,
    ("POST", "checkins.sign", "/plans/{plan}/checkins/d30/sign", ""):
        plan_people(admin=403, manager=422, hire=422, buddy=403),
    ("POST", "plans.answer_pulse", "/plans/{plan}/pulse", "confidence=9"): HIRE_ACTS,
    # The plan is on the latest templates: nothing to adopt, so each decision is refused.
    ("GET", "plans.template_changes", "/plans/{plan}/template-changes", None): ADOPTERS_SEE,
    ("POST", "plans.adopt_change", "/plans/{plan}/template-changes/adopt", "change=role:x"):
        ADOPTERS_ACT,
    ("POST", "plans.adopt_all_changes", "/plans/{plan}/template-changes/adopt-all", ""):
        ADOPTERS_ACT,
    ("POST", "plans.stay_on_version", "/plans/{plan}/template-changes/stay", ""): ADOPTERS_ACT,
    ("GET", "auth.preferences", "/preferences", None): everyone(200),
    ("POST", "auth.preferences", "/preferences", "preference=sometimes"): everyone(422),
    ("POST", "auth.chat_preferences", "/preferences/chat", "webhook_url=ftp://x"): everyone(422),
    # Each person's own calendar address: making one changes nothing another route reads, and
    # turning it off when it is off changes nothing at all.
    ("POST", "calendar.turn_off", "/calendar/address/off", ""): everyone(302),
    ("POST", "calendar.new_address", "/calendar/address", ""): everyone(200),
    # Personal access tokens: a token needs a name, and the hire's token is already revoked,
    # so its owner and admins are told so and nothing changes; anyone else finds no token.
    ("POST", "auth.create_token", "/preferences/tokens", "name="): everyone(422),
    ("POST", "auth.revoke_token", "/preferences/tokens/{token}/revoke", ""):
        {v: 404 for v in VIEWERS[:-1]} | {"admin": 302, "hire": 302} | NONE_LOGGED_IN,
    ("POST", "auth.revoke_token", "/preferences/tokens/999999/revoke", ""): everyone(404),
    ("GET", "admin.plans", "/admin/plans", None): only_admin(200),
    ("GET", "admin.outbox", "/admin/outbox", None): only_admin(200),
    ("GET", "studio.index", "/studio/", None): only_admin(200),
    ("GET", "studio.show", "/studio/machine-learning-engineer", None): only_admin(200),
    # The studio: the world has a draft of the data engineer, and every save names no revision.
    ("GET", "studio.draft", "/studio/data-engineer/draft", None): only_admin(200),
    ("POST", "studio.start_editing", "/studio/no-such-role/edit", ""): only_admin(404),
    ("POST", "studio.save_details", "/studio/data-engineer/draft/details", "name=x"):
        only_admin(422),
    ("POST", "studio.save_milestone", "/studio/data-engineer/draft/milestones/d30", "title=x"):
        only_admin(422),
    ("POST", "studio.add_goal", "/studio/data-engineer/draft/goals", "milestone=d30"):
        only_admin(422),
    ("POST", "studio.save_goal", "/studio/data-engineer/draft/goals/x", "title=x"):
        only_admin(422),
    ("POST", "studio.move_goal", "/studio/data-engineer/draft/goals/x/move", "direction=up"):
        only_admin(422),
    ("POST", "studio.remove_goal", "/studio/data-engineer/draft/goals/x/remove", ""):
        only_admin(422),
    ("POST", "studio.reorder", "/studio/data-engineer/draft/order", ""): only_admin(422),
    ("POST", "studio.publish", "/studio/data-engineer/draft/publish", "note=x"):
        only_admin(422),
    ("POST", "studio.discard", "/studio/data-engineer/draft/discard", ""): only_admin(422),
    ("GET", "studio.new_template", "/studio/new", None): only_admin(200),
    ("POST", "studio.new_template", "/studio/new", "start=copy&name=X+role"): only_admin(422),
    ("GET", "studio.editors", "/studio/editors", None): only_admin(200),
    ("POST", "studio.grant_editor", "/studio/editors", "email="): only_admin(422),
    ("POST", "studio.remove_editor", "/studio/editors/999999/remove", ""): only_admin(404),
    ("GET", "studio.compare_versions", "/studio/machine-learning-engineer/compare", None):
        only_admin(200),
    ("GET", "studio.upload", "/studio/files/upload", None): only_admin(200),
    ("POST", "studio.upload", "/studio/files/upload", "note="): only_admin(422),
    ("GET", "studio.download_template", "/studio/files/machine-learning-engineer.yaml", None):
        only_admin(200),
    ("GET", "studio.download_library", "/studio/files/library.zip", None): only_admin(200),
    ("GET", "studio.preview_plan", "/studio/preview/plan?layers=startup&start_date=x", None):
        only_admin(422),
    ("POST", "admin.requeue_notification", "/admin/outbox/999999/requeue", ""): only_admin(404),
    ("GET", "admin.webhooks_page", "/admin/webhooks", None): only_admin(200),
    ("POST", "admin.webhooks_page", "/admin/webhooks", "url="): only_admin(422),
    ("GET", "admin.webhook_log", "/admin/webhooks/{webhook}", None): only_admin(200),
    ("POST", "admin.test_webhook", "/admin/webhooks/999999/test", ""): only_admin(404),
    ("POST", "admin.turn_off_webhook", "/admin/webhooks/999999/off", ""): only_admin(404),
    ("POST", "admin.turn_on_webhook", "/admin/webhooks/999999/on", ""): only_admin(404),
    ("POST", "admin.delete_webhook", "/admin/webhooks/999999/delete", ""): only_admin(404),
    ("GET", "admin.new_hire", "/admin/hires/new", None): only_admin(200),
    ("GET", "admin.import_hires_page", "/admin/hires/import", None): only_admin(200),
    ("POST", "admin.import_hires_page", "/admin/hires/import", "check=y"): only_admin(422),
    ("GET", "admin.import_example", "/admin/hires/import/example.csv", None): only_admin(200),
    ("GET", "admin.reports", "/admin/reports", None): only_admin(200),
    ("GET", "admin.report", "/admin/reports/pulses", None): only_admin(200),
    ("GET", "admin.report_csv", "/admin/reports/no-such-report.csv", None): only_admin(404),
    ("GET", "admin.late_goals_report", "/admin/reports/late-goals", None): only_admin(200),
    ("GET", "admin.late_goals_csv", "/admin/reports/late-goals.csv", None): only_admin(200),
    ("GET", "admin.plans_csv", "/admin/plans.csv", None): only_admin(200),
    ("GET", "admin.goals_csv", "/admin/goals.csv", None): only_admin(200),
    ("POST", "admin.new_hire", "/admin/hires/new", "create=Create+hire+and+plan"):
        only_admin(422),
    ("GET", "admin.edit_plan", "/admin/plans/{plan}/edit", None): only_admin(200),
    ("POST", "admin.change_start", "/admin/plans/{plan}/start-date", "start_date="):
        only_admin(422),
    ("POST", "admin.change_people", "/admin/plans/{plan}/people", "manager="):
        only_admin(422),
    ("POST", "admin.override_due", "/admin/plans/{plan}/milestones/{milestone}/due-date", "due_date=2026-12-01&reason="): only_admin(422),
    ("POST", "admin.change_pulse", "/admin/plans/{plan}/pulse", "pulse_days_early=0&pulse_days_late=30"): only_admin(422),
    ("POST", "admin.add_goal", "/admin/plans/{plan}/goals", "title="): only_admin(422),
    ("POST", "admin.change_status", "/admin/plans/{plan}/status", "status=deleted"):
        only_admin(422),
    ("POST", "admin.new_invitation", "/admin/plans/{plan}/invitation", ""): only_admin(302),
    # The JSON API: a body() is sent as JSON; signed out is a 401, never a redirect.
    ("GET", "api.openapi", "/api/v1/openapi.json", None): everyone(200) | {None: 200},
    ("GET", "api.openapi_docs", "/api/v1/docs/openapi.json", None): everyone(200) | {None: 200},
    ("GET", "api.docs", "/api/v1/docs", None): everyone(200) | {None: 200},
    ("GET", "api.me", "/api/v1/me", None): api(everyone(200)),
    ("GET", "api.list_roles", "/api/v1/roles", None): api(everyone(200)),
    ("GET", "api.show_role", "/api/v1/roles/data-engineer", None): api(everyone(200)),
    ("GET", "api.show_version", "/api/v1/roles/data-engineer/versions/1", None):
        api(everyone(200)),
    ("GET", "api.list_plans", "/api/v1/plans", None): api(everyone(200)),
    ("POST", "api.create_plan", "/api/v1/plans", body(
        name="", email="", role="", start_date="2026-12-01", manager_email="")):
        api(only_admin(422)),
    ("GET", "api.show_plan", "/api/v1/plans/{plan}", None): api(ON_PLAN),
    ("PATCH", "api.update_plan", "/api/v1/plans/{plan}", body(start_date="1900-01-01")):
        api(plan_people(admin=422, manager=403, hire=403, buddy=403)),
    ("POST", "api.import_plans", "/api/v1/hires/import", body(csv="", dry_run=False)):
        api(only_admin(422)),
    ("GET", "api.list_goals", "/api/v1/plans/{plan}/goals", None): api(ON_PLAN),
    ("GET", "api.show_goal", "/api/v1/plans/{plan}/goals/{goal}", None): api(ON_PLAN),
    ("POST", "api.add_evidence", "/api/v1/plans/{plan}/goals/{goal}/evidence",
     body(kind="note", note="")): api(HIRE_ACTS),
    ("POST", "api.review", "/api/v1/plans/{plan}/goals/{goal}/review",
     body(approve=False, comment="")): api(MANAGER_ACTS),
    ("POST", "api.mark_done", "/api/v1/plans/{plan}/goals/{goal}/done", body()): api(HIRE_ACTS),
    ("POST", "api.waive", "/api/v1/plans/{plan}/goals/{goal}/waive", body(reason="")):
        api(MANAGER_ACTS),
    ("GET", "api.list_checkins", "/api/v1/plans/{plan}/checkins", None):
        api(plan_people(admin=200, manager=200, hire=200, buddy=403)),
    ("PUT", "api.write_hire_half", "/api/v1/plans/{plan}/checkins/d30/hire",
     body(self_assessment="x" * 10_001)): api(HIRE_ACTS),
    ("PUT", "api.write_manager_half", "/api/v1/plans/{plan}/checkins/d30/manager",
     body(assessment="x" * 10_001)): api(MANAGER_ACTS),
    ("POST", "api.sign", "/api/v1/plans/{plan}/checkins/d30/sign", body(digest="old")):
        api(plan_people(admin=403, manager=422, hire=422, buddy=403)),
    ("GET", "api.list_pulses", "/api/v1/plans/{plan}/pulses", None):
        api(plan_people(admin=200, manager=200, hire=200, buddy=403)),
    ("POST", "api.answer_pulse", "/api/v1/plans/{plan}/pulses",
     body(confidence=3, win="x" * 10_000)): api(HIRE_ACTS),
    ("GET", "api.list_notifications", "/api/v1/notifications", None): api(only_admin(200)),
    # Last: for its author this one succeeds and changes the evidence.
    ("POST", "plans.withdraw", "/evidence/{evidence}/withdraw", ""):
        plan_people(admin=403, manager=403, hire=302, buddy=403),
    # And after it, the one that archives the plan for HR.
    ("POST", "api.archive_plan", "/api/v1/plans/{plan}/archive", body()):
        api(plan_people(admin=200, manager=403, hire=403, buddy=403)),
}
# Open to anyone by design: signing in and out and asking for a reset link (test_auth,
# test_password_reset), and the set-password, reset, email preference and unsubscribe pages
# and the calendar feed, where the link itself is the access check (test_invitations,
# test_password_reset, test_preferences, test_unsubscribe, test_calendar_feed).
EXEMPT = {"auth.login", "auth.logout", "auth.logout_everywhere", "auth.welcome",
          "auth.preferences_from_email", "auth.unsubscribe", "auth.forgot_password",
          "auth.reset_password", "calendar.feed", "static",
          # Single sign-on: public by nature (the way in), 404 without OIDC_* settings;
          # tests/test_sso.py walks them against a real provider.
          "auth.sso_start", "auth.sso_callback"}


def build_world(app):
    with app.app_context():
        people = cast("admin", "manager", "other_manager", "hire", "other_hire", "buddy")
        plan = PlanFactory(hire=people.hire, manager=people.manager, buddy=people.buddy,
                           start=days_ago(25))
        PlanFactory(hire=people.other_hire, manager=people.other_manager)
        goals = [g for g in plan.milestones[0].goals
                 if g.owner == GoalOwner.HIRE and g.evidence_required]
        evidence = submit_evidence(plan, goals[1], people.hire, kind=EvidenceKind.NOTE, note="draft")
        upload = FileStorage(io.BytesIO(b"%PDF-1.4 notes"), "notes.pdf", content_type="application/pdf")
        file_evidence = submit_evidence(plan, goals[2], people.hire, kind=EvidenceKind.FILE,
                                        upload=upload)
        drafts.start_from(current_version("data-engineer"), people.admin)
        webhook, _ = webhooks.create_endpoint("https://hooks.example.com/onboarding",
                                              ["hire.created"], people.admin)
        token, _ = access_tokens.create_token(people.hire, "HRIS sync", read_only=True)
        access_tokens.revoke(token, people.hire)
        db.session.commit()
        return SimpleNamespace(plan=plan.id, other_plan=plan.id + 1, goal=goals[0].id,
                               milestone=plan.milestones[0].id, evidence=evidence.id,
                               file_evidence=file_evidence.id, webhook=webhook.id,
                               token=token.id)


world = cached_world(build_world)


def test_every_route_is_in_the_matrix(app):
    listed = {endpoint for _, endpoint, _, _ in MATRIX}
    routes = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert routes - listed - EXEMPT == set()
    methods = {(m, r.endpoint) for r in app.url_map.iter_rules()
               for m in r.methods & {"GET", "POST", "PUT", "PATCH", "DELETE"}}
    assert {(m, e) for m, e, _, _ in MATRIX} == {(m, e) for m, e in methods if e not in EXEMPT}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_access_matrix(app, client, world, viewer):
    if viewer:
        login_as(client, app, f"{viewer}@example.com")
    got, expected = {}, {}
    for (method, endpoint, url, form), statuses in MATRIX.items():
        path = url.format(**vars(world))
        if isinstance(form, tuple):
            response = client.open(path, method=method, json=dict(form))
        else:
            response = client.get(path) if method == "GET" else client.post(
                path, data=form, content_type="application/x-www-form-urlencoded")
        got[method, path] = response.status_code
        expected[method, path] = statuses[viewer]
        if viewer is None and response.status_code == 302:
            assert response.headers["Location"].startswith("/login"), path
    assert got == expected
