"""Seed N hires with full plans, fast, for benchmarks at 1k, 10k and 100k hires.

Why not ``add_bulk_hires``: it goes through the ORM plan by plan (create_plan, an audit row,
a flush each), which is right for the app and hours for 100k plans. Here the plans are built as
the app builds them (``plans.preview`` over the role library and ``due_dates`` for the dates),
then written with Core ``insert`` executemany in large batches with ids assigned up front.

What a sweep at ``--now`` sees is the SAME whatever N is, so the sweep can be timed at 1k and
100k "with the same reminders due":
- the demo company and a fixed group of ``--due`` plans (seeded first, from their own random
  generator, so they get the same ids in every database) have things due at ``now``: milestones
  coming up, check-ins, overdue goals, unanswered pulses, reviews waiting, a few welcomes, and
  their managers' weekly digests;
- the bulk, started over the last ~14 months, is up to date at ``now``: milestones near ``now``
  are finished with their check-ins signed, pulses are answered, and their managers' digests
  for the week are already in the outbox as sent (the scheduler ran on Monday).

    PYTHONPATH=. .venv/bin/python bench/seed.py --hires 1000 [--database-url URL]
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock

import sqlalchemy as sa

from tracker import create_app
from tracker.extensions import db
from tracker.models import (
    CheckIn,
    Evidence,
    Notification,
    Plan,
    PlanGoal,
    PlanMilestone,
    PulseCheckIn,
    RoleTemplate,
    TemplateKind,
    User,
)
from tracker.models.enums import GoalStatus
from tracker.services.demo import seed_demo
from tracker.services.due_dates import due_dates
from tracker.services.plans import preview
from tracker.services.role_versions import current_baseline, current_version
from tracker.services.rollup import refresh

NOW = "2026-12-02T10:00:00+00:00"  # a Wednesday: Monday's digests went out two days ago
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney"]
# Days since start that put a milestone event (7 and 1 day before, the check-in, 1/3/7 days
# overdue) on ``now``'s date, for the d30, d60, d90 and 6-month milestones.
DUE_OFFSETS = [k + o for k in (30, 60, 90, 182) for o in (-7, -1, 0, 1, 3, 7)]
TEAM = 12
BLOB = "Done; notes and links in the team wiki."


def make_app(url: str):
    return create_app("development", DATABASE_URL=url, PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")


class Writer:
    """Rows per table, written in table order every ``batch`` plans, ids handed out here."""

    TABLES = [User, Plan, PlanMilestone, PlanGoal, Evidence, CheckIn, PulseCheckIn, Notification]

    def __init__(self):
        self.rows = {m: [] for m in self.TABLES}
        self.next = {m: (db.session.scalar(sa.select(sa.func.max(m.id))) or 0) + 1
                     for m in self.TABLES}
        self.written = 0

    def add(self, model, **row) -> int:
        row["id"] = self.next[model]
        self.next[model] += 1
        self.rows[model].append(row)
        return row["id"]

    def flush(self) -> None:
        for model in self.TABLES:
            if self.rows[model]:
                db.session.execute(sa.insert(model.__table__), self.rows[model])
                self.written += len(self.rows[model])
                self.rows[model] = []
        db.session.commit()


def library() -> list[tuple[int, int | None, list[tuple]]]:
    """(role version id, [(milestone key, title, [goal row skeleton, ...]), ...]) per role."""
    baseline = current_baseline()
    out = []
    for slug in db.session.scalars(sa.select(RoleTemplate.slug).where(
            RoleTemplate.kind == TemplateKind.ROLE).order_by(RoleTemplate.slug)):
        version = current_version(slug)
        shape = [(m.key, m.title, [dict(template_goal_id=g.id, source=source, title=g.title,
                                        description=g.description, owner=g.owner,
                                        evidence_required=g.evidence_required,
                                        evidence_hint=g.evidence_hint, target=g.target,
                                        position=i) for i, (source, g) in enumerate(m.goals)])
                 for m in preview(version, date(2026, 1, 5), baseline=baseline)]
        out.append((version.id, baseline.id if baseline else None, shape))
    return out


def pulse_dates(start: date, end: date, until: date) -> list[date]:
    """The default schedule (weekly to day 90, then monthly), as ``services.pulses`` has it."""
    offsets = [7 * n for n in range(1, 14)] + [91 + 30 * n for n in range(1, 20)]
    return [start + timedelta(days=d) for d in offsets
            if start + timedelta(days=d) <= min(end, until)]


def add_plan(w: Writer, rng: random.Random, roles, now: datetime, start: date, hire: int,
             manager: int, *, due: bool, created: datetime | None = None) -> None:
    today = now.date()
    version_id, baseline_id, shape = roles[hire % len(roles)]
    dates = due_dates(start, "next")
    last_due = dates[shape[-1][0]]
    closed = not due and last_due < today - timedelta(days=14) and rng.random() < 0.8
    created = created or min(datetime.combine(start - timedelta(days=14), clock(9),
                                              timezone.utc), now - timedelta(days=8))
    plan = w.add(Plan, hire_id=hire, manager_id=manager, role_version_id=version_id,
                 baseline_version_id=baseline_id, start_date=start, weekend_rule="next",
                 status="completed" if closed else "active", pulse_days_early=7,
                 pulse_days_late=30, created_at=created, updated_at=created)
    current = next((key for key, *_ in shape if dates[key] >= today), None)
    for position, (key, title, goals) in enumerate(shape):
        due_on = dates[key]
        past, near = due_on < today, today - timedelta(days=19) <= due_on <= today + \
            timedelta(days=12)
        quiet = near and not due  # the bulk is up to date around ``now``
        milestone = w.add(PlanMilestone, plan_id=plan, key=key, title=title, position=position,
                          due_date=due_on, due_date_revision=0)
        for skeleton in goals:
            finished = quiet or (past and not near and rng.random() < 0.92) or \
                (key == current and not near and rng.random() < 0.35)
            status = GoalStatus.OPEN
            at = datetime.combine(min(due_on, today), clock(12), timezone.utc)
            if finished:
                status = GoalStatus.APPROVED if skeleton["evidence_required"] else GoalStatus.DONE
            elif due and near and skeleton["evidence_required"] and rng.random() < 0.1:
                status = GoalStatus.SUBMITTED  # waits for review: a review_waiting reminder
            goal = w.add(PlanGoal, plan_id=plan, milestone_id=milestone, status=status,
                         finished_at=at if finished else None, created_at=created,
                         updated_at=at, **skeleton)
            if status == GoalStatus.APPROVED and rng.random() < 0.3:
                w.add(Evidence, goal_id=goal, author_id=hire, kind="note", status="approved",
                      note=BLOB, reviewer_id=manager, reviewed_at=at, created_at=at,
                      updated_at=at, review_comment="Looks good, thank you.")
            elif status == GoalStatus.SUBMITTED:
                w.add(Evidence, goal_id=goal, author_id=hire, kind="note", status="submitted",
                      note=BLOB, reviewer_id=None, reviewed_at=None, review_comment=None,
                      created_at=now - timedelta(days=5), updated_at=now - timedelta(days=5))
        if quiet or (past and not near and rng.random() < 0.9):
            signed = datetime.combine(min(due_on, today), clock(15), timezone.utc)
            half = not quiet and rng.random() < 0.1  # one of two signed: "check-ins to sign"
            w.add(CheckIn, milestone_id=milestone, manager_id=manager, goal_notes={},
                  rating=rng.choices(["on_track", "at_risk", "off_track"], [7, 2, 1])[0],
                  self_assessment="Settling in well.", manager_assessment="Good progress.",
                  hire_signed_at=signed, manager_signed_at=None if half else signed,
                  created_at=signed, updated_at=signed)
    confidence = 3
    answered_to = today - timedelta(days=20) if due else today + timedelta(days=1)
    for pulse in pulse_dates(start, last_due, answered_to):
        confidence = max(1, min(5, confidence + rng.choice([-1, 0, 0, 1, 1])))
        if pulse >= today - timedelta(days=21) or rng.random() < 0.5:
            at = datetime.combine(min(pulse, today), clock(10), timezone.utc)
            w.add(PulseCheckIn, plan_id=plan, due_on=pulse, confidence=confidence,
                  blocker="", win="", created_at=at, updated_at=at)


def add_people(w: Writer, prefix: str, count: int, rng, password: str | None, zones=ZONES,
               created: datetime | None = None) -> list[int]:
    at = created or datetime(2025, 1, 1, tzinfo=timezone.utc)
    return [w.add(User, email=f"{prefix}{n:06d}@bench.example.com", name=f"{prefix} {n}",
                  password_hash=password, is_admin=False, edits_templates=False, active=True,
                  timezone=rng.choice(zones), notification_preference="all",
                  session_token=f"{prefix}-{n}-{rng.getrandbits(64):x}", created_at=at,
                  updated_at=at) for n in range(count)]


def seed(hires: int, now: datetime, due: int, batch: int) -> None:
    started = time.perf_counter()
    seed_demo(today=now.date())
    db.session.commit()
    w, roles = Writer(), library()
    password = db.session.scalar(sa.select(User.password_hash).where(User.is_admin))
    fixed = random.Random(2026)  # the due group: the same rows in every database
    leads = add_people(w, "due-lead", -(-due // TEAM), fixed, password)
    for n in range(due):
        fresh = n % 20 == 0  # made yesterday, no password yet: a welcome is due
        made = now - timedelta(days=1) if fresh else None
        hire = add_people(w, "due-hire", 1, fixed, None if fresh else password)[0]
        w.rows[User][-1]["email"] = f"due-hire{n:06d}@bench.example.com"
        add_plan(w, fixed, roles, now, now.date() - timedelta(days=DUE_OFFSETS[n % 24]), hire,
                 leads[n // TEAM], due=True, created=made)
    w.flush()
    rng = random.Random(hires)
    monday = now.date() - timedelta(days=now.weekday())
    for first in range(0, hires, batch):
        count = min(batch, hires - first)
        leads = add_people(w, f"lead{first:06d}-", -(-count // TEAM), rng, password, ["UTC"])
        for lead in leads:  # this week's digest went out on Monday
            sent = datetime.combine(monday, clock(9), timezone.utc)
            w.add(Notification, dedupe_key=f"user:{lead}:digest:{monday.isoformat()}",
                  kind="digest", recipient_id=lead, payload={}, status="sent",
                  send_after=sent, sent_at=sent, attempts=1, created_at=sent, updated_at=sent)
        people = add_people(w, f"hire{first:06d}-", count, rng, password)
        for n, hire in enumerate(people):
            start = now.date() - timedelta(days=rng.randint(-30, 425))
            add_plan(w, rng, roles, now, start, hire, leads[n // TEAM], due=False)
        w.flush()
        done = first + count
        rate = done / (time.perf_counter() - started)
        print(f"\r  {done:>7}/{hires} hires, {w.written:>9} rows, {rate:6.0f} hires/s",
              end="", file=sys.stderr, flush=True)
    if db.engine.dialect.name == "postgresql":
        for model in Writer.TABLES:
            table = model.__tablename__
            db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                                       f" (SELECT max(id) FROM {table}))"))
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    print(f"\nseeded {hires} hires + {due} due in {time.perf_counter() - started:.0f} s, "
          f"{w.written} rows", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hires", type=int, default=1000)
    parser.add_argument("--database-url", default="sqlite:///bench-1k.sqlite3")
    parser.add_argument("--now", default=NOW, help="the instant reminders are due at")
    parser.add_argument("--due", type=int, default=200, help="plans with something due at now")
    parser.add_argument("--batch", type=int, default=2000, help="hires per commit")
    args = parser.parse_args()
    app = make_app(args.database_url)
    with app.app_context():
        db.create_all()
        if db.session.scalar(sa.select(sa.func.count()).select_from(Plan)):
            sys.exit("the database already has plans: seed an empty one")
        seed(args.hires, datetime.fromisoformat(args.now), args.due, args.batch)
        # The report totals as the scheduler would leave them, for the pages' day (today, not
        # --now: the pages ask about today): bench/scale.py measures pages reading them.
        started = time.perf_counter()
        done = refresh(datetime.now(timezone.utc).date(), progress=lambda n: print(
            f"\r{n:>9} plans' report facts", end="", file=sys.stderr))
        print(f"\nworked out the report facts of {done} plans in "
              f"{time.perf_counter() - started:.0f} s")
        db.engine.dispose()


if __name__ == "__main__":
    main()
