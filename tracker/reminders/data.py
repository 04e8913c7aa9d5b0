"""The sweep's reads: a fixed number of set-based queries, whatever the number of plans.

Each function is one statement (plus SQLAlchemy's selectin loads, one per relationship and 500
parents), filtered in SQL to what can possibly be due in the window, and loaded with
``raiseload("*")`` so a rule that touches something not loaded fails loudly instead of quietly
issuing a query per plan.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Callable

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.models import (
    ChatSettings,
    CheckIn,
    Evidence,
    EvidenceStatus,
    GoalStatus,
    Notification,
    Plan,
    PlanGoal,
    PlanMilestone,
    PlanStatus,
    PulseCheckIn,
    User,
)

# People by primary key (selectin), not joined: a join lets PostgreSQL hash all of users.
PEOPLE = (so.selectinload(Plan.hire), so.selectinload(Plan.manager),
          so.selectinload(Plan.buddy))


def due_plan_ids(*, created_since: datetime, due_from: date, starts_by: date,
                 due_by: datetime | None = None) -> list[int]:
    """Ids of the plans a sweep reads, in order: active plans that were just created, or whose
    road still has a milestone near or after the window (pulses run until the last
    milestone). With ``due_by``, only those whose next reminder time
    (``Plan.next_reminder_at``, see reminders/next_due.py) has come by then or is not known.

    Ids only, so even reading every plan costs a few bytes each here; the plans themselves are
    loaded a batch at a time (``plans_by_id``). Two range scans of
    ``ix_plans_status_next_reminder_at`` rather than one ``IS NULL OR <=`` filter, which no
    index serves and which made PostgreSQL filter every active plan."""
    # The last due date, not EXISTS: a scalar subquery is run for the few plans it is asked
    # about, where PostgreSQL hashed every milestone near the window for an EXISTS (0.3 s).
    last_due = (sa.select(sa.func.max(PlanMilestone.due_date))
                .where(PlanMilestone.plan_id == Plan.id).scalar_subquery())
    running = (Plan.status == PlanStatus.ACTIVE,
               sa.or_(Plan.created_at >= created_since,
                      sa.and_(Plan.start_date <= starts_by, last_due >= due_from)))
    if due_by is None:
        return list(db.session.scalars(sa.select(Plan.id).where(*running).order_by(Plan.id)))
    unknown = sa.select(Plan.id).where(Plan.next_reminder_at.is_(None), *running)
    come = sa.select(Plan.id).where(Plan.next_reminder_at <= due_by, *running)
    return sorted(db.session.scalars(sa.union_all(unknown, come)))


def park_unreachable(*, created_since: datetime, due_from: date, starts_by: date,
                     today: date, never: datetime) -> None:
    """Give a time to the active plans without one that no window reaches yet (``batches``
    would leave them out, so they never got one and every sweep asked about each again:
    4,000-6,000 of 92,000 plans at 100k, bench/README.md):
    - a road that ended before ``due_from`` (which only moves on) gets ``never``;
    - a start after ``starts_by`` gets midnight UTC of the day the window first reaches it
      (as many days before its start as ``starts_by`` is after ``today``), when it is read
      and gets its real time.
    A change to a date or a state clears the time, as for any plan."""
    waiting = (Plan.status == PlanStatus.ACTIVE, Plan.next_reminder_at.is_(None),
               Plan.created_at < created_since)
    ahead = sa.exists().where(PlanMilestone.plan_id == Plan.id,
                              PlanMilestone.due_date >= due_from)
    db.session.execute(sa.update(Plan).where(*waiting, ~ahead).values(next_reminder_at=never)
                       .execution_options(synchronize_session=False))
    lead = starts_by - today
    later = [{"plan": plan_id, "when": datetime.combine(start - lead, time(0), timezone.utc)}
             for plan_id, start in db.session.execute(
                 sa.select(Plan.id, Plan.start_date).where(*waiting, Plan.start_date > starts_by))]
    if later:
        table = Plan.__table__
        db.session.execute(sa.update(table).where(table.c.id == sa.bindparam("plan"))
                           .values(next_reminder_at=sa.bindparam("when")), later)


def plans_by_id(ids: list[int]) -> list[Plan]:
    """One batch of ``due_plan_ids``, with people and milestones loaded."""
    if not ids:
        return []
    return list(db.session.scalars(
        sa.select(Plan).where(Plan.id.in_(ids), Plan.status == PlanStatus.ACTIVE)
        .options(*PEOPLE, so.selectinload(Plan.milestones), so.raiseload("*"))
        .order_by(Plan.id)).unique())


def goals_of(milestone_ids: set[int]) -> dict[int, list[PlanGoal]]:
    if not milestone_ids:
        return {}
    out: dict[int, list[PlanGoal]] = {}
    for goal in db.session.scalars(
            sa.select(PlanGoal).where(PlanGoal.milestone_id.in_(sorted(milestone_ids)))
            .options(so.raiseload("*")).order_by(PlanGoal.milestone_id, PlanGoal.position,
                                                 PlanGoal.id)):
        out.setdefault(goal.milestone_id, []).append(goal)
    return out


def signed_checkins(milestone_ids: set[int]) -> set[int]:
    """Milestones whose check-in both people already signed: no invitation needed."""
    if not milestone_ids:
        return set()
    return set(db.session.scalars(
        sa.select(CheckIn.milestone_id).where(CheckIn.milestone_id.in_(sorted(milestone_ids)),
                                              CheckIn.hire_signed_at.is_not(None),
                                              CheckIn.manager_signed_at.is_not(None))))


def last_pulse_answers(plan_ids: set[int]) -> dict[int, date]:
    if not plan_ids:
        return {}
    return dict(db.session.execute(
        sa.select(PulseCheckIn.plan_id, sa.func.max(PulseCheckIn.due_on))
        .where(PulseCheckIn.plan_id.in_(sorted(plan_ids))).group_by(PulseCheckIn.plan_id)).all())


def active_admins() -> list[User]:
    return list(db.session.scalars(
        sa.select(User).where(User.is_admin.is_(True), User.active.is_(True)).order_by(User.id)))


def waiting_reviews(waiting_since_before: datetime) -> list[tuple]:
    """(manager, goal id, goal title, plan id, milestone key, hire name, waiting since) for
    goals whose oldest evidence waiting for review came in before the given instant."""
    since = (sa.select(Evidence.goal_id, sa.func.min(Evidence.created_at).label("since"))
             .where(Evidence.status == EvidenceStatus.SUBMITTED)
             .group_by(Evidence.goal_id).subquery())
    manager, hire = so.aliased(User), so.aliased(User)
    return list(db.session.execute(
        sa.select(manager, PlanGoal.id, PlanGoal.title, Plan.id, PlanMilestone.key, hire.name,
                  since.c.since)
        .join(PlanMilestone, PlanMilestone.id == PlanGoal.milestone_id)
        .join(Plan, Plan.id == PlanGoal.plan_id)
        .join(manager, manager.id == Plan.manager_id)
        .join(hire, hire.id == Plan.hire_id)
        .join(since, since.c.goal_id == PlanGoal.id)
        .where(PlanGoal.status == GoalStatus.SUBMITTED, Plan.status == PlanStatus.ACTIVE,
               manager.active.is_(True), since.c.since <= waiting_since_before)
        .order_by(manager.id, since.c.since, PlanGoal.id)).all())


def managers_with_reports() -> list[User]:
    reports = sa.select(Plan.manager_id).where(Plan.status == PlanStatus.ACTIVE)
    return list(db.session.scalars(
        sa.select(User).where(User.id.in_(reports), User.active.is_(True)).order_by(User.id)))


def zones_in_use() -> list[str]:
    """Every active person's zone: a few more zones than the managers' cost nothing, and the
    managers' own would cost a join with every plan. A loose index scan (the next zone after
    the last one, one probe of ``ix_users_timezone`` each), not ``DISTINCT`` over everyone:
    a few hundred zones at most, where there are 100,000 people (40-130 ms at 100k)."""
    active = User.active.is_(True)
    first = (sa.select(sa.func.min(User.timezone).label("zone")).where(active)
             .cte("zones", recursive=True))
    after = (sa.select(sa.func.min(User.timezone)).where(active, User.timezone > first.c.zone)
             .scalar_subquery())
    zones = first.union_all(sa.select(after).where(first.c.zone.is_not(None)))
    return list(db.session.scalars(sa.select(zones.c.zone).where(zones.c.zone.is_not(None))))


def managers_owing_digest(day_in: Callable[[str], date | None], since: datetime) -> list[User]:
    """Of ``managers_with_reports``, those whose digest for their latest digest day (the day
    ``day_in`` gives for their zone; None: none in the window) is not yet in the outbox
    since ``since`` (the key ``existing_keys`` would hold). The day depends only on the zone,
    so it is worked out once per zone and the keys are checked in SQL: a week's sweeps load
    the managers still owed a digest, not every manager (bench/README.md)."""
    zones = zones_in_use()
    days = {zone: day.isoformat() for zone in zones if (day := day_in(zone)) is not None}
    if not days:
        return []
    key = (sa.literal("user:") + sa.cast(User.id, sa.String) + sa.literal(":digest:")
           + sa.case(days, value=User.timezone))
    sent = sa.exists().where(Notification.dedupe_key == key, Notification.send_after >= since)
    query = sa.select(User).where(User.active.is_(True), User.timezone.in_(sorted(days)), ~sent)
    # The same managers, asked the way each database answers fastest at 100k hires
    # (bench/README.md): SQLite joins the distinct managers once (0.03 s, against 0.1 s for
    # EXISTS and 0.2 s for IN), PostgreSQL probes each person's plans (0.08 s against 0.13 s).
    if db.session.get_bind().dialect.name == "sqlite":
        reports = (sa.select(Plan.manager_id).where(Plan.status == PlanStatus.ACTIVE)
                   .distinct().subquery())
        query = query.join(reports, reports.c.manager_id == User.id)
    else:
        query = query.where(sa.exists().where(Plan.manager_id == User.id,
                                              Plan.status == PlanStatus.ACTIVE))
    return list(db.session.scalars(query.order_by(User.id)))


def team_plans(manager_ids: set[int]) -> list[Plan]:
    if not manager_ids:
        return []
    return list(db.session.scalars(
        sa.select(Plan).where(Plan.manager_id.in_(sorted(manager_ids)),
                              Plan.status == PlanStatus.ACTIVE)
        .options(so.joinedload(Plan.hire),
                 # Progress needs each goal's status only; a team is often hundreds of goals.
                 so.selectinload(Plan.milestones).selectinload(PlanMilestone.goals)
                 .load_only(PlanGoal.milestone_id, PlanGoal.status, raiseload=True),
                 so.raiseload("*"))
        .order_by(Plan.manager_id, Plan.start_date, Plan.id)).unique())


def existing_keys(since: datetime) -> set[str]:
    """Keys already in the outbox for this window (every key's send_after is in it)."""
    return set(db.session.scalars(
        sa.select(Notification.dedupe_key).where(Notification.send_after >= since)))



def chat_settings_of(user_ids: set[int]) -> dict[int, ChatSettings]:
    """The chat settings of the recipients of a sweep, one statement: most people have none."""
    if not user_ids:
        return {}
    return {row.user_id: row for row in db.session.scalars(
        sa.select(ChatSettings).where(ChatSettings.user_id.in_(sorted(user_ids)))
        .options(so.raiseload("*")))}
