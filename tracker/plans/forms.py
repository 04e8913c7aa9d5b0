"""Forms on the plan page: evidence, review, waiving, ticking off, and the pulse.

The page draws one set of these for every goal; only the goal whose form was refused gets the
posted copy, with the person's input and the error beside the field. Shape only: the rules and
their words are the services'.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, StringField, TextAreaField, URLField
from wtforms.validators import Length

from tracker.forms import ActionForm, Fits, blank, choices
from tracker.models import EvidenceKind
from tracker.services.text_rules import (
    LINK,
    NOTE,
    PULSE_BLOCKER,
    PULSE_WIN,
    REVIEW_COMMENT,
    WAIVE_REASON,
)

KIND_LABELS = {EvidenceKind.NOTE: "Note", EvidenceKind.LINK: "Link", EvidenceKind.FILE: "File"}


class EvidenceForm(FlaskForm):
    kind = RadioField("Add evidence", default=EvidenceKind.NOTE.value, validate_choice=False,
                      choices=choices((k.value, label) for k, label in KIND_LABELS.items()))
    note = TextAreaField("Your note", validators=[Fits(NOTE)], render_kw={"rows": 3})
    url = URLField("Web address", validators=[Fits(LINK)],
                   render_kw={"inputmode": "url", "placeholder": "https://"})
    file = FileField("File to upload")


class EditEvidenceForm(FlaskForm):
    note = TextAreaField("Note", validators=[Fits(NOTE)], render_kw={"rows": 3})
    url = URLField("Web address", validators=[Fits(LINK)])


class ReviewForm(FlaskForm):
    comment = TextAreaField("Review comment", validators=[Fits(REVIEW_COMMENT)],
                            render_kw={"rows": 2})
    decision = StringField()  # set by the pressed button (approve or changes), never drawn


class AdoptForm(FlaskForm):
    """One template change, named "role:<key>" or "baseline:<key>" by its button."""

    # "baseline:" and a 48-character key at most; set by the pressed button, never drawn
    change = StringField(validators=[Length(max=60)])


class WaiveForm(FlaskForm):
    reason = StringField("Why it no longer applies", validators=[Fits(WAIVE_REASON)])


class PulseForm(FlaskForm):
    confidence = RadioField(
        "How confident do you feel about your onboarding this week?", validate_choice=False,
        choices=choices((str(n), f"{n}{' · not at all' if n == 1 else ' · very' if n == 5 else ''}")
                        for n in range(1, 6)))
    blocker = StringField("One thing in your way (optional)", validators=[Fits(PULSE_BLOCKER)])
    win = StringField("One win since last time (optional)", validators=[Fits(PULSE_WIN)])


BLANKS = {"evidence": EvidenceForm, "review": ReviewForm, "waive": WaiveForm,
          "action": ActionForm, "pulse": PulseForm}


class PageForms:
    """The forms the plan page draws: blank copies, plus the posted one that was refused.

    ``posted`` is (name, target id, form): the target is the goal (or the evidence, for
    ``edit``) whose form came back with errors.
    """

    def __init__(self, posted: tuple[str, int | None, FlaskForm] | None = None):
        self.posted = posted
        self._blank = {name: blank(cls) for name, cls in BLANKS.items()}

    def _refused(self, name: str, target: int | None) -> FlaskForm | None:
        if self.posted and self.posted[0] == name and self.posted[1] == target:
            return self.posted[2]
        return None

    def __call__(self, name: str, target: int | None = None) -> FlaskForm:
        refused = self._refused(name, target)
        return refused if refused is not None else self._blank[name]

    def edit(self, evidence) -> EditEvidenceForm:
        """The edit form of one piece of evidence, filled with what it says now."""
        refused = self._refused("edit", evidence.id)
        return refused if refused is not None else EditEvidenceForm(
            formdata=None, data={"note": evidence.note, "url": evidence.url})

    @property
    def goal_errors(self) -> list[str]:
        """Refusals of the posted form that belong to no field, shown under its goal."""
        return self.posted[2].form_errors if self.posted else []
