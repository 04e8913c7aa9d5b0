"""HR edits a running plan, and filters the list by milestone: each change, each refusal, access."""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.conftest import count_queries, login_as
from tests.factories import PlanFactory, cast, days_ago, make_plan, make_user
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    GoalOwner,
    GoalSource,
    GoalStatus,
    MilestoneKey,
    Plan,
    PlanGoal,
    PlanMilestone,
    PlanStatus,
)
from tracker.services.accounts import find_user
from tracker.services.due_dates import due_date
from tracker.services.plans import override_due_date

START = date.today() - timedelta(days=40)


def build_world(app):
    with app.app_context():
        people = cast("admin", "manager", "other_manager", "buddy", "hire", "other_hire")
        plan = PlanFactory(hire=people.hire, manager=people.manager, buddy=people.buddy,
                           start=START)
        other_plan = PlanFactory(hire=people.other_hire, manager=people.other_manager,
                                 role="data-engineer", start=days_ago(300))
        db.session.commit()
        return SimpleNamespace(plan=plan.id, other_plan=other_plan.id,
                               milestones={m.key: m.id for m in plan.milestones},
                               other_milestone=other_plan.milestones[0].id)


world = cached_world(build_world)


@pytest.fixture
def admin(app, client, world):
    login_as(client, app, "admin@example.com")
    return client


def load(app, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        return SimpleNamespace(
            start=plan.start_date, status=plan.status, manager=plan.manager.email,
            buddy=plan.buddy.email if plan.buddy else None,
            pulse=(plan.pulse_days_early, plan.pulse_days_late),
            dues={m.key: (m.due_date, m.due_date_override_reason) for m in plan.milestones})


def events(app, plan_id, action):
    with app.app_context():
        return [(e.before, e.after, e.actor_id) for e in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.plan_id == plan_id, AuditEvent.action == action)
            .order_by(AuditEvent.id))]


def error_beside(page: str, field_id: str) -> str:
    marker = f'<p class="error" id="{field_id}-error">'
    assert marker in page, f"no error beside {field_id}"
    return page.split(marker, 1)[1].split("</p>", 1)[0]


def refused(response, field_id: str, message: str) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in error_beside(page, field_id)
    return page


def test_edit_page_shows_every_form_filled_from_the_plan(app, admin, world):
    page = admin.get(f"/admin/plans/{world.plan}/edit").get_data(as_text=True)
    assert "Edit Hana Hire&#39;s plan" in page or "Edit Hana Hire's plan" in page
    assert f'value="{START.isoformat()}"' in page
    assert 'value="manager@example.com"' in page and 'value="buddy@example.com"' in page
    assert 'name="pulse_days_early" required type="text" value="7"' in page
    for key, milestone_id in world.milestones.items():
        assert f'/admin/plans/{world.plan}/milestones/{milestone_id}/due-date' in page
    assert "goals are still open" in page and "Mark completed" in page
    assert admin.get("/admin/plans/999999/edit").status_code == 404


# --- start date -------------------------------------------------------------------------

def test_changing_the_start_date_moves_dates_but_keeps_hand_set_ones(app, admin, world):
    with app.app_context():
        override_due_date(db.session.get(PlanMilestone, world.milestones[MilestoneKey.D60]),
                          START + timedelta(days=75), "team offsite")
        db.session.commit()
    new_start = START + timedelta(days=7)
    response = admin.post(f"/admin/plans/{world.plan}/start-date",
                          data={"start_date": new_start.isoformat()})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/plans/{world.plan}/edit#main"
    plan = load(app, world.plan)
    assert plan.start == new_start
    assert plan.dues[MilestoneKey.D60] == (START + timedelta(days=75), "team offsite")
    for key in (MilestoneKey.D30, MilestoneKey.D90, MilestoneKey.M6, MilestoneKey.M12):
        assert plan.dues[key][0] == due_date(new_start, key)
    flash = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "4 milestones moved" in flash and "1 date set by hand was kept" in flash
    [(before, after, _)] = events(app, world.plan, "plan.start_date_changed")
    assert (before, after) == ({"start_date": START.isoformat()},
                               {"start_date": new_start.isoformat()})


@pytest.mark.parametrize("value,message", [
    ("", "this is required"),
    ("soon", "Not a valid date value"),
    ((date.today() - timedelta(days=500)).isoformat(), "is more than a year ago"),
    ((date.today() + timedelta(days=1000)).isoformat(), "is more than two years ahead"),
    (START.isoformat(), "the plan already starts on that date"),
])
def test_a_bad_start_date_is_refused_beside_the_field(app, admin, world, value, message):
    page = refused(admin.post(f"/admin/plans/{world.plan}/start-date",
                              data={"start_date": value}), "start_date", message)
    assert value in page
    assert load(app, world.plan).start == START
    assert events(app, world.plan, "plan.start_date_changed") == []


# --- people ------------------------------------------------------------------------------

def test_changing_the_manager_and_removing_the_buddy_is_audited_with_emails(app, admin, world):
    response = admin.post(f"/admin/plans/{world.plan}/people",
                          data={"manager": "Other.Manager@example.com", "buddy": ""})
    assert response.status_code == 302
    plan = load(app, world.plan)
    assert (plan.manager, plan.buddy) == ("other.manager@example.com", None)
    assert [(b, a) for b, a, _ in events(app, world.plan, "plan.manager_changed")] == [
        ({"manager": "manager@example.com"}, {"manager": "other.manager@example.com"})]
    assert [(b, a) for b, a, _ in events(app, world.plan, "plan.buddy_changed")] == [
        ({"buddy": "buddy@example.com"}, {"buddy": None})]
    assert "Changed the manager and the buddy" in admin.get(
        response.headers["Location"]).get_data(as_text=True)


def test_saving_the_same_people_changes_nothing(app, admin, world):
    response = admin.post(f"/admin/plans/{world.plan}/people",
                          data={"manager": "manager@example.com", "buddy": "buddy@example.com"})
    assert response.status_code == 302
    assert events(app, world.plan, "plan.manager_changed") == []
    assert events(app, world.plan, "plan.buddy_changed") == []
    assert "Nothing to change" in admin.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("data,field,message", [
    ({"manager": "ghost@example.com"}, "manager", "nobody active has the email ghost@example.com"),
    ({"manager": "hire@example.com"}, "manager", "the manager must be someone other than the hire"),
    ({"manager": ""}, "manager", "this is required"),
    ({"manager": "manager@example.com", "buddy": "manager@example.com"}, "buddy",
     "the buddy must be someone other than the hire and the manager"),
    ({"manager": "manager@example.com", "buddy": "hire@example.com"}, "buddy",
     "the buddy must be someone other than the hire and the manager"),
    ({"manager": "manager@example.com", "buddy": "nobody@example.com"}, "buddy",
     "nobody active has the email nobody@example.com"),
])
def test_bad_people_are_refused_with_the_input_kept(app, admin, world, data, field, message):
    page = refused(admin.post(f"/admin/plans/{world.plan}/people", data=data), field, message)
    for value in data.values():
        if value:
            assert f'value="{value}"' in page
    plan = load(app, world.plan)
    assert (plan.manager, plan.buddy) == ("manager@example.com", "buddy@example.com")


# --- due dates ---------------------------------------------------------------------------

def due_url(world, key=MilestoneKey.D30):
    return f"/admin/plans/{world.plan}/milestones/{world.milestones[key]}/due-date"


def test_overriding_a_due_date_keeps_the_reason_and_shows_it(app, admin, world):
    new_due = START + timedelta(days=45)
    milestone_id = world.milestones[MilestoneKey.D30]
    response = admin.post(due_url(world), data={f"m{milestone_id}-due_date": new_due.isoformat(),
                                                f"m{milestone_id}-reason": "Laptop arrived late"})
    assert response.status_code == 302
    assert load(app, world.plan).dues[MilestoneKey.D30] == (new_due, "Laptop arrived late")
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "moved by hand" in page and "Laptop arrived late" in page
    [(before, after, _)] = events(app, world.plan, "milestone.due_date_overridden")
    assert after == {"due_date": new_due.isoformat(), "reason": "Laptop arrived late"}


@pytest.mark.parametrize("due,reason,field,message", [
    (40, "", "reason", "say why the date moves"),
    (40, "   ", "reason", "say why the date moves"),
    (None, "why", "due_date", "this is required"),
    (-3, "why", "due_date", "pick a later date"),
])
def test_a_bad_override_is_refused_beside_its_field(app, admin, world, due, reason, field,
                                                    message):
    milestone_id = world.milestones[MilestoneKey.D30]
    data = {f"m{milestone_id}-reason": reason}
    if due is not None:
        data[f"m{milestone_id}-due_date"] = (START + timedelta(days=due)).isoformat()
    page = refused(admin.post(due_url(world), data=data), f"m{milestone_id}-{field}", message)
    assert f'<details class="goal-form" id="due-{milestone_id}" open>' in page  # shown open
    if due is not None:
        assert data[f"m{milestone_id}-due_date"] in page
    assert load(app, world.plan).dues[MilestoneKey.D30][1] is None


def test_a_milestone_of_another_plan_is_not_found(app, admin, world):
    data = {"due_date": date.today().isoformat(), "reason": "sneaky"}
    assert admin.post(f"/admin/plans/{world.plan}/milestones/{world.other_milestone}/due-date",
                      data=data).status_code == 404
    assert admin.post(f"/admin/plans/{world.plan}/milestones/999999/due-date",
                      data=data).status_code == 404
    assert admin.post(f"/admin/plans/999999/milestones/{world.other_milestone}/due-date",
                      data=data).status_code == 404


# --- pulse cadence -----------------------------------------------------------------------

def test_pulse_cadence_is_saved_and_audited(app, admin, world):
    response = admin.post(f"/admin/plans/{world.plan}/pulse",
                          data={"pulse_days_early": "3", "pulse_days_late": "14"})
    assert response.status_code == 302
    assert load(app, world.plan).pulse == (3, 14)
    assert [(b, a) for b, a, _ in events(app, world.plan, "plan.pulse_cadence_changed")] == [
        ({"pulse_days_early": 7, "pulse_days_late": 30},
         {"pulse_days_early": 3, "pulse_days_late": 14})]


@pytest.mark.parametrize("early,late,field", [
    ("0", "30", "pulse_days_early"), ("7", "91", "pulse_days_late"),
    ("abc", "30", "pulse_days_early"), ("7", "", "pulse_days_late"),
    ("2.5", "30", "pulse_days_early"),
])
def test_a_bad_cadence_is_refused(app, admin, world, early, late, field):
    response = admin.post(f"/admin/plans/{world.plan}/pulse",
                          data={"pulse_days_early": early, "pulse_days_late": late})
    assert response.status_code == 422
    error_beside(response.get_data(as_text=True), field)
    assert load(app, world.plan).pulse == (7, 30)


# --- custom goals ------------------------------------------------------------------------

def test_a_custom_goal_lands_last_in_its_milestone_on_the_plan_and_in_the_audit(app, admin, world):
    milestone_id = world.milestones[MilestoneKey.D60]
    response = admin.post(f"/admin/plans/{world.plan}/goals", data={
        "milestone": str(milestone_id), "title": "Shadow the on-call rota",
        "description": "One week, with **Bea**.", "owner": "buddy",
        "evidence_hint": "Notes from the week"})  # evidence_required unticked
    assert response.status_code == 302
    with app.app_context():
        goals = db.session.scalars(sa.select(PlanGoal).where(PlanGoal.milestone_id == milestone_id)
                                   .order_by(PlanGoal.position)).all()
        added = goals[-1]
        assert added.title == "Shadow the on-call rota" and added.source == GoalSource.CUSTOM
        assert added.owner == GoalOwner.BUDDY and not added.evidence_required
        assert added.position == goals[-2].position + 1 and added.status == GoalStatus.OPEN
    assert [a for _, a, _ in events(app, world.plan, "goal.added")] == [
        {"goal": "Shadow the on-call rota", "milestone": "d60"}]
    login_as(admin, app, "hire@example.com")
    page = admin.get(f"/plans/{world.plan}").get_data(as_text=True)
    assert "One week, with **Bea**." in page
    assert "added a goal: Shadow the on-call rota" in page


@pytest.mark.parametrize("changes,field,message", [
    ({"title": ""}, "title", "give the goal a title"),
    ({"title": "x" * 161}, "title", "the title is 161 characters; the limit is 160"),
    ({"owner": "ceo"}, "owner", "Not a valid choice"),
    ({"milestone": "999999"}, "milestone", "Not a valid choice"),
])
def test_a_bad_goal_is_refused_with_the_input_kept(app, admin, world, changes, field, message):
    data = {"milestone": str(world.milestones[MilestoneKey.D30]), "title": "Meet the SRE team",
            "description": "Kept description", "owner": "hire", "evidence_required": "y"} | changes
    page = refused(admin.post(f"/admin/plans/{world.plan}/goals", data=data), field, message)
    assert "Kept description" in page
    assert events(app, world.plan, "goal.added") == []


def test_a_goal_cannot_go_to_another_plans_milestone(app, admin, world):
    response = admin.post(f"/admin/plans/{world.plan}/goals", data={
        "milestone": str(world.other_milestone), "title": "Wrong plan", "owner": "hire"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanGoal)
                                 .where(PlanGoal.title == "Wrong plan")) == 0


# --- status ------------------------------------------------------------------------------

def test_archiving_hides_the_plan_from_the_active_list(app, admin, world):
    assert "Hana Hire" in admin.get("/admin/plans").get_data(as_text=True)
    response = admin.post(f"/admin/plans/{world.plan}/status", data={"status": "archived"})
    assert response.status_code == 302 and load(app, world.plan).status == PlanStatus.ARCHIVED
    assert "Hana Hire" not in admin.get("/admin/plans").get_data(as_text=True)
    assert "Hana Hire" in admin.get("/admin/plans?status=archived").get_data(as_text=True)
    assert [(b, a) for b, a, _ in events(app, world.plan, "plan.status_changed")] == [
        ({"status": "active"}, {"status": "archived"})]
    assert admin.post(f"/admin/plans/{world.plan}/status",
                      data={"status": "active"}).status_code == 302
    assert load(app, world.plan).status == PlanStatus.ACTIVE


def test_completing_with_open_goals_is_allowed_and_says_how_many(app, admin, world):
    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count()).select_from(PlanGoal)
                                  .where(PlanGoal.plan_id == world.plan))
    response = admin.post(f"/admin/plans/{world.plan}/status", data={"status": "completed"})
    assert load(app, world.plan).status == PlanStatus.COMPLETED
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert f"The plan is now completed. {total} goals were still open." in page


@pytest.mark.parametrize("status,message", [
    ("active", "the plan is already active"), ("paused", "Not a valid choice")])
def test_a_pointless_status_change_is_refused(app, admin, world, status, message):
    refused(admin.post(f"/admin/plans/{world.plan}/status", data={"status": status}),
            "status", message)
    assert events(app, world.plan, "plan.status_changed") == []


def test_a_plan_cannot_be_reactivated_while_the_hire_has_another_active_plan(app, admin, world):
    admin.post(f"/admin/plans/{world.plan}/status", data={"status": "archived"})
    with app.app_context():
        make_plan(find_user("hire@example.com"), find_user("manager@example.com"),
                  role="data-engineer", start=date.today())
        db.session.commit()
    response = admin.post(f"/admin/plans/{world.plan}/status", data={"status": "active"})
    assert response.status_code == 422
    assert "already has another active plan" in response.get_data(as_text=True)
    assert load(app, world.plan).status == PlanStatus.ARCHIVED


# --- the "Now at" filter on the list ------------------------------------------------------

def finish(app, plan_id, keys):
    """Tick off every goal of the milestones ``keys`` straight in the database."""
    with app.app_context():
        for goal in db.session.scalars(sa.select(PlanGoal).join(PlanMilestone).where(
                PlanGoal.plan_id == plan_id, PlanMilestone.key.in_(keys))):
            goal.status = GoalStatus.WAIVED if goal.owner == GoalOwner.BUDDY else GoalStatus.DONE
        db.session.commit()


def test_now_at_matches_the_now_at_column(app, admin, world):
    """Day 40 for everyone here except Otto, at day 300: only his 12 months is still ahead."""
    done = {"Dee Sixty": ["d30"], "Nia Six": ["d30", "d60", "d90"],
            "Finn Finished": list(MilestoneKey), "Gap Sixty": ["d30", "d90"],
            "Lou Late": ["d60", "d90", "m6", "m12"]}  # only the overdue 30 days is left
    with app.app_context():
        manager = find_user("manager@example.com")
        names = {name: make_plan(make_user(name=name), manager, start=START).id for name in done}
        db.session.commit()
    for name, keys in done.items():
        finish(app, names[name], [MilestoneKey(k) for k in keys])

    def shown(query):
        page = admin.get(f"/admin/plans?{query}").get_data(as_text=True)
        everyone = ["Hana Hire", "Otto Hire", *names]
        return {name for name in everyone if name in page}

    assert shown("at=d30") == {"Lou Late"}
    assert shown("at=d60") == {"Hana Hire", "Dee Sixty", "Gap Sixty"}  # Hana's 30 days is overdue
    assert shown("at=m6") == {"Nia Six"}
    assert shown("at=m12") == {"Otto Hire"}
    assert shown("at=nonsense") == {"Hana Hire", "Otto Hire", *names}  # ignored, not an error
    assert shown("at=m12&role=data-engineer") == {"Otto Hire"}  # filters combine
    assert shown("at=m12&role=machine-learning-engineer") == set()
    page = admin.get("/admin/plans?at=d60").get_data(as_text=True)
    assert page.count("60 days · ") == 3  # the column says the same as the filter
    admin.post(f"/admin/plans/{names['Dee Sixty']}/status", data={"status": "archived"})
    assert shown("at=d60") == {"Hana Hire", "Gap Sixty"}
    assert shown("at=d60&status=archived") == {"Dee Sixty"}
    page = admin.get("/admin/plans?at=d60").get_data(as_text=True)
    assert '<option value="d60" selected>60 days</option>' in page
    assert f'href="/admin/plans/{names["Gap Sixty"]}/edit"' in page
    assert 'href="/admin/hires/new"' in page


def test_the_filtered_list_costs_the_same_sql_with_one_plan_or_nine(app, client, library):
    with app.app_context():
        make_user("admin@example.com", is_admin=True)
        manager = make_user("manager@example.com")
        make_plan(make_user(), manager, start=START)
        db.session.commit()
    login_as(client, app, "admin@example.com")
    route = "/admin/plans?status=active&at=d60&role=machine-learning-engineer"  # day 40
    client.get(route)
    with count_queries(app) as one:
        page = client.get(route)
    assert page.status_code == 200 and "(1)" in page.get_data(as_text=True)
    with app.app_context():
        manager = find_user("manager@example.com")
        for _ in range(8):
            make_plan(make_user(), manager, start=START)
        db.session.commit()
    client.get(route)  # works out the new plans' facts (tests/test_rollup.py counts that)
    with count_queries(app) as nine:
        page = client.get(route)
    assert page.status_code == 200 and "(9)" in page.get_data(as_text=True)
    assert len(nine) == len(one), nine


# --- who may do any of this --------------------------------------------------------------

VIEWERS = ["admin", "manager", "other.manager", "hire", "other.hire", "buddy", None]


def routes(world):
    """(method, url, form data that an admin gets a redirect for) for every route here."""
    d30 = world.milestones[MilestoneKey.D30]
    return [
        ("GET", f"/admin/plans/{world.plan}/edit", None),
        ("POST", f"/admin/plans/{world.plan}/start-date",
         {"start_date": (START + timedelta(days=1)).isoformat()}),
        ("POST", f"/admin/plans/{world.plan}/people",
         {"manager": "other.manager@example.com", "buddy": "buddy@example.com"}),
        ("POST", f"/admin/plans/{world.plan}/milestones/{d30}/due-date",
         {f"m{d30}-due_date": (START + timedelta(days=33)).isoformat(), f"m{d30}-reason": "r"}),
        ("POST", f"/admin/plans/{world.plan}/pulse",
         {"pulse_days_early": "5", "pulse_days_late": "20"}),
        ("POST", f"/admin/plans/{world.plan}/goals",
         {"milestone": str(d30), "title": "Extra", "owner": "hire"}),
        ("POST", f"/admin/plans/{world.plan}/status", {"status": "archived"}),
    ]


ROUTE_NAMES = ["edit", "start-date", "people", "due-date", "pulse", "goals", "status"]


@pytest.mark.parametrize("index", range(len(ROUTE_NAMES)), ids=ROUTE_NAMES)
@pytest.mark.parametrize("viewer", VIEWERS)
def test_access_matrix(app, client, world, index, viewer):
    method, url, data = routes(world)[index]
    if viewer:
        login_as(client, app, f"{viewer}@example.com")
    with app.app_context():
        audit_before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    response = client.open(url, method=method, data=data)
    expected = {"admin": 200 if method == "GET" else 302, None: 302}.get(viewer, 403)
    assert response.status_code == expected
    if viewer is None:
        assert response.headers["Location"].startswith("/login")
    with app.app_context():
        audit_after = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert audit_after == audit_before + (1 if viewer == "admin" and method == "POST" else 0)
