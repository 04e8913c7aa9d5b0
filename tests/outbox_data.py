"""Queued notifications for dispatcher tests: real rows, as the sweep would leave them."""
from __future__ import annotations

from datetime import date, timedelta

from tracker.extensions import db
from tracker.models import Notification, utcnow


def queue(plan, recipient, count: int, *, kind: str = "pulse_prompt", due_minutes_ago: int = 5,
          prefix: str = "test") -> list[int]:
    """``count`` pulse prompts for ``plan`` due a few minutes ago, with the payload the sweep
    writes (tracker/reminders/rules.py); returns their ids."""
    send_after = utcnow() - timedelta(minutes=due_minutes_ago)
    rows = [Notification(dedupe_key=f"{prefix}:plan:{plan.id}:{kind}:{recipient.id}:{n}",
                         kind=kind, recipient_id=recipient.id, plan_id=plan.id,
                         payload={"plan_id": plan.id, "hire_name": plan.hire.name,
                                  "manager_name": plan.manager.name,
                                  "pulse_date": (date(2026, 1, 5) + timedelta(days=n)).isoformat()},
                         send_after=send_after)
            for n in range(count)]
    db.session.add_all(rows)
    db.session.flush()
    return [row.id for row in rows]
