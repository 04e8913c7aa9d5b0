"""Every model, importable from one place (Alembic and the app need them all registered)."""
from tracker.models import fact_marks  # noqa: F401 - registers its listener
from tracker.models.access_token import AccessToken
from tracker.models.adoption import PlanAdoption
from tracker.models.append_only import AppendOnlyError
from tracker.models.base import Base, UTCDateTime, utcnow
from tracker.models.calendar import CalendarFeed
from tracker.models.chat import ChatSettings
from tracker.models.checkin import CheckIn, PulseCheckIn
from tracker.models.draft import TemplateDraft
from tracker.models.enums import (
    AdoptionDecision,
    Channel,
    CheckInRating,
    EvidenceKind,
    EvidenceStatus,
    GoalAction,
    GoalOwner,
    GoalSource,
    GoalStatus,
    LayerType,
    MilestoneKey,
    NotificationStatus,
    PlanStatus,
    TemplateKind,
)
from tracker.models.outbox import AuditEvent, Notification, SweepProblem
from tracker.models.plan import Evidence, Plan, PlanGoal, PlanLayer, PlanMilestone
from tracker.models.report_facts import PlanFacts, ReportState, ReportTotal
from tracker.models.role import (
    GoalTemplate,
    MilestoneTemplate,
    RoleTemplate,
    RoleVersion,
)
from tracker.models.security import PasswordReset, SignIn, ThrottleEvent
from tracker.models.sweep_marks import SweepSetting
from tracker.models.user import User
from tracker.models.webhook import WebhookDelivery, WebhookEndpoint

__all__ = [
    "AccessToken",
    "AdoptionDecision", "AppendOnlyError", "AuditEvent", "Base", "CalendarFeed", "Channel",
    "ChatSettings", "CheckIn",
    "CheckInRating", "Evidence", "EvidenceKind", "EvidenceStatus", "GoalAction", "GoalOwner",
    "GoalSource", "GoalStatus", "GoalTemplate", "LayerType", "MilestoneKey", "MilestoneTemplate",
    "Notification", "NotificationStatus", "PasswordReset", "Plan", "PlanAdoption", "PlanGoal",
    "PlanFacts", "PlanLayer", "PlanMilestone", "PlanStatus", "PulseCheckIn", "ReportState",
    "ReportTotal", "RoleTemplate", "RoleVersion",
    "SignIn", "SweepProblem", "SweepSetting", "TemplateDraft", "TemplateKind", "ThrottleEvent",
    "User", "UTCDateTime", "WebhookDelivery", "WebhookEndpoint", "utcnow",
]
