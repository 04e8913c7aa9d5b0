"""Every model, importable from one place (Alembic and the app need them all registered)."""
from tracker.models.adoption import PlanAdoption
from tracker.models.append_only import AppendOnlyError
from tracker.models.base import Base, UTCDateTime, utcnow
from tracker.models.calendar import CalendarFeed
from tracker.models.checkin import CheckIn, PulseCheckIn
from tracker.models.draft import TemplateDraft
from tracker.models.enums import (
    AdoptionDecision,
    CheckInRating,
    EvidenceKind,
    EvidenceStatus,
    GoalOwner,
    GoalSource,
    GoalStatus,
    MilestoneKey,
    NotificationStatus,
    PlanStatus,
    TemplateKind,
)
from tracker.models.outbox import AuditEvent, Notification, SweepProblem
from tracker.models.plan import Evidence, Plan, PlanGoal, PlanMilestone
from tracker.models.role import (
    GoalTemplate,
    MilestoneTemplate,
    RoleTemplate,
    RoleVersion,
)
from tracker.models.security import PasswordReset, SignIn, ThrottleEvent
from tracker.models.user import User
from tracker.models.webhook import WebhookDelivery, WebhookEndpoint

__all__ = [
    "AdoptionDecision", "AppendOnlyError", "AuditEvent", "Base", "CalendarFeed", "CheckIn",
    "CheckInRating",
    "Evidence", "EvidenceKind", "EvidenceStatus", "GoalOwner", "GoalSource", "GoalStatus",
    "GoalTemplate", "MilestoneKey", "MilestoneTemplate", "Notification", "NotificationStatus",
    "PasswordReset", "Plan", "PlanAdoption", "PlanGoal", "PlanMilestone", "PlanStatus",
    "PulseCheckIn", "RoleTemplate", "RoleVersion", "SignIn", "SweepProblem", "TemplateDraft",
    "TemplateKind",
    "ThrottleEvent", "User", "UTCDateTime", "WebhookDelivery", "WebhookEndpoint", "utcnow",
]
