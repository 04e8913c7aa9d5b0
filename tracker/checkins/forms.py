"""The check-in's three forms: the hire's half (with goal notes), the manager's, the signature."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField

from tracker.forms import choices
from tracker.models import CheckInRating, PlanGoal

LONG = {"maxlength": 10000}


class HireHalfForm(FlaskForm):
    self_assessment = TextAreaField("Overall, how did this milestone go?",
                                    render_kw=LONG | {"rows": 4})
    went_well = TextAreaField("What went well", render_kw=LONG | {"rows": 3})
    blockers = TextAreaField("What is in your way", render_kw=LONG | {"rows": 3})

    def goal_notes(self) -> dict[int, str]:
        return {int(f.name.removeprefix("goal-")): f.data or "" for f in self
                if f.name.startswith("goal-")}


def hire_half_form(goals: list[PlanGoal], **kwargs) -> HireHalfForm:
    """One note field per goal of the milestone, named ``goal-<id>``, after the fixed fields."""
    form_class = type("MilestoneHireHalfForm", (HireHalfForm,), {
        f"goal-{goal.id}": TextAreaField(goal.title, render_kw={"rows": 2, "maxlength": 2000})
        for goal in goals})
    return form_class(**kwargs)


class ManagerHalfForm(FlaskForm):
    manager_assessment = TextAreaField("Your assessment", render_kw=LONG | {"rows": 4})
    rating = RadioField("Overall rating", validate_choice=False, choices=choices(
        (r.value, r.value.replace("_", " ").capitalize()) for r in CheckInRating))
    next_steps = TextAreaField("Agreed next steps", render_kw=LONG | {"rows": 3})


class SignForm(FlaskForm):
    seen = HiddenField()  # the digest of the words the signer had on screen
