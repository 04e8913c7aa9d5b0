"""Taking on a hire: their account, the people around them, and their plan in one step.

HR types emails, not ids, so every person is looked up here and each refusal names the form
field it belongs beside. Like every service this flushes but never commits.
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import (
    Plan,
    PlanStatus,
    RoleTemplate,
    RoleVersion,
    TemplateKind,
    User,
)
from tracker.services.accounts import (
    check_email,
    check_name,
    create_user,
    find_user,
    normalise_email,
)
from tracker.services.errors import InputError
from tracker.services.layers import layer_versions
from tracker.services.plans import check_timezone, create_plan
from tracker.services.role_versions import current_baseline, current_version
from tracker.services.text_rules import BUDDY_EMAIL, MANAGER_EMAIL

# A start date outside this window is almost always a typo in the year.
EARLIEST_START = timedelta(days=365)
LATEST_START = timedelta(days=2 * 365)


def check_start_date(start: date, today: date | None = None) -> date:
    today = today or date.today()
    if start < today - EARLIEST_START:
        raise InputError("start_date", f"{start:%d %b %Y} is more than a year ago; "
                                       "check the year")
    if start > today + LATEST_START:
        raise InputError("start_date", f"{start:%d %b %Y} is more than two years ahead; "
                                       "check the year")
    return start


def role_version(slug: str) -> RoleVersion:
    version = current_version(slug or "")
    if version is None or version.template.kind != TemplateKind.ROLE:
        raise InputError("role", "choose one of the roles in the list")
    return version


def role_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(sa.select(RoleTemplate.slug, RoleTemplate.name)
                              .where(RoleTemplate.kind == TemplateKind.ROLE)
                              .order_by(RoleTemplate.name))
    return [(slug, name) for slug, name in rows]


def active_person(email: str, field: str) -> User:
    """Managers and buddies must already have an active account: they are asked to act."""
    user = find_user(email)
    if user is None or not user.active:
        raise InputError(field, f"nobody active has the email {normalise_email(email)}; "
                                "pick someone from the list")
    return user


def people_for(hire_email: str, manager_email: str,
               buddy_email: str = "") -> tuple[User, User | None]:
    """The manager and the optional buddy, each someone other than the hire and each other."""
    hire_email = normalise_email(hire_email)
    manager_email = normalise_email(MANAGER_EMAIL.check(manager_email))
    buddy_email = normalise_email(BUDDY_EMAIL.check(buddy_email))
    if manager_email == hire_email:
        raise InputError("manager", "the manager must be someone other than the hire")
    if buddy_email and buddy_email in (hire_email, manager_email):
        raise InputError("buddy", "the buddy must be someone other than the hire and the manager")
    manager = active_person(manager_email, "manager")
    return manager, active_person(buddy_email, "buddy") if buddy_email else None


def active_plan_of(user: User, *, other_than: Plan | None = None) -> Plan | None:
    query = sa.select(Plan).where(Plan.hire_id == user.id, Plan.status == PlanStatus.ACTIVE)
    if other_than is not None:
        query = query.where(Plan.id != other_than.id)
    return db.session.scalars(query.limit(1)).first()


def create_hire(*, name: str, email: str, timezone: str, role: str, start: date,
                manager_email: str, buddy_email: str = "", baseline: bool = True,
                layers: list[str] = (), actor: User | None = None) -> tuple[Plan, bool]:
    """The new plan, and whether an existing account was reused (a rehire). ``layers`` are
    layer slugs in merge order (services/layers.py)."""
    check_name(name)
    email = check_email(email)
    check_timezone(timezone)
    check_start_date(start)
    version = role_version(role)
    chosen = layer_versions(list(layers))
    manager, buddy = people_for(email, manager_email, buddy_email)
    hire = find_user(email)
    rehired = hire is not None
    if hire is None:
        hire = create_user(email, name, timezone=timezone)
        db.session.flush()
    elif active_plan_of(hire):
        raise InputError("email", f"{email} already has an active plan; "
                                  "complete or archive it first")
    elif not hire.active:
        # Someone coming back after leaving: nothing from their old access may still work.
        hire.active, hire.password_hash = True, None
        hire.revoke_sessions()
    plan = create_plan(version=version, start=start, hire=hire, manager=manager, buddy=buddy,
                       timezone=timezone, baseline=current_baseline() if baseline else None,
                       layers=chosen, actor=actor)
    return plan, rehired
