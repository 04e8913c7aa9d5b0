"""Every kind of text a person types into the tracker, with its limit, in one table.

A limit is the length of the column the text is kept in, read from the model so the two cannot
drift apart; where the column is unbounded (``Text``) it is a length chosen for reading. The
services check with these rules (and so the CLI and jobs do too); the forms draw them.
"""
from __future__ import annotations

from tracker.models import (
    AccessToken,
    ChatSettings,
    Evidence,
    PlanGoal,
    PlanMilestone,
    PulseCheckIn,
    User,
    WebhookEndpoint,
)
from tracker.services.role_rules import schema_limit
from tracker.services.text import TextRule


def column_length(attribute) -> int:
    return attribute.type.length


# The plan page: evidence, review, waiving, pulses.
NOTE = TextRule("note", "note", 20_000, one_line=False)
LINK = TextRule("web address", "url", column_length(Evidence.url))
REVIEW_COMMENT = TextRule("comment", "comment", 5_000, one_line=False)
WAIVE_REASON = TextRule("reason", "reason", column_length(PlanGoal.waived_reason))
PULSE_BLOCKER = TextRule("answer on what is in your way", "blocker",
                         column_length(PulseCheckIn.blocker))
PULSE_WIN = TextRule("win", "win", column_length(PulseCheckIn.win))

# Milestone check-ins: long answers, in Text columns.
CHECKIN_LIMIT = 10_000
SELF_ASSESSMENT = TextRule("self-assessment", "self_assessment", CHECKIN_LIMIT, one_line=False)
WENT_WELL = TextRule("answer on what went well", "went_well", CHECKIN_LIMIT, one_line=False)
BLOCKERS = TextRule("answer on what is in your way", "blockers", CHECKIN_LIMIT, one_line=False)
MANAGER_ASSESSMENT = TextRule("assessment", "manager_assessment", CHECKIN_LIMIT, one_line=False)
NEXT_STEPS = TextRule("list of next steps", "next_steps", CHECKIN_LIMIT, one_line=False)
GOAL_NOTE = TextRule("note on this goal", "goal", 2_000, one_line=False)  # field: goal-<id>

# HR: people and plans.
PERSON_NAME = TextRule("name", "name", column_length(User.name))
EMAIL = TextRule("email address", "email", column_length(User.email))
MANAGER_EMAIL = EMAIL.named("manager's email", "manager")
BUDDY_EMAIL = EMAIL.named("buddy's email", "buddy")
TIMEZONE = TextRule("time zone", "timezone", column_length(User.timezone))
GOAL_TITLE = TextRule("title", "title", column_length(PlanGoal.title))
GOAL_DESCRIPTION = TextRule("description", "description", 5_000, one_line=False)
EVIDENCE_HINT = TextRule("evidence hint", "evidence_hint", 500)
DUE_DATE_REASON = TextRule("reason", "reason",
                           column_length(PlanMilestone.due_date_override_reason))

# The studio: a template's text, limited as the role schema limits the files (role.schema.json).
TEMPLATE_SLUG = TextRule("short name", "slug", schema_limit("slug"))
TEMPLATE_NAME = TextRule("role name", "name", schema_limit("name"))
TEMPLATE_AREA = TextRule("area", "area", schema_limit("area"))
TEMPLATE_SUMMARY = TextRule("summary", "summary", schema_limit("summary"), one_line=False)
MILESTONE_TITLE = TextRule("milestone title", "title", schema_limit("milestone", "title"))
TEMPLATE_GOAL_TITLE = TextRule("title", "title", schema_limit("goal", "title"))
TEMPLATE_GOAL_DESCRIPTION = TextRule("description", "description",
                                     schema_limit("goal", "description"), one_line=False)
TEMPLATE_EVIDENCE_HINT = TextRule("evidence hint", "evidence_hint",
                                  schema_limit("goal", "evidence_hint"), one_line=False)
TARGET = TextRule("target", "target", schema_limit("goal", "target"))
CHANGE_NOTE = TextRule("change note", "note", 2_000, one_line=False)
GOAL_ORDER = TextRule("order of goals", "order", 4_000)  # keys joined by commas, per milestone
# HR's bulk import: the CSV file's text, carried from the check to the import.
IMPORT_CSV = TextRule("CSV file", "csv_text", 1_000_000, one_line=False)

# Outgoing webhooks: where the events go.
WEBHOOK_URL = TextRule("web address", "url", column_length(WebhookEndpoint.url))

# Personal access tokens: what each one is for ("HRIS sync").
TOKEN_NAME = TextRule("token name", "name", column_length(AccessToken.name))
# Chat: a person's own incoming-webhook address (Microsoft Teams, or any chat that takes one).
CHAT_WEBHOOK_URL = TextRule("webhook address", "webhook_url",
                            column_length(ChatSettings.webhook_url))
