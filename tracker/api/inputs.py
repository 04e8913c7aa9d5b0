"""What the API accepts: pydantic models that refuse unknown fields and wrong types.

Only shape is checked here (types, required fields, sizes a request may carry); the rules of
the product (a real time zone, a start date in range, a manager who exists) stay in the
services, so the API and the pages refuse the same things with the same words.
"""
from __future__ import annotations

from datetime import date
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

Text = Field(default="", max_length=20_000)


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanQuery(In):
    """The same filters as HR's plan list; HR and admins see every plan, others their own."""
    status: Literal["active", "completed", "archived", "all"] = "all"
    role: str = Field(default="", max_length=80, description="A role's slug.")
    layer: str = Field(default="", max_length=80, description="A layer's slug.")
    cohort: str = Field(default="", max_length=7, description="A start quarter, e.g. 2026-Q3.")
    manager: Optional[int] = Field(default=None, ge=1, le=2**31 - 1,
                                   description="The manager's person id.")
    at: Literal["", "d30", "d60", "d90", "m6", "m12"] = Field(
        default="", description="Plans whose current milestone is this one.")
    at_risk: bool = False
    page: int = Field(default=1, ge=1, le=1_000_000)
    per_page: int = Field(default=50, ge=1, le=200)


class NotificationQuery(In):
    status: Optional[Literal["pending", "sending", "sent", "failed", "dead", "skipped",
                             "skipped_stale"]] = None
    plan_id: Optional[int] = Field(default=None, ge=1, le=2**31 - 1)
    page: int = Field(default=1, ge=1, le=1_000_000)
    per_page: int = Field(default=50, ge=1, le=200)


class PlanCreate(In):
    name: str = Field(max_length=500)
    email: str = Field(max_length=500)
    role: str = Field(max_length=80, description="A role's slug, e.g. ml-engineer.")
    start_date: date
    manager_email: str = Field(max_length=500)
    buddy_email: str = Field(default="", max_length=500)
    timezone: str = Field(default="UTC", max_length=64)
    layers: list[str] = Field(default_factory=list, max_length=20)
    baseline: bool = True


class PlanUpdate(In):
    manager_email: Optional[str] = Field(default=None, max_length=500)
    buddy_email: Optional[str] = Field(default=None, max_length=500,
                                       description="An empty string removes the buddy.")
    start_date: Optional[date] = None


class EvidenceIn(In):
    kind: Literal["note", "link"] = "note"
    note: str = Text
    url: str = Field(default="", max_length=4096)


class ReviewIn(In):
    approve: bool
    comment: str = Text


class WaiveIn(In):
    reason: str = Field(max_length=2_000)


class HireHalfIn(In):
    self_assessment: str = Text
    went_well: str = Text
    blockers: str = Text
    goal_notes: dict[int, str] = Field(default_factory=dict, max_length=200)


class ManagerHalfIn(In):
    assessment: str = Text
    rating: Literal["", "on_track", "at_risk", "off_track"] = ""
    next_steps: str = Text


class SignIn(In):
    digest: str = Field(max_length=128, description="The digest the check-in showed you.")


class PulseIn(In):
    confidence: int = Field(ge=1, le=5)
    blocker: str = Text
    win: str = Text


class ImportIn(In):
    csv: str = Field(max_length=2_000_000, description="The file's text, header row first.")
    dry_run: bool = True
