"""Demo data: a small believable company, and bulk hires for load tests.

Idempotent by email: running it twice changes nothing. The people's progress is made to match
how far into their plans they are, so every page has something real to show.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import (
    CheckIn,
    CheckInRating,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    GoalStatus,
    Plan,
    PulseCheckIn,
    RoleTemplate,
    TemplateKind,
    User,
    utcnow,
)
from tracker.models.user import hash_password
from tracker.services.plans import create_plan
from tracker.services.pulses import schedule
from tracker.services.role_versions import (
    current_baseline,
    current_version,
    load_library,
)

DEMO_PASSWORD = "onboard-demo-2026"
DEMO_DOMAIN = "demo.example.com"
BULK_DOMAIN = "bulk.demo.example.com"


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    timezone: str
    is_admin: bool = False
    domain: str = DEMO_DOMAIN

    @property
    def email(self) -> str:
        return f"{self.key}@{self.domain}"


ADMIN = Person("hr.admin", "Hannah Reyes (HR)", "Europe/London", is_admin=True)
MANAGERS = [Person("maya.chen", "Maya Chen", "America/New_York"),
            Person("omar.haddad", "Omar Haddad", "Europe/Berlin")]
BUDDY = Person("lee.park", "Lee Park", "Europe/Berlin")
# (person, role slug, days since start, manager index, has buddy)
HIRES = [
    (Person("ana.silva", "Ana Silva", "Europe/Lisbon"), "machine-learning-engineer", 3, 0, True),
    (Person("ben.okafor", "Ben Okafor", "America/New_York"), "mlops-engineer", 24, 0, False),
    (Person("chloe.martin", "Chloe Martin", "Europe/Berlin"), "data-scientist", 47, 1, True),
    (Person("dev.patel", "Dev Patel", "Australia/Sydney"), "machine-learning-engineer", 75, 0, True),
    (Person("emma.jones", "Emma Jones", "Europe/London"), "data-engineer", 212, 1, False),
    (Person("felix.wagner", "Felix Wagner", "Europe/Berlin"), "ml-platform-engineer", 340, 1, True),
]


def _user(person: Person, password_hash: str) -> tuple[User, bool]:
    user = db.session.scalar(sa.select(User).where(User.email == person.email))
    if user:
        return user, False
    user = User(email=person.email, name=person.name, timezone=person.timezone,
                is_admin=person.is_admin, password_hash=password_hash)
    db.session.add(user)
    return user, True


def advance(plan: Plan, today: date, rng: random.Random, evidence: bool = True) -> None:
    """Finish goals in milestones that are past, and some of the current one."""
    reviewer = plan.manager
    current_key = next((m.key for m in plan.milestones if m.due_date >= today), None)
    for milestone in plan.milestones:
        past = milestone.due_date < today
        current = milestone.key == current_key
        for goal in milestone.goals:
            if not ((past and rng.random() < 0.92) or (current and rng.random() < 0.35)):
                continue
            done_at = utcnow() - timedelta(days=max(0, (today - milestone.due_date).days + 3))
            goal.finished_at = done_at
            if not goal.evidence_required:
                goal.status = GoalStatus.DONE
                continue
            goal.status = GoalStatus.APPROVED
            if evidence:
                db.session.add(Evidence(
                    goal=goal, author=plan.hire, kind=EvidenceKind.NOTE,
                    status=EvidenceStatus.APPROVED, reviewer=reviewer, reviewed_at=done_at,
                    note=f"Done: {goal.title.lower()}. Notes and links in the team wiki.",
                    review_comment="Looks good, thank you."))
        if past and evidence:
            db.session.add(CheckIn(
                milestone=milestone, rating=CheckInRating.ON_TRACK,
                self_assessment="Most goals done; settling in well.",
                manager_assessment="Good progress for this stage.",
                next_steps="Keep going with the next milestone's goals.",
                hire_signed_at=utcnow(), manager_signed_at=utcnow()))
    if evidence:
        _pulses(plan, today, rng)


BLOCKERS = ["", "", "Waiting for access to the feature store", "Unclear who owns the eval data",
            "Too many meetings this week", ""]
WINS = ["", "First pull request merged", "Ran the training pipeline end to end",
        "Paired with the on-call engineer", "Presented at the team demo", ""]


def _pulses(plan: Plan, today: date, rng: random.Random) -> None:
    """Answered pulses up to today, wandering around 3-4 the way real confidence does.

    The latest one is left unanswered, so a demo hire finds a pulse waiting for them.
    """
    confidence = 3
    for due_on in schedule(plan, until=today)[:-1]:
        confidence = max(1, min(5, confidence + rng.choice([-1, 0, 0, 1, 1])))
        db.session.add(PulseCheckIn(plan_id=plan.id, due_on=due_on, confidence=confidence,
                                    blocker=rng.choice(BLOCKERS), win=rng.choice(WINS)))


def seed_demo(today: date | None = None) -> list[tuple[str, str, str]]:
    """Create the demo company; returns (role, email, password) for the people created or found."""
    today = today or date.today()
    if not db.session.scalar(sa.select(sa.func.count()).select_from(RoleTemplate)):
        load_library()
    password_hash = hash_password(DEMO_PASSWORD)
    admin, _ = _user(ADMIN, password_hash)
    managers = [_user(p, password_hash)[0] for p in MANAGERS]
    buddy, _ = _user(BUDDY, password_hash)
    baseline = current_baseline()
    rng = random.Random(20261123)
    for person, slug, days_in, manager_index, has_buddy in HIRES:
        hire, created = _user(person, password_hash)
        if not created:
            continue
        db.session.flush()
        plan = create_plan(version=current_version(slug), start=today - timedelta(days=days_in),
                           hire=hire, manager=managers[manager_index],
                           buddy=buddy if has_buddy else None, baseline=baseline, actor=admin)
        advance(plan, today, rng)
    db.session.flush()
    logins = [("admin (HR)", admin.email, DEMO_PASSWORD)]
    logins += [("manager", m.email, DEMO_PASSWORD) for m in managers]
    logins += [("buddy", buddy.email, DEMO_PASSWORD)]
    logins += [("hire", p.email, DEMO_PASSWORD) for p, *_ in HIRES]
    return logins


def add_bulk_hires(count: int, today: date | None = None, team_size: int = 12,
                   batch: int = 500, checkpoint=None) -> int:
    """``count`` more hires with plans, spread over roles and start dates, for load tests.

    One password hash is shared (hashing is deliberately slow), and every ``batch`` hires the
    caller's ``checkpoint(done)`` runs, where it commits and shows progress: services never
    commit, but thousands of plans in one transaction would hold everything in memory.
    """
    today = today or date.today()
    if not db.session.scalar(sa.select(sa.func.count()).select_from(RoleTemplate)):
        load_library()
    slugs = list(db.session.scalars(
        sa.select(RoleTemplate.slug).where(RoleTemplate.kind == TemplateKind.ROLE).order_by(RoleTemplate.slug)))
    versions = [current_version(slug) for slug in slugs]
    baseline = current_baseline()
    password_hash = hash_password(DEMO_PASSWORD)
    first = db.session.scalar(sa.select(sa.func.count()).select_from(User)
                              .where(User.email.like(f"hire%@{BULK_DOMAIN}"))) or 0
    rng = random.Random(first)
    manager = None
    for n in range(first, first + count):
        if manager is None or n % team_size == 0:
            lead = Person(f"lead{n // team_size:05d}", f"Team Lead {n // team_size}", "UTC",
                          domain=BULK_DOMAIN)
            manager = _user(lead, password_hash)[0]
        hire = User(email=f"hire{n:06d}@{BULK_DOMAIN}", name=f"Bulk Hire {n}",
                    timezone=rng.choice(["UTC", "Europe/Berlin", "America/New_York",
                                         "Asia/Tokyo", "Australia/Sydney"]),
                    password_hash=password_hash)
        db.session.add(hire)
        plan = create_plan(version=versions[n % len(versions)], hire=hire, manager=manager,
                           start=today - timedelta(days=rng.randint(-30, 400)), baseline=baseline)
        advance(plan, today, rng, evidence=False)
        if checkpoint and (n - first + 1) % batch == 0:
            db.session.flush()
            checkpoint(n - first + 1)
    db.session.flush()
    return count
