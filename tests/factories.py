"""Builders for test data, shared by every test file; call them inside an app context.

factory_boy factories write through ``db.session`` and only flush: the fixtures push an app
context just long enough to build their rows and commit once, so nothing is left half-written
and no context outlives the fixture. ``CAST`` names the people most worlds are made of, so
"manager@example.com" is Maya Manager in every file and a login by email finds the same person.
"""
from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import factory
from factory.alchemy import SQLAlchemyModelFactory

from tracker.extensions import db
from tracker.models import Plan, User
from tracker.models.user import hash_password
from tracker.services.plans import create_plan
from tracker.services.role_versions import current_baseline, current_version

PASSWORD = "correct horse battery"

# The usual people, by the part they play; a world takes the ones it needs.
CAST = {
    "admin": {"email": "admin@example.com", "name": "Ada Admin", "is_admin": True},
    "manager": {"email": "manager@example.com", "name": "Maya Manager"},
    "other_manager": {"email": "other.manager@example.com", "name": "Omar Other"},
    "buddy": {"email": "buddy@example.com", "name": "Bea Buddy"},
    "hire": {"email": "hire@example.com", "name": "Hana Hire"},
    "other_hire": {"email": "other.hire@example.com", "name": "Otto Hire"},
}


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 (the current app's session)
        sqlalchemy_session_persistence = "flush"


class UserFactory(_Base):
    """``password=None`` makes an account without one, like a hire HR has not invited yet."""

    class Meta:
        model = User

    class Params:
        password = PASSWORD

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Sequence(lambda n: f"Person {n}")
    is_admin = False
    timezone = "UTC"
    active = True
    password_hash = factory.LazyAttribute(lambda o: hash_password(o.password) if o.password else None)


class PlanFactory(factory.Factory):
    """A plan made the way the app makes one (``create_plan``), from the loaded library."""

    class Meta:
        model = Plan

    class Params:
        role = "machine-learning-engineer"
        with_baseline = True

    hire = factory.SubFactory(UserFactory)
    manager = factory.SubFactory(UserFactory)
    buddy = None
    start = date(2026, 1, 5)
    version = factory.LazyAttribute(lambda o: current_version(o.role))
    baseline = factory.LazyAttribute(lambda o: current_baseline() if o.with_baseline else None)

    @classmethod
    def _create(cls, model_class, **kwargs):
        return create_plan(**kwargs)

    @classmethod
    def _build(cls, model_class, **kwargs):
        raise TypeError("a plan only exists once create_plan has written it; use create()")


def days_ago(days: int) -> date:
    return date.today() - timedelta(days=days)


def cast(*parts: str, **changes: dict) -> SimpleNamespace:
    """The named people from ``CAST``, created in the order given; ``changes`` per part, as in
    ``cast("hire", hire={"timezone": "Australia/Sydney"})``."""
    unknown = (set(parts) | set(changes)) - set(CAST)
    assert not unknown, f"not in CAST: {unknown}"
    return SimpleNamespace(**{part: UserFactory(**(CAST[part] | changes.get(part, {})))
                              for part in parts})


def make_user(email: str | None = None, *, name: str | None = None, password: str | None = PASSWORD,
              is_admin: bool = False, timezone: str = "UTC", active: bool = True) -> User:
    """The short form most tests use; ``password=None`` makes an account without one."""
    fields = {"is_admin": is_admin, "timezone": timezone, "active": active, "password": password}
    if email:
        fields["email"] = email
    if name:
        fields["name"] = name
    return UserFactory(**fields)


def make_plan(hire: User, manager: User, *, role: str = "machine-learning-engineer",
              start: date = date(2026, 1, 5), buddy: User | None = None, baseline: bool = True):
    return PlanFactory(hire=hire, manager=manager, buddy=buddy, start=start, role=role,
                       with_baseline=baseline)
