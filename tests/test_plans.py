"""Plan generation from a role version, and start-date changes that respect manual overrides."""
from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_plan, make_user
from tracker.extensions import db
from tracker.models import AuditEvent, GoalSource, MilestoneKey, PlanGoal
from tracker.services.errors import InputError
from tracker.services.plans import change_start_date, override_due_date
from tracker.services.role_versions import current_baseline, current_version


def test_plan_copies_baseline_then_role_goals_into_each_milestone(app, library):
    with app.app_context():
        plan = make_plan(make_user(), make_user(), start=date(2026, 1, 31))
        db.session.commit()
        role = current_version("machine-learning-engineer")
        baseline = {m.key: len(m.goals) for m in current_baseline().milestones}
        assert [m.key for m in plan.milestones] == list(MilestoneKey)
        for milestone, template in zip(plan.milestones, role.milestones, strict=True):
            sources = [g.source for g in milestone.goals]
            assert sources.count(GoalSource.BASELINE) == baseline.get(milestone.key, 0)
            assert [g.title for g in milestone.goals if g.source == GoalSource.ROLE] == [
                g.title for g in template.goals]
            assert sources == sorted(sources, key=lambda s: s != GoalSource.BASELINE)
        assert [m.due_date.isoformat() for m in plan.milestones] == [
            "2026-03-02", "2026-04-01", "2026-05-01", "2026-07-31", "2027-02-01"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "plan.created")) == 1


def test_baseline_can_be_switched_off(app, library):
    with app.app_context():
        plan = make_plan(make_user(), make_user(), baseline=False)
        db.session.commit()
        goals = db.session.scalars(sa.select(PlanGoal).where(PlanGoal.plan_id == plan.id)).all()
        assert goals and {g.source for g in goals} == {GoalSource.ROLE}
        assert plan.baseline_version_id is None


def test_changing_the_start_date_recomputes_only_dates_nobody_moved_by_hand(app, library):
    with app.app_context():
        plan = make_plan(make_user(), make_user(), start=date(2026, 1, 5))
        d60 = plan.milestones[1]
        override_due_date(d60, date(2026, 3, 20), "manager on leave in early March")
        moved = change_start_date(plan, date(2026, 8, 31))
        db.session.commit()
        dates = {m.key.value: m.due_date.isoformat() for m in plan.milestones}
        assert dates == {"d30": "2026-09-30", "d60": "2026-03-20", "d90": "2026-11-30",
                         "m6": "2027-03-01", "m12": "2027-08-31"}
        assert d60 not in moved and len(moved) == 4
        assert d60.due_date_override_reason == "manager on leave in early March"


def test_overriding_a_date_needs_a_reason(app, library):
    with app.app_context():
        plan = make_plan(make_user(), make_user())
        with pytest.raises(InputError, match="say why"):
            override_due_date(plan.milestones[0], date(2026, 2, 20), "  ")


def test_a_hire_cannot_be_their_own_manager(app, library):
    with app.app_context():
        person = make_user()
        with pytest.raises(InputError, match="own manager"):
            make_plan(person, person)


def test_unknown_time_zone_is_refused_with_an_example(app, library):
    from tracker.services.plans import create_plan

    with app.app_context():
        with pytest.raises(InputError, match="Europe/Berlin"):
            create_plan(version=current_version("data-engineer"), start=date(2026, 1, 5),
                        hire=make_user(), manager=make_user(), timezone="Moon/Base")
