"""The overview's counts (one statement, joined from the rows it counts, migration 0017's
partial indexes) against the same counts worked out in plain Python over a random company:
goals in every state, milestones due on either side of today, check-ins signed by neither,
one or both sides and rated or not, pulses, archived plans, for several sets of thresholds."""
import random
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from tests.factories import make_plan, make_user
from tracker.extensions import db
from tracker.models import CheckIn, CheckInRating, GoalStatus, Plan, PlanStatus, PulseCheckIn
from tracker.models.enums import FINISHED_GOAL_STATUSES
from tracker.services.at_risk import WORRYING_RATINGS, Thresholds
from tracker.services.overview import Overview, overview

TODAY = date(2026, 6, 15)
SIGNED = datetime(2026, 1, 1, tzinfo=timezone.utc)


def company(app, plans=30, seed=7):
    rng = random.Random(seed)
    with app.app_context():
        manager = make_user()
        for n in range(plans):
            plan = make_plan(make_user(), manager,
                             start=TODAY - timedelta(days=rng.randint(-20, 400)))
            plan.status = rng.choice([PlanStatus.ACTIVE] * 5 + list(PlanStatus))
            for milestone in plan.milestones:
                if rng.random() < 0.2:  # due today, or a day either side, or the grace day
                    milestone.due_date = TODAY + timedelta(days=rng.choice([-8, -7, -1, 0, 1]))
                for goal in milestone.goals:
                    goal.status = rng.choice(list(GoalStatus))
            for milestone in rng.sample(plan.milestones, rng.randint(0, 4)):
                db.session.add(CheckIn(
                    milestone=milestone, rating=rng.choice([None, *CheckInRating]),
                    hire_signed_at=rng.choice([None, SIGNED]),
                    manager_signed_at=rng.choice([None, SIGNED])))
            db.session.flush()
            days = rng.sample(range(0, 150, 7), rng.randint(0, 4))
            db.session.add_all(PulseCheckIn(plan_id=plan.id, due_on=TODAY - timedelta(days=d),
                                            confidence=rng.randint(1, 5)) for d in days)
        db.session.commit()


def by_hand(t: Thresholds) -> Overview:
    plans = db.session.scalars(sa.select(Plan).where(Plan.status == PlanStatus.ACTIVE)).all()
    checkins = {c.milestone_id: c for c in db.session.scalars(sa.select(CheckIn))}
    pulses = {}
    for pulse in db.session.scalars(sa.select(PulseCheckIn).order_by(PulseCheckIn.due_on)):
        pulses[pulse.plan_id] = pulse  # the latest last
    overdue = to_sign = waiting = risky = 0
    for plan in plans:
        goals = [(m, g) for m in plan.milestones for g in m.goals]
        unfinished = [(m, g) for m, g in goals if g.status not in FINISHED_GOAL_STATUSES]
        overdue += sum(1 for m, _ in unfinished if m.due_date < TODAY)
        waiting += sum(1 for _, g in goals if g.status == GoalStatus.SUBMITTED)
        mine = [checkins[m.id] for m in plan.milestones if m.id in checkins]
        to_sign += sum(1 for c in mine
                       if (c.hire_signed_at is None) != (c.manager_signed_at is None))
        grace = TODAY - timedelta(days=t.grace_days)
        rated = sorted((c for c in mine if c.rating is not None),
                       key=lambda c: c.milestone.position)
        pulse = pulses.get(plan.id)
        risky += (sum(1 for m, _ in unfinished if m.due_date < grace) >= t.overdue_goals
                  or bool(rated) and rated[-1].rating in WORRYING_RATINGS
                  or pulse is not None and pulse.confidence <= t.pulse_confidence)
    return Overview(len(plans), risky, overdue, to_sign, waiting)


@pytest.mark.parametrize("thresholds", [
    Thresholds(overdue_goals=1, grace_days=7, pulse_confidence=2),
    Thresholds(overdue_goals=3, grace_days=0, pulse_confidence=3),
    Thresholds(overdue_goals=8, grace_days=30, pulse_confidence=1),
    Thresholds(overdue_goals=2, grace_days=-3, pulse_confidence=2),
    Thresholds(overdue_goals=0, grace_days=7, pulse_confidence=2),
], ids=["default", "strict", "lenient", "grace-ahead", "zero-goals"])
@pytest.mark.parametrize("seed", [7, 8])
def test_the_overview_counts_what_plain_python_counts(app, library, thresholds, seed):
    company(app, seed=seed)
    with app.app_context():
        expected = by_hand(thresholds)
        assert overview(TODAY, thresholds) == expected
        assert 0 < expected.at_risk <= expected.active
        assert min(expected.overdue_goals, expected.checkins_to_sign,
                   expected.waiting_review) > 0
