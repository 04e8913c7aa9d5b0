"""Each plan's facts for the reports and the overview's counts, worked out with the reports' own
statements (grouped by plan as well), and brought up to date by whoever reads them.

A plan's facts hold until it changes (``models/fact_marks.py`` clears ``facts_until``) or until
the day after a milestone with open goals is due, or after its grace days for at risk
(``facts_until``). One limit: in the moments after midnight UTC while a refresher brings the
totals to the new day, a request still on the old day can see some plans counted as of the
new one. ``bring_up_to_date`` works out again the plans whose day has come, 500 at a
time: what changed since the last read, not every plan. The scheduler does it each tick, and a
reader does it first, so the totals are exact for its day; when too many are waiting (the first
time, other at-risk thresholds) the reader uses the live statements and leaves it to the
scheduler or ``tracker reports refresh``.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError

from tracker.extensions import db
from tracker.models import (
    CheckIn,
    GoalStatus,
    Plan,
    PlanGoal,
    PlanLayer,
    PlanMilestone,
    PlanStatus,
    ReportState,
    RoleVersion,
)
from tracker.models.enums import FINISHED_GOAL_STATUSES
from tracker.models.report_facts import ALL_LAYERS, ANY_COHORT, ANY_ROLE, WIDE
from tracker.services import report_tables as tables
from tracker.services.at_risk import Thresholds, late_goals_by_plan, reasons_sql
from tracker.services.overview import one_side_signed, quarter_of
from tracker.services.reports import late_goal_counts
from tracker.services.rollup_store import replace_facts

BATCH = 500
INLINE_LIMIT = 2000  # a reader works out at most this many plans before falling back
INLINE_LOCK_TIMEOUT_MS = 2000  # ... and waits at most this long for a lock (PostgreSQL)
NEVER = date(9999, 12, 31)


def _per_plan(statement) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for plan_id, *rest in db.session.execute(statement):
        out[plan_id].append(rest)
    return out


def _overview_facts(ids: list[int], today: date, t: Thresholds) -> dict[int, list[int]]:
    """Per active plan: [overdue goals, at risk (0/1), check-ins signed by one side, goals
    waiting for review], by the same rules as ``overview.overview``."""
    batch = Plan.id.in_(ids)
    at_risk = sa.or_(*reasons_sql(today, t).values()) if t.overdue_goals > 0 else sa.true()
    to_sign = (sa.select(sa.func.count()).select_from(CheckIn).join(PlanMilestone)
               .where(PlanMilestone.plan_id == Plan.id, one_side_signed()).scalar_subquery())
    waiting = (sa.select(sa.func.count()).select_from(PlanGoal)
               .where(PlanGoal.plan_id == Plan.id, PlanGoal.status == GoalStatus.SUBMITTED)
               .scalar_subquery())
    late = late_goals_by_plan(today, t, ids)
    overdue = sa.select(late.c.late).where(late.c.plan_id == Plan.id).scalar_subquery()
    rows = db.session.execute(sa.select(
        Plan.id, sa.func.coalesce(overdue, 0), sa.case((at_risk, 1), else_=0), to_sign, waiting)
        .where(batch, Plan.status == PlanStatus.ACTIVE))
    return {plan_id: [int(n) for n in rest] for plan_id, *rest in rows}


def _changes_on(ids: list[int], today: date, t: Thresholds) -> dict[int, date]:
    """The first day after ``today`` each plan's facts change by time alone: a milestone with
    open goals becomes late the day after it is due, and at risk's grace days after that."""
    rows = db.session.execute(
        sa.select(PlanMilestone.plan_id, PlanMilestone.due_date).distinct()
        .join(PlanGoal, PlanGoal.milestone_id == PlanMilestone.id)
        .where(PlanMilestone.plan_id.in_(ids),
               PlanGoal.status.not_in(list(FINISHED_GOAL_STATUSES))))
    out: dict[int, date] = {}
    for plan_id, due in rows:
        for days in (1, t.grace_days + 1):
            try:
                day = due + timedelta(days=days)
            except OverflowError:  # a milestone at the calendar's end: that day never comes
                continue
            if today < day < out.get(plan_id, NEVER):
                out[plan_id] = day
    return out


def work_out(ids: list[int], today: date, t: Thresholds) -> tuple[dict, dict]:
    """The facts of plans ``ids`` as of ``today``: (plan id → rows, plan id → valid until)."""
    plans = {plan_id: (role_id, quarter_of(start), status) for plan_id, role_id, start, status
             in db.session.execute(sa.select(Plan.id, RoleVersion.template_id, Plan.start_date,
                                             Plan.status)
                                   .join(RoleVersion, RoleVersion.id == Plan.role_version_id)
                                   .where(Plan.id.in_(ids)))}
    layers: dict[int, set[int]] = defaultdict(set)
    for plan_id, layer_id in db.session.execute(
            sa.select(PlanLayer.plan_id, RoleVersion.template_id)
            .join(RoleVersion, RoleVersion.id == PlanLayer.version_id)
            .where(PlanLayer.plan_id.in_(ids))):
        layers[plan_id].add(layer_id)
    shown = sa.and_(Plan.id.in_(ids), Plan.status != PlanStatus.ARCHIVED)
    by = (Plan.id,)
    late = _per_plan(late_goal_counts(shown, today, by))
    milestones = _per_plan(tables.milestone_counts(shown, today, by))
    ratings = _per_plan(tables.rating_counts(shown, by))
    pulses = _per_plan(tables.pulse_counts(shown, by))
    reviews = _per_plan(tables.review_counts(shown, by))
    counts = _overview_facts(ids, today, t)
    changes = _changes_on(ids, today, t)
    facts, until = {}, {}
    for plan_id, (role_id, cohort, status) in plans.items():
        cells = []  # (report, key, n0, n1, n2, n3, total)
        cells += [("late", f"{tpl}:{key}", g, lt, w, s, 0)
                  for tpl, key, g, lt, w, s in late.get(plan_id, [])]
        cells += [("milestones", f"{_value(key)}:{state}", n, 0, 0, 0, 0)
                  for _role, key, state, n in milestones.get(plan_id, [])]
        cells += [("ratings", f"{_value(key)}:{_value(rating)}", n, 0, 0, 0, 0)
                  for key, rating, n in ratings.get(plan_id, [])]
        cells += [("pulses", str(int(week)), n, 0, 0, 0, total)
                  for week, total, n in pulses.get(plan_id, [])]
        cells += [("reviews", str(reviewer), n, 0, 0, 0, seconds)
                  for reviewer, n, seconds in reviews.get(plan_id, []) if reviewer is not None]
        if plan_id in counts:
            cells.append(("overview", "", 1, *counts[plan_id]))
        rows = []
        for layer_id in (ALL_LAYERS, *sorted(layers.get(plan_id, ()))):
            rows += [[report, layer_id, role_id, cohort, key, *(int(v or 0) for v in values)]
                     for report, key, *values in cells]
            rows += [[report, layer_id, ANY_ROLE, ANY_COHORT, key, *(int(v or 0) for v in values)]
                     for report, key, *values in cells if report in WIDE]
        facts[plan_id] = rows
        until[plan_id] = NEVER if status == PlanStatus.ARCHIVED else changes.get(plan_id, NEVER)
    return facts, until


def _value(x) -> str:
    return getattr(x, "value", x)


def _fingerprint(t: Thresholds) -> str:
    return f"{t.overdue_goals}:{t.grace_days}:{t.pulse_confidence}"


def _locked_state() -> ReportState:
    """The state row, locked for this transaction (refreshers take turns: on PostgreSQL the
    row lock, on SQLite the write lock the UPDATE takes), read after the lock so it is what
    the previous refresher left; made the first time."""
    db.session.execute(sa.update(ReportState).where(ReportState.id == 1)
                       .values(thresholds=ReportState.thresholds))
    state = db.session.get(ReportState, 1, populate_existing=True)
    if state is None:
        try:
            with db.session.begin_nested():
                state = ReportState(id=1, as_of=None, thresholds="")
                db.session.add(state)
        except IntegrityError:  # another refresher made it first: wait for its lock
            return _locked_state()
    return state


def _due(today: date, limit: int) -> list[int]:
    """Plans whose facts are unknown or whose day has come: two range scans of one index."""
    unknown = sa.select(Plan.id).where(Plan.facts_until.is_(None))
    due = sa.select(Plan.id).where(Plan.facts_until <= today)
    return list(db.session.scalars(sa.union_all(unknown, due).limit(limit)))


def _check_thresholds(state: ReportState, t: Thresholds) -> None:
    """Facts worked out with other at-risk thresholds are all due again."""
    if state.thresholds != _fingerprint(t):
        db.session.execute(sa.update(Plan).where(Plan.facts_until.is_not(None))
                           .values(facts_until=None))
        state.thresholds, state.as_of = _fingerprint(t), None


def refresh(today: date, progress=None, lock_timeout_ms: int | None = None) -> int:
    """Work out the facts of every due plan, a batch per transaction, and say how many.

    Each batch first takes the state's lock, then its plans' rows in id order (``FOR NO KEY
    UPDATE``: rows inserted that point at a plan do not wait for it). A writer's mark updates
    the plan's row whatever it held (``fact_marks.py``), so a writer's uncommitted change makes
    the batch wait for it and read it, and a batch under way makes the writer's mark wait and
    land after it: no mark is lost. ``lock_timeout_ms``: on PostgreSQL, give up waiting after
    that long (a page would rather read the live statements than wait on a long sweep)."""
    t = Thresholds.from_settings()
    done = 0
    while True:
        if lock_timeout_ms and db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(sa.text(f"SET LOCAL lock_timeout = {int(lock_timeout_ms)}"))
        state = _locked_state()
        _check_thresholds(state, t)
        if state.as_of and today < state.as_of:  # another reader is a day ahead already
            db.session.rollback()
            return done
        ids = _due(today, BATCH)
        if ids:
            db.session.execute(sa.select(Plan.id).where(Plan.id.in_(ids)).order_by(Plan.id)
                               .with_for_update(key_share=True))
            facts, until = work_out(ids, today, t)
            replace_facts(db.session.connection(), facts, until)
            done += len(ids)
        last = len(ids) < BATCH
        if last:
            state.as_of = today
        db.session.commit()
        if progress:
            progress(done)
        if last:
            return done


def ready(today: date) -> bool:
    """Bring the totals up to ``today`` if little is waiting, and say whether they are; False:
    read the live statements (more than ``INLINE_LIMIT`` plans waiting, as on the first read
    of a large database or after other thresholds, or a day earlier than the totals are at).
    It commits: call it before loading what the page shows. Up to date, as usual, it is one
    statement (the state and whether any plan is due, by index)."""
    one = ReportState.id == 1
    as_of, thresholds, unknown, due = db.session.execute(sa.select(
        sa.select(ReportState.as_of).where(one).scalar_subquery(),
        sa.select(ReportState.thresholds).where(one).scalar_subquery(),
        sa.exists().where(Plan.facts_until.is_(None)),
        sa.exists().where(Plan.facts_until <= today))).one()
    if (as_of == today and thresholds == _fingerprint(Thresholds.from_settings())
            and not unknown and not due):
        return True
    state = db.session.get(ReportState, 1)
    everything = state is None or state.thresholds != _fingerprint(Thresholds.from_settings())
    if not everything and state.as_of and today < state.as_of:
        return False
    waiting = (db.session.scalars(sa.select(Plan.id).limit(INLINE_LIMIT + 1)).all()
               if everything else _due(today, INLINE_LIMIT + 1))
    if len(waiting) > INLINE_LIMIT:
        return False
    if everything or waiting or state.as_of != today:
        try:
            refresh(today, lock_timeout_ms=INLINE_LOCK_TIMEOUT_MS)
        except OperationalError:  # busy: a long sweep holds the locks (or a deadlock): read live
            db.session.rollback()
            return False
        state = db.session.get(ReportState, 1)
    return state is not None and state.as_of == today
