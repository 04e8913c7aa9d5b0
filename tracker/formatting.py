"""Jinja filters and globals: how dates, owners and statuses read on every page."""
from __future__ import annotations

from datetime import date

import markdown
import nh3
from flask import Flask
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from tracker.models.enums import GoalStatus, MilestoneKey

STATUS_LABELS = {
    GoalStatus.OPEN: "Open",
    GoalStatus.SUBMITTED: "Waiting for review",
    GoalStatus.CHANGES_REQUESTED: "Changes requested",
    GoalStatus.APPROVED: "Approved",
    GoalStatus.DONE: "Done",
    GoalStatus.WAIVED: "Waived",
    GoalStatus.RETIRED: "Retired from the template",
}


ACTIVITY_LABELS = {
    "plan.created": "created the plan",
    "plan.start_date_changed": "changed the start date",
    "milestone.due_date_overridden": "moved a due date",
    "evidence.submitted": "sent evidence for review",
    "evidence.edited": "edited evidence",
    "evidence.withdrawn": "withdrew evidence",
    "goal.approved": "approved",
    "goal.changes_requested": "asked for changes",
    "goal.done": "ticked off",
    "goal.waived": "waived",
    "goal.added": "added a goal",
    "plan.manager_changed": "changed the manager",
    "plan.buddy_changed": "changed the buddy",
    "plan.pulse_cadence_changed": "changed the pulse cadence",
    "plan.status_changed": "changed the plan's status",
    "checkin.hire_saved": "saved their self-assessment",
    "checkin.manager_saved": "saved the manager's assessment",
    "checkin.signed": "signed the check-in",
    "pulse.answered": "answered a pulse check-in",
    "invitation.issued": "made a set-password link",
    "preferences.changed": "changed their email preferences",
    "calendar.address_made": "made a new calendar address",
    "calendar.turned_off": "turned their calendar feed off",
    "notification.requeued": "queued a message again",
    "template.change_adopted": "adopted a template change",
    "template.change_declined": "kept the plan's goal as it was",
    "plan.template_version_changed": "moved the plan to a newer template version",
}


def nice_date(value: date | None) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}" if value else ""


def days_phrase(days: int) -> str:
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    if days > 0:
        return f"{days} days left"
    return "1 day overdue" if days == -1 else f"{-days} days overdue"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """A count as words: "1 goal", "3 goals" (``many`` for irregular nouns), never "goal(s)"."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def sentence(text: str) -> str:
    """A service's reason ("before signing, add a rating") as a sentence on its own."""
    return f"{text[:1].upper()}{text[1:]}." if text else ""


class _ImagesAsLinks(Treeprocessor):
    """``![chart](https://...)`` becomes a link to the picture, never an image the page loads:
    an image from another site would tell it who read the note, and when (a tracking pixel)."""

    def run(self, root):
        for image in root.iter("img"):
            source, words = image.get("src", ""), image.get("alt") or image.get("src", "")
            image.attrib.clear()
            image.tag, image.text = "a", words
            image.set("href", source)


class _ImagesAsLinksExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Markdown's name)
        md.treeprocessors.register(_ImagesAsLinks(md), "images_as_links", 0)


# Raw <img> in a note is dropped; Markdown images arrive as links (above).
NOTE_TAGS = nh3.ALLOWED_TAGS - {"img", "area", "map"}


def render_markdown(text: str) -> Markup:
    """Markdown from users, cleaned to a safe subset of HTML (no scripts, styles, handlers or
    images from elsewhere)."""
    html = markdown.markdown(text or "", extensions=["sane_lists", _ImagesAsLinksExtension()])
    # Trusted as HTML only after nh3 has cleaned it to the allowed tags and attributes.
    return Markup(nh3.clean(html, tags=NOTE_TAGS))  # nosec B704


def register(app: Flask) -> None:
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(lambda a: ACTIVITY_LABELS.get(a, a.replace(".", " ")), "activity_label")
    app.add_template_filter(nice_date)
    app.add_template_filter(plural)
    app.add_template_filter(sentence)
    app.add_template_filter(days_phrase)
    app.add_template_filter(lambda s: STATUS_LABELS[GoalStatus(s)], "status_label")
    app.add_template_filter(lambda k: MilestoneKey(k).label, "milestone_label")
