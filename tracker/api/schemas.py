"""What the API sends back: pydantic models, from which the OpenAPI document is generated.

Every response is validated against its model before it leaves (SpecTree does this), so the
document and the answers cannot drift apart. Dates are ISO 8601 days; instants are UTC.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ErrorDetail(Out):
    code: str = Field(description="A stable word to branch on, e.g. not_found, invalid.")
    message: str = Field(description="What went wrong, for a person.")
    fields: dict[str, str] = Field(description="Each refused input and what is wrong with it.")


class ErrorBody(Out):
    error: ErrorDetail


class Person(Out):
    id: int
    name: str
    email: str


class Me(Person):
    is_admin: bool
    timezone: str
    token: Optional[Literal["read-only", "read-write"]] = Field(
        description="The kind of token this request used; null for a browser session.")


class GoalTemplateOut(Out):
    key: str
    action: Literal["add", "replace", "drop"] = Field(
        description="What a layer does with the goal; a role's goals are all added.")
    title: str
    description: str
    owner: Literal["hire", "manager", "buddy"]
    evidence_required: bool
    evidence_hint: str
    target: Optional[str]


class MilestoneTemplateOut(Out):
    key: Literal["d30", "d60", "d90", "m6", "m12"]
    title: str
    goals: list[GoalTemplateOut]


class VersionSummary(Out):
    number: int
    loaded_at: datetime
    change_note: str


class RoleSummary(Out):
    slug: str
    name: str
    kind: Literal["role", "baseline", "layer"]
    area: str
    summary: str
    latest_version: Optional[int]


class RoleDetail(RoleSummary):
    versions: list[VersionSummary]


class RoleVersionOut(VersionSummary):
    slug: str
    milestones: list[MilestoneTemplateOut]


class RoleRef(Out):
    slug: str
    name: str
    version: int


class EvidenceOut(Out):
    id: int
    kind: Literal["note", "link", "file"]
    status: Literal["submitted", "withdrawn", "approved", "changes_requested"]
    note: str
    url: Optional[str]
    file_name: Optional[str]
    author: Person
    created_at: datetime
    reviewer: Optional[Person]
    review_comment: Optional[str]
    reviewed_at: Optional[datetime]


GoalState = Literal["open", "submitted", "changes_requested", "approved", "done", "waived",
                    "retired"]


class GoalOut(Out):
    id: int
    plan_id: int
    milestone: Literal["d30", "d60", "d90", "m6", "m12"]
    key: Optional[str] = Field(description="The template goal's stable key; null for a goal "
                                           "added to this plan by hand.")
    title: str
    description: str
    owner: Literal["hire", "manager", "buddy"]
    status: GoalState
    evidence_required: bool
    target: Optional[str]
    waived_reason: Optional[str]
    evidence: list[EvidenceOut]


class MilestoneOut(Out):
    key: Literal["d30", "d60", "d90", "m6", "m12"]
    title: str
    due_date: date
    goals: list[GoalOut]


class Progress(Out):
    done: int
    total: int


class PlanSummary(Out):
    id: int
    status: Literal["active", "completed", "archived"]
    start_date: date
    hire: Person
    manager: Person
    buddy: Optional[Person]
    timezone: str
    role: RoleRef
    layers: list[str]
    progress: Progress


class PlanOut(PlanSummary):
    milestones: list[MilestoneOut]


class PlanCreated(PlanOut):
    rehired: bool = Field(description="True when an earlier account of this person was reused.")


class CheckInOut(Out):
    milestone: Literal["d30", "d60", "d90", "m6", "m12"]
    due_date: date
    opens_on: date
    stage: str
    self_assessment: str
    went_well: str
    blockers: str
    goal_notes: dict[str, str]
    manager_assessment: str
    rating: Optional[Literal["on_track", "at_risk", "off_track"]]
    next_steps: str
    hire_signed_at: Optional[datetime]
    manager_signed_at: Optional[datetime]
    digest: str = Field(description="Send it back when signing: it proves which text you saw.")


class PulseOut(Out):
    due_on: date
    confidence: int
    blocker: str
    win: str
    created_at: datetime


class Pulses(Out):
    next_due: Optional[date]
    answers: list[PulseOut]


class NotificationOut(Out):
    id: int
    kind: str
    recipient: Person
    plan_id: Optional[int]
    status: str
    send_after: datetime
    attempts: int
    sent_at: Optional[datetime]
    last_error: Optional[str]
    skip_reason: Optional[str]


class ImportRow(Out):
    line: int
    email: str
    problems: list[str]


class ImportOut(Out):
    dry_run: bool
    created: int
    valid: bool
    rows: list[ImportRow]


class PageInfo(Out):
    page: int
    per_page: int
    total: int


class PlanPage(PageInfo):
    items: list[PlanSummary]


class NotificationPage(PageInfo):
    items: list[NotificationOut]


class RoleList(Out):
    items: list[RoleSummary]


class GoalList(Out):
    items: list[GoalOut]


class CheckInList(Out):
    items: list[CheckInOut]
