"""Notification kinds: each one's facts are complete, and they are the strings already stored.

The sweep side (every kind the sweep can produce is in the enum) is proven on real sweeps in
tests/test_email_render.py, beside the renderer that needs each kind's templates.
"""
import pytest

from tracker.mail.render import CONTEXTS
from tracker.reminders.kinds import KIND_FACTS, NotificationKind, label_of
from tracker.services.preferences import CHOICES

STORED = {"welcome", "milestone_soon", "checkin_invite", "goal_overdue", "pulse_prompt",
          "review_waiting", "digest"}  # the values rows already hold: they must never change
ADDED = {"password_reset"}  # kinds added since: new strings, so nothing stored changes


def test_the_kinds_are_the_strings_the_outbox_already_holds():
    assert {kind.value for kind in NotificationKind} == STORED | ADDED
    for kind in NotificationKind:
        assert kind == kind.value and f"{kind}" == kind.value and NotificationKind(kind.value) is kind


@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_kind_has_its_facts_its_email_and_its_templates(app, kind):
    facts = KIND_FACTS[kind]
    assert facts.label and facts.audience in ("plan", "team", "account")
    assert facts.kept_by <= set(CHOICES) - {"all"}
    assert kind in CONTEXTS, f"tracker/mail/render.py has no subject and link for {kind}"
    text, html = kind.templates
    assert text.endswith(".txt") and html.endswith(".html")
    for name in (text, html):
        assert app.jinja_env.get_template(name) is not None


def test_labels_are_distinct_and_unknown_kinds_still_read_as_words():
    labels = [kind.label for kind in NotificationKind]
    assert len(set(labels)) == len(labels)
    assert label_of("digest") == "Weekly team digest"
    assert label_of("carrier_pigeon") == "carrier pigeon"
    assert NotificationKind.known("carrier_pigeon") is None
