"""Small builders for test data; call inside an app context."""
from __future__ import annotations

import itertools
from datetime import date

from tracker.extensions import db
from tracker.models import User
from tracker.services.plans import create_plan
from tracker.services.role_versions import current_baseline, current_version

PASSWORD = "correct horse battery"
_serial = itertools.count(1)


def make_user(email: str | None = None, *, name: str | None = None, password: str | None = PASSWORD,
              is_admin: bool = False, timezone: str = "UTC", active: bool = True) -> User:
    n = next(_serial)
    user = User(email=email or f"person{n}@example.com", name=name or f"Person {n}",
                is_admin=is_admin, timezone=timezone, active=active)
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def make_plan(hire: User, manager: User, *, role: str = "machine-learning-engineer",
              start: date = date(2026, 1, 5), buddy: User | None = None, baseline: bool = True):
    return create_plan(version=current_version(role), start=start, hire=hire, manager=manager,
                       buddy=buddy, baseline=current_baseline() if baseline else None)
