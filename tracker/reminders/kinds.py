"""The notification kinds, and every fact about a kind that more than one module needs.

A kind is stored as a plain string in ``notifications.kind``; the enum's values are those very
strings, so the column, its migration and the rows already written stay as they are, and a
stored kind compares equal to its member. What people call a kind, which email templates draw
it, which email preference still lets it through, who it is for at send time and whether it
carries a calendar invitation is written once, in ``KIND_FACTS``, instead of as string checks
in the sweep, the dispatcher, the preferences, the renderer and the outbox page.

Adding a kind: a member and its facts here, the rule that makes it (``rules`` or ``team``,
wired in ``plan.plan_messages``), its subject and link in ``tracker/mail/render.py`` and its two
templates.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass


class NotificationKind(str, enum.Enum):
    WELCOME = "welcome"
    MILESTONE_SOON = "milestone_soon"
    CHECKIN_INVITE = "checkin_invite"
    GOAL_OVERDUE = "goal_overdue"
    PULSE_PROMPT = "pulse_prompt"
    REVIEW_WAITING = "review_waiting"
    DIGEST = "digest"
    PASSWORD_RESET = "password_reset"

    def __str__(self) -> str:
        # Dedupe keys are f-strings: they must read "digest", never "NotificationKind.DIGEST".
        return self.value

    @classmethod
    def known(cls, value: str) -> NotificationKind | None:
        """The member for a stored string, or None for a kind this version does not know."""
        return cls._value2member_map_.get(value)

    @property
    def facts(self) -> KindFacts:
        return KIND_FACTS[self]

    @property
    def label(self) -> str:
        return self.facts.label

    @property
    def templates(self) -> tuple[str, str]:
        """The text and HTML templates of its email, in that order."""
        return f"email/{self.value}.txt", f"email/{self.value}.html"


@dataclass(frozen=True)
class KindFacts:
    label: str  # what people call it: the outbox page and its preview
    # Who it is written for, checked again at send time: "plan" (the plan's hire, manager or
    # buddy, or an admin for an HR escalation), "team" (someone managing an active plan) or
    # "account" (the account holder, whatever their plans: a password link).
    audience: str = "plan"
    kept_by: frozenset[str] = frozenset()  # email choices besides "all" that still get it
    always: bool = False  # an account email: it goes out whatever the person chose
    calendar: bool = False  # carries an .ics invitation
    chat: bool = False  # a reminder people may also (or instead) get in chat


KIND_FACTS: dict[NotificationKind, KindFacts] = {
    NotificationKind.WELCOME: KindFacts("Welcome and set-password link", always=True),
    NotificationKind.MILESTONE_SOON: KindFacts("Milestone coming up", chat=True),
    NotificationKind.CHECKIN_INVITE: KindFacts("Check-in invitation",
                                               kept_by=frozenset({"checkins"}), calendar=True,
                                               chat=True),
    NotificationKind.GOAL_OVERDUE: KindFacts("Goals overdue", chat=True),
    NotificationKind.PULSE_PROMPT: KindFacts("Pulse check-in", chat=True),
    NotificationKind.REVIEW_WAITING: KindFacts("Reviews waiting", audience="team",
                                                 chat=True),
    NotificationKind.DIGEST: KindFacts("Weekly team digest", audience="team",
                                       kept_by=frozenset({"digest"}), chat=True),
    NotificationKind.PASSWORD_RESET: KindFacts("Password reset link", audience="account",
                                               always=True),
}


def label_of(kind: str) -> str:
    """A stored kind as people read it; one this version does not know reads as itself."""
    member = NotificationKind.known(kind)
    return member.label if member is not None else kind.replace("_", " ")
