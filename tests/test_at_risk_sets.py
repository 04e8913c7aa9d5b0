"""The overview counts "at risk" set-wise (``at_risk_ids``, one grouped query per reason) while
pages test it plan by plan (``at_risk``, correlated): both must pick the same plans, for any
data and any thresholds. Checked on a random company against the straightforward rule."""
import random
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from tests.factories import make_plan, make_user
from tracker.extensions import db
from tracker.models import CheckIn, CheckInRating, GoalStatus, Plan, PlanStatus, PulseCheckIn
from tracker.services.at_risk import Thresholds, at_risk_ids, reasons_sql
from tracker.services.overview import overview

TODAY = date(2026, 6, 15)
SIGNED = datetime(2026, 1, 1, tzinfo=timezone.utc)
STATUSES = list(GoalStatus)
RATINGS = [None, *CheckInRating]


def company(app, plans=24, seed=10):
    """Plans with goals in every state, check-ins rated at random milestones (or not rated),
    and pulses whose latest answer is anything, a few archived."""
    rng = random.Random(seed)
    with app.app_context():
        manager = make_user()
        for n in range(plans):
            start = TODAY - timedelta(days=rng.randint(0, 200))
            plan = make_plan(make_user(), manager, start=start)
            if n % 7 == 6:
                plan.status = PlanStatus.ARCHIVED
            for goal in (g for m in plan.milestones for g in m.goals):
                goal.status = rng.choice(STATUSES)
            for milestone in rng.sample(plan.milestones, rng.randint(0, 3)):
                db.session.add(CheckIn(milestone=milestone, rating=rng.choice(RATINGS),
                                       hire_signed_at=SIGNED))
            db.session.flush()
            days = rng.sample(range(0, 120, 7), rng.randint(0, 4))
            db.session.add_all(PulseCheckIn(plan_id=plan.id, due_on=TODAY - timedelta(days=d),
                                            confidence=rng.randint(1, 5)) for d in days)
        db.session.commit()


def straightforward(thresholds: Thresholds) -> set[int]:
    return set(db.session.scalars(sa.select(Plan.id).where(
        sa.or_(*reasons_sql(TODAY, thresholds).values()))))


@pytest.mark.parametrize("thresholds", [
    Thresholds(overdue_goals=1, grace_days=7, pulse_confidence=2),
    Thresholds(overdue_goals=3, grace_days=0, pulse_confidence=3),
    Thresholds(overdue_goals=8, grace_days=30, pulse_confidence=1),
    Thresholds(overdue_goals=0, grace_days=7, pulse_confidence=2),
], ids=["default", "strict", "lenient", "zero-goals"])
def test_counting_set_wise_picks_exactly_the_plans_the_rule_picks(app, library, thresholds):
    company(app)
    with app.app_context():
        expected = straightforward(thresholds)
        found = set(db.session.scalars(at_risk_ids(TODAY, thresholds)))
        everyone = set(db.session.scalars(sa.select(Plan.id)))
        assert found & everyone == expected
        assert 0 < len(expected) < len(everyone) or thresholds.overdue_goals == 0


def test_the_overview_counts_the_active_plans_the_rule_picks(app, library):
    company(app, plans=30, seed=3)
    with app.app_context():
        expected = straightforward(Thresholds.from_settings())
        active = set(db.session.scalars(sa.select(Plan.id).where(
            Plan.status == PlanStatus.ACTIVE)))
        assert overview(TODAY).at_risk == len(expected & active) > 0
