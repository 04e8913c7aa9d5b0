"""A notification to an email: subject, text and HTML from its kind's two templates.

Runs where the dispatcher runs, in an app context with no request, so every link is built
from ``BASE_URL`` (tracker/urls.py). Each email asks for one thing and links to it, and
ends with a link to the recipient's notification preferences; its List-Unsubscribe headers
offer a one-click unsubscribe (RFC 8058).
What may change between the sweep and the send (titles, names, dates) comes from the
notification's payload; dates are calendar dates, instants are shown in the recipient's zone.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parseaddr
from typing import Callable

from flask import current_app

from tracker.formatting import nice_date, plural
from tracker.mail import ics
from tracker.mail.message import Attachment, Rendered, sender_domain
from tracker.models import Notification, Plan, User, utcnow
from tracker.models.enums import MilestoneKey
from tracker.reminders.kinds import NotificationKind as K
from tracker.reminders.window import zone
from tracker.services.invitations import invitation_url
from tracker.services.password_reset import reset_url
from tracker.services.preferences import preferences_token
from tracker.urls import base_url, external_url


def preferences_url(recipient: User) -> str:
    """Where the footer and List-Unsubscribe point: a signed link that opens this person's
    email preferences without signing in (services/preferences.py)."""
    return external_url("auth.preferences_from_email", token=preferences_token(recipient))


def unsubscribe_headers(recipient: User) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail programs show an Unsubscribe button that POSTs to the link."""
    url = external_url("auth.unsubscribe", token=preferences_token(recipient))
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def local_time(value: str | datetime, tz: str) -> str:
    """An instant as the recipient reads it: 'Tue 24 Nov 2026, 14:05 (Europe/Berlin)'."""
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = instant.astimezone(zone(tz))
    return f"{nice_date(local.date())}, {local:%H:%M} ({tz})"


def _day(value: str) -> str:
    return nice_date(date.fromisoformat(value))


# Each kind: (payload, recipient, plan) -> the template context, with subject and the action.
Context = Callable[[dict, User, Plan | None], dict]


def _welcome(data: dict, recipient: User, plan: Plan | None) -> dict:
    if not current_app.config["PASSWORD_SIGN_IN"]:  # single sign-on only: no password to set
        provider = current_app.config["OIDC_PROVIDER_NAME"]
        return {"subject": "Welcome aboard: your onboarding plan is ready", "sso": provider,
                "action_label": f"Sign in with {provider}",
                "action_url": external_url("auth.sso_start")}
    if recipient.password_hash:  # they set one since the sweep: the link would be spent
        action = ("Sign in", external_url("auth.login"))
    else:
        action = ("Set your password", invitation_url(recipient))
    return {"subject": "Welcome aboard: set your password to see your onboarding plan",
            "action_label": action[0], "action_url": action[1],
            "max_age_days": current_app.config["INVITATION_MAX_AGE_DAYS"]}


def _password_reset(data: dict, recipient: User, plan: Plan | None) -> dict:
    return {"subject": "Reset your onboarding tracker password",
            "action_label": "Choose a new password", "action_url": reset_url(data["nonce"]),
            "expires": local_time(data["expires_at"], recipient.timezone)}


def _is_hire(recipient: User, plan: Plan | None) -> bool:
    return plan is not None and recipient.id == plan.hire_id


def _milestone_soon(data: dict, recipient: User, plan: Plan | None) -> dict:
    days, goals = data["days"], data["goals"]
    whose = "your" if _is_hire(recipient, plan) else f"{data['hire_name']}'s"
    return {"subject": f"{whose[0].upper()}{whose[1:]} {data['milestone_label']} milestone is "
                       f"due in {plural(days, 'day')}: {plural(len(goals), 'goal')} still open",
            "whose": whose, "action_label": "Open the goals",
            "action_url": external_url("plans.show", f"milestone-{data['milestone']}",
                                       plan_id=_plan_id(data, plan))}


def _checkin_invite(data: dict, recipient: User, plan: Plan | None) -> dict:
    other = data["manager_name"] if data.get("role") == "hire" else data["hire_name"]
    return {"subject": f"Today: the {data['milestone_label']} check-in with {other}",
            "other": other, "action_label": "Open the check-in",
            "action_url": external_url("checkins.show", plan_id=_plan_id(data, plan),
                                       key=data["milestone"])}


def _goal_overdue(data: dict, recipient: User, plan: Plan | None) -> dict:
    goals, stage = data["goals"], data["stage"]
    if stage == "owner":
        subject = (f"{plural(len(goals), 'goal')} from the {data['milestone_label']} "
                   f"milestone {'is' if len(goals) == 1 else 'are'} overdue")
    else:
        subject = (f"{'Escalation: ' if stage == 'hr' else ''}{data['hire_name']}'s "
                   f"{data['milestone_label']} milestone: {plural(len(goals), 'goal')} "
                   f"{plural(data['days'], 'day')} overdue")
    return {"subject": subject, "action_label": "Open the plan",
            "action_url": external_url("plans.show", f"milestone-{data['milestone']}",
                                       plan_id=_plan_id(data, plan))}


def _pulse_prompt(data: dict, recipient: User, plan: Plan | None) -> dict:
    return {"subject": "How is it going? Your pulse check-in (one minute)",
            "action_label": "Answer the pulse check-in",
            "action_url": external_url("plans.show", "pulse", plan_id=_plan_id(data, plan))}


def _review_waiting(data: dict, recipient: User, plan: Plan | None) -> dict:
    count = data["count"]
    return {"subject": f"{plural(count, 'goal')} waiting for your review",
            "action_label": "Review the evidence", "action_url": external_url("reviews.queue")}


def _digest(data: dict, recipient: User, plan: Plan | None) -> dict:
    parts = [plural(len(data["reports"]), "report")]
    if data["overdue"]:
        parts.append(f"{data['overdue']} overdue")
    if data["waiting"]:
        parts.append(f"{data['waiting']} waiting for review")
    return {"subject": f"Your team this week ({_day(data['week_start'])}): " + ", ".join(parts),
            "action_label": "Open your team page", "action_url": external_url("reviews.team_page")}


def _plan_id(data: dict, plan: Plan | None) -> int:
    return plan.id if plan is not None else data["plan_id"]


# Each kind's subject and action; its other facts (templates, calendar...) are in its KindFacts.
CONTEXTS: dict[K, Context] = {
    K.WELCOME: _welcome, K.MILESTONE_SOON: _milestone_soon, K.CHECKIN_INVITE: _checkin_invite,
    K.GOAL_OVERDUE: _goal_overdue, K.PULSE_PROMPT: _pulse_prompt,
    K.REVIEW_WAITING: _review_waiting, K.DIGEST: _digest, K.PASSWORD_RESET: _password_reset,
}


def render(notification: Notification, recipient: User, plan: Plan | None) -> Rendered:
    kind = K.known(notification.kind)
    if kind is None or kind not in CONTEXTS:
        raise ValueError(f"no email templates for notification kind {notification.kind!r}")
    build = CONTEXTS[kind]
    data = dict(notification.payload or {})
    if plan is not None:
        data.setdefault("plan_id", plan.id)
    context = build(data, recipient, plan) | {
        "data": data, "recipient": recipient, "plan": plan,
        "preferences_url": preferences_url(recipient), "base_url": base_url(),
        "day": _day, "local_time": lambda value: local_time(value, recipient.timezone),
        "plural": plural, "milestone_label": lambda key: MilestoneKey(key).label,
    }
    env = current_app.jinja_env
    text_template, html_template = kind.templates
    text = env.get_template(text_template).render(context)
    html = env.get_template(html_template).render(context)
    attachments = []
    if kind.facts.calendar:
        attachments.append(_invitation(notification, data, context["action_url"]))
    return Rendered(subject=context["subject"], text=_tidy(text), html=html,
                    attachments=attachments,
                    headers={} if kind.facts.always else unsubscribe_headers(recipient))


def _tidy(text: str) -> str:
    """Templates are written for reading; the text part should not carry their blank lines."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _invitation(notification: Notification, data: dict, url: str) -> Attachment:
    label, hire, manager = data["milestone_label"], data["hire_name"], data["manager_name"]
    organizer_email = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    payload = ics.checkin_invitation(
        uid=ics.checkin_uid(data["plan_id"], data["milestone"], sender_domain()),
        sequence=notification.id or 0,
        stamp=notification.created_at or utcnow(),
        day=date.fromisoformat(data["due_date"]),
        summary=f"{label} check-in: {hire} and {manager}",
        description=f"The {label} milestone check-in for {hire}'s onboarding plan. "
                    f"Fill in your half before you meet: {url}",
        url=url,
        organizer=ics.Person("Onboarding Tracker", organizer_email),
        attendees=[ics.Person(hire, data["hire_email"]),
                   ics.Person(manager, data["manager_email"])])
    return Attachment("checkin.ics", "text/calendar; method=REQUEST; charset=utf-8", payload)
