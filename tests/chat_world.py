"""The chat tests' company: one hire and their manager on a plan, and a way to record what a
person chose about chat (tests/test_chat_delivery.py, tests/test_chat_routing.py)."""
from __future__ import annotations

from types import SimpleNamespace

from tests.factories import PlanFactory, cast
from tracker.extensions import db
from tracker.models import ChatSettings


def build_world(app):
    with app.app_context():
        people = cast("manager", "hire")
        plan = PlanFactory(hire=people.hire, manager=people.manager)
        db.session.commit()
        return SimpleNamespace(plan=plan.id, hire=people.hire.id, manager=people.manager.id)


def choose(user_id: int, *, webhook_url: str | None = None, **channels: str) -> None:
    db.session.add(ChatSettings(user_id=user_id, webhook_url=webhook_url, channels=channels))
    db.session.commit()
