"""HR's overview: the counts above the plan list, the one at-risk rule (flag, filter and counts
agree), start cohorts and sorting, at a fixed number of SQL statements."""
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from tests.conftest import count_queries, login_as
from tests.factories import make_plan, make_user
from tracker.extensions import db
from tracker.models import (
    CheckIn,
    CheckInRating,
    GoalStatus,
    Plan,
    PlanGoal,
    PlanMilestone,
    PulseCheckIn,
)
from tracker.services.at_risk import at_risk, reasons_for
from tracker.services.overview import overview, quarter_of, quarter_range

TODAY = datetime.now(timezone.utc).date()
SIGNED = datetime(2026, 1, 1, tzinfo=timezone.utc)


def finish_all(plan, *, keep_open_in=None):
    """Every goal done, except those of the milestone ``keep_open_in``."""
    for milestone in plan.milestones:
        if milestone.key.value != keep_open_in:
            for goal in milestone.goals:
                goal.status = GoalStatus.DONE


def milestone(plan, key):
    return next(m for m in plan.milestones if m.key.value == key)


@pytest.fixture
def people(app, client, library):
    """Six plans, each one reason (or nearly one) for being at risk."""
    with app.app_context():
        make_user("admin@example.com", is_admin=True)
        manager = make_user("manager@example.com")
        plans = {}

        def plan(name, start, **kw):
            plans[name] = make_plan(make_user(name=name), manager, start=start, **kw)
            return plans[name]

        # Its 30 days were due 10 days ago and are still open: overdue past the 7-day grace.
        late = plan("Lena Late", TODAY - timedelta(days=40))
        finish_all(late, keep_open_in="d30")
        milestone(late, "d30").due_date = TODAY - timedelta(days=10)
        # Due 3 days ago: late, but within the grace.
        recent = plan("Rita Recent", TODAY - timedelta(days=33))
        finish_all(recent, keep_open_in="d30")
        milestone(recent, "d30").due_date = TODAY - timedelta(days=3)
        # The latest signed check-in says off track.
        rated = plan("Otis Offtrack", TODAY - timedelta(days=10))
        finish_all(rated)
        db.session.add(CheckIn(milestone=milestone(rated, "d30"), rating=CheckInRating.OFF_TRACK,
                               hire_signed_at=SIGNED, manager_signed_at=SIGNED))
        # Off track at 30 days, on track at 60: the latest one counts, so not at risk.
        better = plan("Bea Better", TODAY - timedelta(days=10))
        finish_all(better)
        for key, rating in (("d30", CheckInRating.OFF_TRACK), ("d60", CheckInRating.ON_TRACK)):
            db.session.add(CheckIn(milestone=milestone(better, key), rating=rating,
                                   hire_signed_at=SIGNED, manager_signed_at=SIGNED))
        # The latest pulse answer is a 2.
        low = plan("Paul Pulse", TODAY - timedelta(days=10))
        finish_all(low)
        db.session.flush()
        db.session.add_all([PulseCheckIn(plan_id=low.id, due_on=TODAY - timedelta(days=14),
                                         confidence=5),
                            PulseCheckIn(plan_id=low.id, due_on=TODAY, confidence=2)])
        # Half signed, and one goal waiting for review: counted, not at risk.
        calm = plan("Cal Calm", date(TODAY.year - 1, 2, 1) if TODAY.month > 3 else
                    date(TODAY.year - 1, 5, 1), role="data-engineer")
        finish_all(calm)
        for m in calm.milestones:
            m.due_date = TODAY + timedelta(days=30 + m.position)
        db.session.add(CheckIn(milestone=milestone(calm, "d30"), hire_signed_at=SIGNED))
        db.session.flush()
        goal = calm.milestones[0].goals[0]
        goal.status = GoalStatus.SUBMITTED
        db.session.commit()
        ids = {name: p.id for name, p in plans.items()}
    login_as(client, app, "admin@example.com")
    return ids


AT_RISK = {"Lena Late": ["overdue goals"], "Otis Offtrack": ["check-in rating"],
           "Paul Pulse": ["low confidence"]}


def test_the_flag_the_filter_and_the_count_follow_one_rule(app, client, people):
    with app.app_context():
        reasons = reasons_for(list(people.values()), TODAY)
        filtered = set(db.session.scalars(sa.select(Plan.id).where(at_risk(TODAY))))
    assert {name: reasons.get(i) for name, i in people.items() if i in reasons} == AT_RISK
    assert filtered == set(reasons)  # the filter and the flag: one rule
    page = client.get("/admin/plans?risk=yes").get_data(as_text=True)
    assert {name for name in people if name in page} == set(AT_RISK)
    assert "(3)" in page and "At risk only" in page
    assert page.count('<span class="badge badge-overdue">At risk</span>') == 3
    assert "overdue goals" in page and "low confidence" in page
    everyone = client.get("/admin/plans").get_data(as_text=True)
    assert "<strong>3</strong> at risk" in everyone
    assert "more than 7 days after its milestone was due" in everyone  # the rule, explained


def test_the_thresholds_are_settings(app, client, people):
    app.config.update(AT_RISK_GRACE_DAYS=2, AT_RISK_PULSE_CONFIDENCE=1)
    page = client.get("/admin/plans?risk=yes").get_data(as_text=True)
    assert {name for name in people if name in page} == {"Lena Late", "Rita Recent",
                                                         "Otis Offtrack"}
    assert "more than 2 days after" in page and "at 1 or lower out of 5" in page


def test_the_counts_say_what_needs_attention(app, people):
    with app.app_context():
        counts = overview(TODAY)
        open_goals = db.session.scalar(
            sa.select(sa.func.count(PlanGoal.id)).join(PlanMilestone).where(
                PlanMilestone.due_date < TODAY,
                PlanGoal.status.in_([GoalStatus.OPEN, GoalStatus.SUBMITTED,
                                     GoalStatus.CHANGES_REQUESTED])))
    assert (counts.active, counts.at_risk, counts.checkins_to_sign,
            counts.waiting_review) == (6, 3, 1, 1)
    assert counts.overdue_goals == open_goals > 0


def test_cohorts_and_sorting(app, client, people):
    assert quarter_range("2026-Q3") == (date(2026, 7, 1), date(2026, 9, 30))
    assert quarter_range("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_range("2026-Q5") is None and quarter_range("x\x00") is None
    with app.app_context():
        cohort = quarter_of(db.session.get(Plan, people["Cal Calm"]).start_date)
    page = client.get("/admin/plans").get_data(as_text=True)
    assert f'<option value="{cohort}" >{cohort}</option>' in page
    only_cal = client.get(f"/admin/plans?cohort={cohort}").get_data(as_text=True)
    assert {name for name in people if name in only_cal} == {"Cal Calm"}
    by_name = client.get("/admin/plans?sort=name").get_data(as_text=True)
    order = sorted(people, key=by_name.index)
    assert order == sorted(people)
    assert '<option value="name" selected>' in by_name
    ignored = client.get("/admin/plans?sort=evil&cohort=2026-Q9").get_data(as_text=True)
    assert "(6)" in ignored  # unknown values are ignored, not errors


def test_the_overview_costs_the_same_sql_for_six_plans_or_sixteen(app, client, people):
    route = "/admin/plans?risk=yes&sort=name"
    client.get(route)
    with count_queries(app) as few:
        client.get(route)
    with app.app_context():
        manager = make_user("another.manager@example.com")
        for _ in range(10):
            make_plan(make_user(), manager, start=TODAY - timedelta(days=40))
        db.session.commit()
    client.get(route)  # works out the new plans' facts (tests/test_rollup.py counts that)
    with count_queries(app) as many:
        page = client.get(route).get_data(as_text=True)
    assert "(13)" in page  # ten more plans late on their 30 days
    assert len(many) == len(few), many


def test_plans_and_reports_filter_by_team_or_context_layer(app, client, people):
    from tracker.services.layers import layer_versions
    from tracker.services.plans import create_plan
    from tracker.services.role_versions import current_baseline, current_version

    with app.app_context():
        hire, manager = make_user(name="Tia Team"), make_user("team.manager@example.com")
        create_plan(version=current_version("data-engineer"), start=TODAY, hire=hire,
                    manager=manager, baseline=current_baseline(),
                    layers=layer_versions(["platform-team"]))
        db.session.commit()
    page = client.get("/admin/plans?layer=platform-team").get_data(as_text=True)
    assert "(1)" in page and "Tia Team" in page and "Lena Late" not in page
    assert '<option value="platform-team" selected>Platform team</option>' in page
    assert "(7)" in client.get("/admin/plans?layer=").get_data(as_text=True)
    report = client.get("/admin/reports/milestones.csv?layer=platform-team").get_data(True)
    assert [line.split(",")[0] for line in report.splitlines()[1:]] == [
        f"Data Engineer · {key}" for key in ("30 days", "60 days", "90 days", "6 months",
                                              "12 months")]
    assert client.get("/admin/reports/milestones.csv?layer=startup").get_data(
        as_text=True).count("\n") == 1  # the header only: no plan has that context


def test_each_plans_own_latest_pulse_counts_not_anyones(app, client, people):
    """Quinn's only answer, a 1, is older than Paul's latest: it is still Quinn's latest."""
    with app.app_context():
        quinn = make_plan(make_user(name="Quinn Quiet"), make_user("q.manager@example.com"),
                          start=TODAY - timedelta(days=25))
        finish_all(quinn)
        db.session.flush()
        db.session.add(PulseCheckIn(plan_id=quinn.id, due_on=TODAY - timedelta(days=20),
                                    confidence=1))
        db.session.commit()
        assert reasons_for([quinn.id], TODAY) == {quinn.id: ["low confidence"]}
    page = client.get("/admin/plans?risk=yes").get_data(as_text=True)
    assert "Quinn Quiet" in page and "Paul Pulse" in page


def test_a_company_with_many_managers_filters_by_email(app, client, people, monkeypatch):
    """Past ``MANAGER_CHOICES`` managers the list offers an email field, not a list that grows
    with the company; an address nobody manages with says so and filters nothing."""
    from tracker.services import plan_pages

    with app.app_context():
        other = make_user("other.lead@example.com")
        make_plan(make_user(name="Ola Other"), other, start=TODAY - timedelta(days=5))
        db.session.commit()
    assert 'name="manager"' in client.get("/admin/plans").get_data(as_text=True)
    monkeypatch.setattr(plan_pages, "MANAGER_CHOICES", 1)
    page = client.get("/admin/plans").get_data(as_text=True)
    assert 'name="manager_email"' in page and '<select name="manager">' not in page
    page = client.get("/admin/plans?manager_email=Other.Lead@example.com").get_data(as_text=True)
    assert "Ola Other" in page and "Lena Late" not in page and "(1)" in page
    page = client.get("/admin/plans?manager_email=nobody@example.com").get_data(as_text=True)
    assert "No plan has a manager with the email address nobody@example.com" in page
    assert 'aria-invalid="true"' in page and "Ola Other" in page and "Lena Late" in page
    with app.app_context():
        other_id = db.session.scalar(sa.select(Plan.manager_id).join(Plan.hire).where(
            sa.text("users.name = 'Ola Other'")))
    page = client.get(f"/admin/plans?manager={other_id}").get_data(as_text=True)
    assert 'value="other.lead@example.com"' in page and "Lena Late" not in page
    assert 'type="hidden" name="manager"' not in page  # clearing the field clears the filter


@pytest.mark.parametrize("cohort", ["２０２６-Q1", "0000-Q1", "9999-Q4", "²²²²-Q1", "2026-Q5"])
def test_a_cohort_that_is_no_quarter_is_ignored(app, client, people, cohort):
    assert quarter_range(cohort) is None
    for url in ("/admin/plans", "/admin/reports/late-goals", "/admin/reports/milestones",
                "/admin/plans.csv", "/admin/reports/pulses.csv"):
        assert client.get(f"{url}?cohort={cohort}").status_code == 200, url
