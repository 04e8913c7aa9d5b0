"""The report totals (services/rollup.py) give exactly what the live statements give, after
every kind of write and as days pass without one, for every filter the reports take; a reader
catches up on what changed at a fixed cost in statements, and falls back to the live statements
when too much is waiting, when asked about an earlier day, or when thresholds change."""
import random
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from tests.conftest import count_queries
from tests.factories import make_plan, make_user
from tracker.extensions import db
from tracker.models import (
    CheckIn,
    CheckInRating,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    GoalStatus,
    Plan,
    PlanLayer,
    PlanStatus,
    PulseCheckIn,
    ReportState,
    RoleTemplate,
    RoleVersion,
    TemplateKind,
)
from tracker.services import report_tables, rollup, rollup_read
from tracker.services.overview import overview, quarter_of
from tracker.services.reports import late_goals, plan_filter

START = date(2026, 3, 2)
TABLES = {"milestones": lambda where, today: report_tables.milestone_completion(where, today),
          "check-ins": lambda where, today: report_tables.checkin_ratings(where),
          "pulses": lambda where, today: report_tables.pulse_by_week(where),
          "reviews": lambda where, today: report_tables.review_times(where)}
AT = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)


def layer_versions() -> dict[str, int]:
    return dict(db.session.execute(
        sa.select(RoleTemplate.slug, sa.func.max(RoleVersion.id)).join(RoleVersion)
        .where(RoleTemplate.kind == TemplateKind.LAYER).group_by(RoleTemplate.slug)).all())


def company(rng: random.Random, plans: int = 14) -> None:
    manager, other = make_user(name="Mia Manager"), make_user(name="Olu Other")
    layers = sorted(layer_versions().items())
    for n in range(plans):
        plan = make_plan(make_user(), rng.choice([manager, other]),
                         role=rng.choice(["machine-learning-engineer", "data-scientist"]),
                         start=START - timedelta(days=rng.randint(0, 200)))
        if layers and rng.random() < 0.5:
            db.session.add(PlanLayer(plan=plan, position=0, version_id=rng.choice(layers)[1]))
    db.session.flush()


def filters() -> list[dict]:
    layers = sorted(layer_versions())
    chosen = [{}, {"role": "data-scientist"}, {"role": "machine-learning-engineer"},
              {"cohort": quarter_of(START)}, {"cohort": quarter_of(START - timedelta(days=120))},
              {"role": "data-scientist", "cohort": quarter_of(START)},
              {"role": "nobody"}, {"cohort": "someday"}, {"cohort": "２０２６-Q1"}]
    return chosen + [{"layer": slug} for slug in layers[:2]] + [{"layer": "no-such-layer"}]


def assert_same(today: date) -> None:
    """Every report and the overview, from the totals and live, for every filter."""
    assert rollup.ready(today)
    assert rollup_read.overview_counts(today) == overview(today)
    for given in filters():
        where = plan_filter(**given)[0]
        assert rollup_read.late_goals(given, today) == late_goals(where, today), given
        for name, live in TABLES.items():
            assert rollup_read.report_table(name, given, today, where) == live(where, today), (
                name, given)
        assert (rollup_read.report_table("reviews", given, today, where, limit=1)
                == report_tables.review_times(where, limit=1)), given


def change_something(rng: random.Random, today: date) -> str:
    """One write through the ORM, as the app's pages make them."""
    plans = db.session.scalars(sa.select(Plan).order_by(Plan.id)).all()
    plan = rng.choice(plans)
    milestone = rng.choice(plan.milestones)
    kind = rng.choice(["goal", "goal", "goal", "due", "checkin", "pulse", "status", "start",
                       "layer", "evidence"])
    if kind == "goal" and milestone.goals:
        goal = rng.choice(milestone.goals)
        goal.status = rng.choice(list(GoalStatus))
        goal.finished_at = (None if not goal.status.is_finished else datetime.combine(
            milestone.due_date + timedelta(days=rng.randint(-5, 5)), datetime.min.time(),
            tzinfo=timezone.utc))
    elif kind == "due":
        milestone.due_date = today + timedelta(days=rng.choice([-9, -8, -1, 0, 1, 2, 6]))
    elif kind == "checkin":
        checkin = db.session.scalar(sa.select(CheckIn).where(CheckIn.milestone_id == milestone.id))
        if checkin is None:
            db.session.add(CheckIn(milestone=milestone, rating=rng.choice([None, *CheckInRating]),
                                   hire_signed_at=rng.choice([None, AT])))
        elif rng.random() < 0.3:
            db.session.delete(checkin)
        else:
            checkin.rating = rng.choice([None, *CheckInRating])
            checkin.manager_signed_at = rng.choice([None, AT])
    elif kind == "pulse":
        db.session.add(PulseCheckIn(plan_id=plan.id, confidence=rng.randint(1, 5),
                                    due_on=plan.start_date + timedelta(days=rng.randint(0, 90))))
    elif kind == "status":
        plan.status = rng.choice(list(PlanStatus))
    elif kind == "start":
        plan.start_date = plan.start_date - timedelta(days=rng.choice([1, 40, 95]))
    elif kind == "layer":
        if plan.layers:
            db.session.delete(plan.layers[0])
        else:
            db.session.add(PlanLayer(plan=plan, position=0,
                                     version_id=rng.choice(sorted(layer_versions().values()))))
    elif kind == "evidence" and milestone.goals:
        goal = rng.choice(milestone.goals)
        db.session.add(Evidence(
            goal=goal, author_id=plan.hire_id, kind=EvidenceKind.NOTE, note="done",
            status=rng.choice([EvidenceStatus.APPROVED, EvidenceStatus.CHANGES_REQUESTED]),
            reviewer_id=plan.manager_id,
            created_at=AT, reviewed_at=AT + timedelta(minutes=rng.randint(1, 5000))))
    db.session.commit()
    return kind


@pytest.mark.parametrize("seed", [1, 2])
def test_totals_equal_the_live_reports_through_writes_and_days(app, library, seed):
    rng = random.Random(seed)
    with app.app_context():
        company(rng)
        db.session.commit()
        today = START + timedelta(days=20)
        assert_same(today)
        kinds = set()
        for step in range(30):
            for _ in range(rng.randint(1, 3)):
                kinds.add(change_something(rng, today))
            if step % 3 == 2:  # days pass with no write at all: open goals fall due
                today += timedelta(days=rng.choice([1, 6, 8, 31]))
            assert_same(today)
        assert {"goal", "due", "status", "start", "layer", "evidence"} <= kinds
        assert rollup_read.overview_counts(today).active > 0


def test_a_reader_catches_up_at_a_fixed_cost(app, library):
    """The plans changed since the last read are worked out a batch at a time: the statements
    are the same for one changed plan or nine; with nothing changed only one is added."""
    today = START + timedelta(days=20)
    with app.app_context():
        company(random.Random(3), plans=10)
        db.session.commit()
        assert rollup.ready(today)
        costs = []
        for changed in (1, 9):
            for plan in db.session.scalars(sa.select(Plan).limit(changed)):
                plan.milestones[0].goals[0].status = GoalStatus.DONE
            db.session.commit()
            assert len(rollup._due(today, 100)) == changed
            with count_queries(app) as statements:
                assert rollup.ready(today)
            costs.append(len(statements))
        with count_queries(app) as statements:
            assert rollup.ready(today)
        assert costs[0] == costs[1] and len(statements) == 1


def test_too_much_waiting_an_earlier_day_or_new_thresholds_read_live(app, library, monkeypatch):
    today = START + timedelta(days=20)
    with app.app_context():
        company(random.Random(4), plans=6)
        db.session.commit()
        monkeypatch.setattr(rollup, "INLINE_LIMIT", 3)
        assert rollup_read.overview_counts(today) is None  # six never worked out: live
        plans = db.session.scalar(sa.select(sa.func.count(Plan.id)))
        assert plans == 6 and rollup.refresh(today) == plans
        assert rollup_read.overview_counts(today) == overview(today)
        assert rollup_read.late_goals({}, today - timedelta(days=1)) is None
        app.config["AT_RISK_GRACE_DAYS"] = 2
        assert rollup_read.overview_counts(today) is None  # every plan is due again
        assert rollup.refresh(today) == plans
        assert rollup_read.overview_counts(today) == overview(today)
        config = app.config
        assert db.session.get(ReportState, 1).thresholds == (
            f"{config['AT_RISK_OVERDUE_GOALS']}:2:{config['AT_RISK_PULSE_CONFIDENCE']}")


def test_the_refresh_command_works_everything_out(app, library):
    with app.app_context():
        company(random.Random(6), plans=3)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["tracker", "reports", "refresh", "--all"])
    assert result.exit_code == 0, result.output
    assert "Worked out 3 plans" in result.output
    with app.app_context():
        assert not rollup._due(datetime.now(timezone.utc).date(), 10)


def test_a_write_to_a_row_loaded_without_its_plan_id_still_marks_the_plan(app, library):
    """HR's list loads goals with ``load_only`` (no plan id): a change to one of them, a
    check-in or evidence found by id, still clears its plan's facts."""
    from sqlalchemy import orm as so

    from tracker.models import PlanGoal

    today = START + timedelta(days=20)
    with app.app_context():
        company(random.Random(7), plans=2)
        db.session.commit()
        assert rollup.ready(today)
        db.session.expunge_all()
        goal = db.session.scalar(sa.select(PlanGoal).options(so.load_only(PlanGoal.status))
                                 .order_by(PlanGoal.id).limit(1))
        assert "plan_id" not in sa.inspect(goal).dict
        goal.status = GoalStatus.WAIVED
        db.session.commit()
        assert len(rollup._due(today, 10)) == 1
        assert_same(today)


def test_a_refresh_waits_for_a_write_in_progress_and_reads_it(app, library):
    """A plan already due (cleared by an earlier write) is changed again, not yet committed,
    while a refresher works it out: the refresher waits for the writer's row lock and then
    reads the change, rather than storing facts that miss it."""
    import threading
    import time

    from tracker.models import PlanGoal

    today = START + timedelta(days=20)
    with app.app_context():
        company(random.Random(8), plans=2)
        db.session.commit()
        assert rollup.ready(today)
        plan_id = db.session.scalar(sa.select(Plan.id).order_by(Plan.id))
        goals = db.session.scalars(sa.select(PlanGoal).where(PlanGoal.plan_id == plan_id)
                                   .order_by(PlanGoal.id)).all()
        goals[0].status = GoalStatus.WAIVED
        db.session.commit()  # the plan is due now
        goals[1].status = GoalStatus.WAIVED
        db.session.flush()  # ...and changed again, not committed

        def refresher():
            with app.app_context():
                rollup.refresh(today)

        worker = threading.Thread(target=refresher)
        worker.start()
        time.sleep(1.0)
        assert worker.is_alive()  # waiting for the writer
        db.session.commit()
        worker.join(timeout=60)
        assert not worker.is_alive()
        assert not rollup._due(today, 10)
        assert_same(today)
        waived = next(r for r in rollup_read.late_goals({}, today) if r.waived)
        assert waived.waived >= 1
