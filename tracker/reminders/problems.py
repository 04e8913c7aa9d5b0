"""Plans a sweep could not work out: caught one plan at a time, so the others still go out.

The rules run over every running plan at once. One plan's odd data (a due date in the year
9999 in an old row or a hand edit) or a rule's bug meeting one plan must cost that plan its
reminders, not everyone's. So each step of the sweep works plan by plan through ``Problems``:
an exception while handling a plan is logged with its traceback and the plan's id, kept in
plain words for HR (``tracker.services.sweep_problems`` stores it for the outbox page), and
the plan is left out of the rest of the run; every other plan carries on. A plan left out
contributes none of its rows, so it never gets half of its reminders.
"""
from __future__ import annotations

from typing import Callable, Iterable, TypeVar

from flask import current_app
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

T = TypeVar("T")
ERROR_LIMIT = 500  # sweep_problems.error

WELCOME = "its welcome email"
MILESTONES = "its milestone reminders"
PULSES = "its pulse prompts"
REVIEWS = "its goals in the manager's list of reviews waiting"
DIGEST = "its line in the manager's weekly digest"
SAVING = "saving its reminders"


def describe(step: str, error: BaseException) -> str:
    """What went wrong, first in words HR can act on, then the exception for a developer."""
    if isinstance(error, OverflowError):
        plain = ("a date on this plan is too far in the past or the future to work with; "
                 "check its start date and due dates")
    elif isinstance(error, SQLAlchemyError):
        plain = "the database refused its reminders"
    else:
        plain = "something in this plan's data could not be handled"
    cause = error.orig if isinstance(error, DBAPIError) else error
    detail = (str(cause).strip().splitlines() or [""])[0]
    text = f"{plain} (while working out {step}: {type(cause).__name__}: {detail})"
    return text if len(text) <= ERROR_LIMIT else text[:ERROR_LIMIT - 1] + "…"


class Problems:
    """The plans one sweep left out, with what went wrong for each (the first error wins)."""

    def __init__(self) -> None:
        self.failed: dict[int, str] = {}

    def __contains__(self, plan_id: object) -> bool:
        return plan_id in self.failed

    def record(self, plan_id: int, step: str, error: BaseException) -> None:
        current_app.logger.exception(
            "sweep: plan %s left out of this sweep while working out %s; the other plans go on",
            plan_id, step, exc_info=error)
        self.failed.setdefault(plan_id, describe(step, error))

    def attempt(self, plan_id: int, step: str, work: Callable[[], T]) -> T | None:
        """``work()``, or None when it raised (the plan is then recorded as failed)."""
        if plan_id in self.failed:
            return None
        try:
            return work()
        except Exception as error:  # noqa: BLE001 - whatever it is, it is this plan's alone
            self.record(plan_id, step, error)
            return None

    def each(self, plans: Iterable, step: str, work: Callable[[object], Iterable[T]]
             ) -> dict[int, list[T]]:
        """``list(work(plan))`` for every plan not already left out, by plan id."""
        found: dict[int, list[T]] = {}
        for plan in plans:
            result = self.attempt(plan.id, step, lambda: list(work(plan)))
            if result is not None:
                found[plan.id] = result
        return found
