"""What the main pages show and what they cost in SQL (who may open them: test_access.py)."""
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from tests.conftest import count_queries, login_as
from tests.factories import PlanFactory, UserFactory, cast, days_ago, make_plan, make_user
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.models import EvidenceKind, GoalOwner
from tracker.services.goals import submit_evidence


def build_world(app):
    with app.app_context():
        # The other hire keeps a factory name ("Person n"): the admin list is checked for it.
        people = cast("admin", "manager", "other_manager", "buddy", "hire",
                      hire={"timezone": "Australia/Sydney"})
        other_hire = UserFactory(email="other.hire@example.com")
        plan = PlanFactory(hire=people.hire, manager=people.manager, buddy=people.buddy,
                           start=days_ago(40))
        other_plan = PlanFactory(hire=other_hire, manager=people.other_manager,
                                 role="data-engineer")
        db.session.commit()
        return SimpleNamespace(plan=plan.id, other_plan=other_plan.id)


world = cached_world(build_world)


def test_a_404_answers_json_to_json_clients(app, client, world):
    login_as(client, app, "hire@example.com")
    response = client.get(f"/plans/{world.other_plan}", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json["error"] == "Not Found"


def test_hire_lands_on_their_plan_with_the_timeline(app, client, world):
    login_as(client, app, "hire@example.com")
    assert client.get("/").headers["Location"] == f"/plans/{world.plan}"
    page = client.get(f"/plans/{world.plan}").get_data(as_text=True)
    assert "My plan" in page and "Maya Manager" in page and "Bea Buddy" in page
    for label in ("30 days", "60 days", "90 days", "6 months", "12 months"):
        assert label in page
    assert 'class="timeline"' in page and 'class="marker marker-' in page
    assert "60 days milestone: <strong>" in page  # day 40: working towards day 60
    assert "Get accounts and access in place" in page  # a baseline goal
    assert "Evidence to show:" in page


def test_manager_sees_the_hires_name_not_my_plan(app, client, world):
    login_as(client, app, "manager@example.com")
    page = client.get(f"/plans/{world.plan}").get_data(as_text=True)
    assert "<h1>Hana Hire's plan</h1>" in page
    home = client.get("/").get_data(as_text=True)
    assert "Hana Hire" in home and "you are the manager" in home


def test_admin_list_filters_by_role_and_manager(app, client, world):
    login_as(client, app, "admin@example.com")
    page = client.get("/admin/plans").get_data(as_text=True)
    assert "Hana Hire" in page and "Person" in page
    only_de = client.get("/admin/plans?role=data-engineer").get_data(as_text=True)
    assert "Hana Hire" not in only_de
    with app.app_context():
        from tracker.services.accounts import find_user

        manager_id = find_user("manager@example.com").id
    mine = client.get(f"/admin/plans?manager={manager_id}").get_data(as_text=True)
    assert "Hana Hire" in mine and "(1)" in mine
    nothing = client.get("/admin/plans?status=archived").get_data(as_text=True)
    assert "No plans match these filters." in nothing


def _add_plans(app, n, manager_email="manager@example.com"):
    from tracker.services.accounts import find_user

    with app.app_context():
        manager = find_user(manager_email)
        for _ in range(n):
            hire = make_user()
            plan = make_plan(hire, manager, role="mlops-engineer")
            goal = next(g for g in plan.milestones[0].goals
                        if g.evidence_required and g.owner == GoalOwner.HIRE)
            submit_evidence(plan, goal, hire, kind=EvidenceKind.NOTE, note="done")  # queue rows
        db.session.commit()


@pytest.mark.parametrize("route,viewer", [
    ("/admin/plans", "admin@example.com"),
    ("/team", "manager@example.com"),
    ("/reviews", "manager@example.com"),
    ("/", "manager@example.com"),
])
def test_list_pages_cost_the_same_sql_whatever_the_number_of_plans(app, client, world, route, viewer):
    login_as(client, app, viewer)
    client.get(route)
    with count_queries(app) as few:
        assert client.get(route).status_code == 200
    _add_plans(app, 8)
    client.get(route)  # HR's list first works out the new plans' report facts (test_rollup.py)
    with count_queries(app) as many:
        page = client.get(route)
    assert page.status_code == 200 and page.get_data(as_text=True).count("Person") >= 8
    assert len(many) == len(few), many


def test_plan_page_costs_the_same_sql_whatever_its_size(app, client, world):
    from tracker.models import CheckIn, Plan, PulseCheckIn

    with app.app_context():  # the larger plan also has check-ins and pulse answers to show
        plan = db.session.get(Plan, world.plan)
        db.session.add_all([CheckIn(milestone_id=m.id, self_assessment="ok") for m in plan.milestones])
        db.session.add_all([PulseCheckIn(plan_id=plan.id, due_on=plan.start_date + timedelta(days=d),
                                         confidence=3) for d in (7, 14, 21)])
        db.session.commit()
    login_as(client, app, "admin@example.com")
    with count_queries(app) as small:
        client.get(f"/plans/{world.other_plan}")
    with count_queries(app) as large:
        page = client.get(f"/plans/{world.plan}").get_data(as_text=True)
    assert page.count('class="trend-dot') == 3
    # user, plan with people and role, milestones, goals, evidence with authors, activity feed,
    # check-ins, pulse answers, whether the viewer manages anyone (the menu), and for those
    # who adopt template changes, whether a newer template version exists
    assert len(small) == len(large) <= 10


def test_due_next_lists_overdue_goals_first_and_done_milestones_fold_away(app, client, world):
    from tracker.models import GoalStatus, Plan

    with app.app_context():
        plan = db.session.get(Plan, world.plan)  # day 40: the 30-day milestone is overdue
        # Leave enough 30-day goals open that the card must cut its list, whatever the counts.
        keep = max(1, 9 - len(plan.milestones[1].goals))
        for goal in plan.milestones[0].goals[keep:]:
            goal.status = GoalStatus.DONE
        first_open = plan.milestones[0].goals[0].title
        db.session.commit()
    login_as(client, app, "hire@example.com")
    page = client.get(f"/plans/{world.plan}").get_data(as_text=True)
    next_card = page[page.index('id="next-heading"'):page.index("</section>", page.index('id="next-heading"'))]
    assert next_card.index(first_open) < next_card.index("60 days,")
    assert re.search(r'30 days, <strong class="warn">\d+ days? overdue</strong>', next_card)
    assert next_card.count("<li>") == 8 and "more in the milestones below" in next_card
    with app.app_context():
        for goal in db.session.get(Plan, world.plan).milestones[0].goals[:keep]:
            goal.status = GoalStatus.DONE
        db.session.commit()
    page = client.get(f"/plans/{world.plan}").get_data(as_text=True)
    assert page.count('class="finished-goals"') == 1 and "Show the" in page
