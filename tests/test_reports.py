"""Reports and exports (issue 10): "which goals run late for data scientists who started last
quarter", answered from a report, downloaded as CSV and opened in the studio; plans and goals
as CSV, streamed, with the list's own filters."""
import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from tests.conftest import count_queries, login_as
from tests.factories import make_plan, make_user
from tracker.extensions import db
from tracker.models import GoalStatus, PlanGoal
from tracker.services.overview import quarter_of

TODAY = datetime.now(timezone.utc).date()
LAST_QUARTER_DAY = date(TODAY.year, 3 * ((TODAY.month - 1) // 3) + 1, 1) - timedelta(days=20)
LAST_QUARTER = quarter_of(LAST_QUARTER_DAY)


def first_goals(plan, n=2):
    return plan.milestones[0].goals[:n]


@pytest.fixture
def world(app, client, library):
    """Two data scientists from last quarter: the same first goal still open in both (late),
    the second finished late in one; a third data scientist from this quarter and an ML engineer
    from last quarter, whose goals are on time, must not show in the filtered report."""
    with app.app_context():
        make_user("admin@example.com", is_admin=True)
        manager = make_user("manager@example.com")
        ana = make_plan(make_user(name="Ana Data"), manager, role="data-scientist",
                        start=LAST_QUARTER_DAY)
        bo = make_plan(make_user(name="Bo Data"), manager, role="data-scientist",
                       start=LAST_QUARTER_DAY - timedelta(days=7))
        new = make_plan(make_user(name="=HYPERLINK(\"x\")"), manager, role="data-scientist",
                        start=TODAY)
        mle = make_plan(make_user(name="Max Engineer"), manager, start=LAST_QUARTER_DAY)
        for plan in (ana, bo, new, mle):  # everything due so far done on time...
            for milestone in plan.milestones:
                for goal in milestone.goals if milestone.due_date < TODAY else ():
                    goal.status = GoalStatus.DONE
                    goal.finished_at = datetime.combine(plan.start_date, datetime.min.time(),
                                                        tzinfo=timezone.utc)
        late_goal, second = first_goals(ana)  # ...but one goal still open in Ana's and Bo's
        for goal in (late_goal, first_goals(bo)[0]):
            goal.status, goal.finished_at = GoalStatus.OPEN, None
        second.finished_at = datetime.combine(ana.milestones[0].due_date + timedelta(days=5),
                                              datetime.min.time(), tzinfo=timezone.utc)
        db.session.commit()
        found = {"key": late_goal.template_goal.key, "title": late_goal.title,
                 "template": late_goal.template_goal.milestone.version.template.slug}
    login_as(client, app, "admin@example.com")
    return found


def test_hr_finds_the_goals_late_for_last_quarters_data_scientists(app, client, world):
    url = f"/admin/reports/late-goals?role=data-scientist&cohort={LAST_QUARTER}"
    page = client.get(url).get_data(as_text=True)
    table = page[page.index("<tbody>"):]
    first_row = table[:table.index("</tr>")]
    assert world["title"] in first_row and "2 <span" in first_row and "(100%)" in first_row
    assert f'href="/studio/{world["template"]}#goal-{world["key"]}"' in first_row
    assert '<svg viewBox' in page and 'class="bar"' in page  # the picture, beside the numbers
    studio = client.get(f"/studio/{world['template']}").get_data(as_text=True)
    assert f'id="goal-{world["key"]}"' in studio

    download = client.get(f"/admin/reports/late-goals.csv?role=data-scientist"
                          f"&cohort={LAST_QUARTER}")
    assert download.mimetype == "text/csv" and "attachment" in download.headers[
        "Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert rows[0]["goal_key"] == world["key"] and rows[0]["late"] == "2"
    assert rows[0]["plans"] == "2" and rows[0]["late_percent"] == "100"
    second = next(r for r in rows if r["late"] == "1")  # finished five days after its date
    assert second["plans"] == "2"
    assert {r["template"] for r in rows} <= {"data-scientist", "company-baseline"}


def test_the_unfiltered_report_counts_every_plan(app, client, world):
    rows = list(csv.DictReader(io.StringIO(client.get(
        "/admin/reports/late-goals.csv").get_data(as_text=True))))
    first = next(r for r in rows if r["goal_key"] == world["key"])
    assert world["template"] == "company-baseline"  # the baseline's goals come first
    assert first["plans"] == "4"  # so every plan has it, the ML engineer's too


def test_plans_and_goals_export_stream_what_the_list_shows(app, client, world):
    response = client.get("/admin/plans.csv?role=data-scientist", buffered=False)
    assert response.is_streamed  # written out as the rows are read, not built whole first
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    response.close()
    assert sorted(r["hire"] for r in rows) == ["'=HYPERLINK(\"x\")", "Ana Data", "Bo Data"]
    ana = next(r for r in rows if r["hire"] == "Ana Data")
    with app.app_context():
        of_ana = PlanGoal.plan_id == int(ana["plan_id"])
        goals = db.session.scalar(sa.select(sa.func.count(PlanGoal.id)).where(of_ana))
        done = db.session.scalar(sa.select(sa.func.count(PlanGoal.id)).where(
            of_ana, PlanGoal.status == GoalStatus.DONE))
    assert (int(ana["goals"]), int(ana["finished"])) == (goals, done) and 0 < done < goals
    assert ana["at_risk"] == "yes" and int(ana["overdue_goals"]) >= 1
    goal_rows = list(csv.DictReader(io.StringIO(client.get(
        "/admin/goals.csv?role=data-scientist").get_data(as_text=True))))
    with app.app_context():
        expected = db.session.scalar(sa.select(sa.func.count(PlanGoal.id)).where(
            PlanGoal.plan_id.in_([int(r["plan_id"]) for r in rows])))
    assert len(goal_rows) == expected
    assert {r["goal_key"] for r in goal_rows} >= {world["key"]}


def test_the_report_costs_the_same_sql_for_four_plans_or_fourteen(app, client, world):
    url = "/admin/reports/late-goals?role=data-scientist"
    client.get(url)
    with count_queries(app) as few:
        client.get(url)
    with app.app_context():
        manager = make_user("more.manager@example.com")
        for _ in range(10):
            make_plan(make_user(), manager, role="data-scientist", start=LAST_QUARTER_DAY)
        db.session.commit()
    client.get(url)  # works out the new plans' facts (tests/test_rollup.py counts that)
    with count_queries(app) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def report_csv(client, name, query="role=data-scientist"):
    response = client.get(f"/admin/reports/{name}.csv?{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_milestone_completion_per_role(app, client, world):
    rows = report_csv(client, "milestones")
    assert rows[0] == ["role_milestone", "on_time", "late", "open"]
    d30 = next(r for r in rows if r[0] == "Data Scientist · 30 days")
    assert d30[1:] == ["0", "2", "1"]  # Ana's and Bo's open past the date; the new hire's not due
    page = client.get("/admin/reports/milestones?role=data-scientist").get_data(as_text=True)
    assert 'class="bar-chart"' in page and "Data Scientist · 30 days" in page


def test_ratings_pulses_and_review_times(app, client, world):
    from tracker.models import CheckIn, CheckInRating, Evidence, EvidenceKind, Plan, PulseCheckIn
    from tracker.services.goals import submit_evidence

    with app.app_context():
        ana, bo = (db.session.scalar(sa.select(Plan).join(Plan.hire).where(
            sa.text("users.name = :n")).params(n=name)) for name in ("Ana Data", "Bo Data"))
        db.session.add_all([
            CheckIn(milestone=ana.milestones[0], rating=CheckInRating.ON_TRACK),
            CheckIn(milestone=bo.milestones[0], rating=CheckInRating.AT_RISK),
            PulseCheckIn(plan_id=ana.id, due_on=ana.start_date + timedelta(days=3), confidence=4),
            PulseCheckIn(plan_id=bo.id, due_on=bo.start_date + timedelta(days=4), confidence=2),
            PulseCheckIn(plan_id=bo.id, due_on=bo.start_date + timedelta(days=10), confidence=5)])
        goal = next(g for g in ana.milestones[0].goals
                    if g.evidence_required and g.owner.value == "hire")
        goal.status = GoalStatus.OPEN
        evidence = submit_evidence(ana, goal, ana.hire, kind=EvidenceKind.NOTE, note="done")
        evidence.created_at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        evidence.reviewer = ana.manager
        evidence.reviewed_at = datetime(2026, 3, 2, 14, 30, tzinfo=timezone.utc)
        manager = ana.manager.name
        db.session.commit()
        assert db.session.get(Evidence, evidence.id).reviewed_at is not None
    ratings = report_csv(client, "check-ins")
    assert ratings[0] == ["milestone", "on_track", "at_risk", "off_track"]
    assert ratings[1] == ["30 days", "1", "1", "0"]
    pulses = report_csv(client, "pulses")
    assert pulses[1:] == [["Week 1", "3.0", "2"], ["Week 2", "5.0", "1"]]
    reviews = report_csv(client, "reviews")
    assert reviews[1:] == [[manager, "1", "5.5", "5.5"]]
    for name in ("check-ins", "pulses", "reviews"):
        page = client.get(f"/admin/reports/{name}?role=data-scientist").get_data(as_text=True)
        assert 'class="bar-chart"' in page and "as numbers</caption>" in page
    assert client.get("/admin/reports/nonsense").status_code == 404
    assert "Goals that run late" in client.get("/admin/reports").get_data(as_text=True)


@pytest.mark.parametrize("name", ["milestones", "check-ins", "pulses", "reviews"])
def test_each_report_costs_the_same_sql_whatever_the_plans(app, client, world, name):
    client.get(f"/admin/reports/{name}")
    with count_queries(app) as few:
        client.get(f"/admin/reports/{name}")
    with app.app_context():
        manager = make_user("even.more@example.com")
        for _ in range(5):
            make_plan(make_user(), manager, role="data-scientist", start=LAST_QUARTER_DAY)
        db.session.commit()
    client.get(f"/admin/reports/{name}")  # works out the new plans' facts
    with count_queries(app) as many:
        assert client.get(f"/admin/reports/{name}").status_code == 200
    assert len(many) == len(few)


def test_the_reviews_page_shows_the_slowest_and_the_csv_every_reviewer(app, client, world,
                                                                       monkeypatch):
    """A company has a reviewer per team: the page shows the slowest ``REVIEWERS_SHOWN``
    and says how many more the CSV holds."""
    from tracker.admin import reports
    from tracker.models import Evidence, EvidenceKind, EvidenceStatus, Plan

    with app.app_context():
        plan = db.session.scalar(sa.select(Plan).order_by(Plan.id))
        fast, slow = make_user(name="Fay Fast"), make_user(name="Sol Slow")
        for reviewer, hours in ((fast, 1), (slow, 30)):
            db.session.add(Evidence(
                goal=plan.milestones[0].goals[0], author_id=plan.hire_id, kind=EvidenceKind.NOTE,
                note="done", status=EvidenceStatus.APPROVED, reviewer=reviewer,
                created_at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc),
                reviewed_at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc) + timedelta(hours=hours)))
        db.session.commit()
    monkeypatch.setattr(reports, "REVIEWERS_SHOWN", 1)
    page = client.get("/admin/reports/reviews").get_data(as_text=True)
    assert "Sol Slow" in page and "Fay Fast" not in page
    assert "The 1 slowest are shown; 1 more is in the CSV." in page
    rows = report_csv(client, "reviews", query="")
    assert [row[0] for row in rows[1:]] == ["Sol Slow", "Fay Fast"]
    assert rows[1][1:] == ["1", "30.0", "30.0"]


def test_every_report_reads_the_same_live_or_from_the_totals(app, client, world, monkeypatch):
    """With more plans waiting than a page works out itself, the reports read the live
    statements; once worked out, the totals: the same CSVs either way."""
    from tracker.services import rollup

    names = ["late-goals", "milestones", "check-ins", "pulses", "reviews"]
    monkeypatch.setattr(rollup, "INLINE_LIMIT", 0)
    with app.app_context():
        assert rollup._due(TODAY, 1)  # nothing worked out yet: every report reads live
    live = {name: report_csv(client, name, query="") for name in names}
    monkeypatch.setattr(rollup, "INLINE_LIMIT", 2000)
    totals = {name: report_csv(client, name, query="") for name in names}
    with app.app_context():
        assert not rollup._due(TODAY, 1)
    assert totals == live
    assert len(live["late-goals"]) > 1 and len(live["milestones"]) > 1
