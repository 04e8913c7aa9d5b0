"""The check-in's three forms: the hire's half (with goal notes), the manager's, the signature."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField

from tracker.forms import Fits, choices
from tracker.models import CheckInRating, PlanGoal
from tracker.services.text_rules import (
    BLOCKERS,
    GOAL_NOTE,
    MANAGER_ASSESSMENT,
    NEXT_STEPS,
    SELF_ASSESSMENT,
    WENT_WELL,
)


class HireHalfForm(FlaskForm):
    self_assessment = TextAreaField("Overall, how did this milestone go?",
                                    validators=[Fits(SELF_ASSESSMENT)], render_kw={"rows": 4})
    went_well = TextAreaField("What went well", validators=[Fits(WENT_WELL)],
                              render_kw={"rows": 3})
    blockers = TextAreaField("What is in your way", validators=[Fits(BLOCKERS)],
                             render_kw={"rows": 3})

    def goal_notes(self) -> dict[int, str]:
        return {int(f.name.removeprefix("goal-")): f.data or "" for f in self
                if f.name.startswith("goal-")}


def hire_half_form(goals: list[PlanGoal], **kwargs) -> HireHalfForm:
    """One note field per goal of the milestone, named ``goal-<id>``, after the fixed fields."""
    form_class = type("MilestoneHireHalfForm", (HireHalfForm,), {
        f"goal-{goal.id}": TextAreaField(goal.title, validators=[Fits(GOAL_NOTE)],
                                         render_kw={"rows": 2})
        for goal in goals})
    return form_class(**kwargs)


class ManagerHalfForm(FlaskForm):
    manager_assessment = TextAreaField("Your assessment", validators=[Fits(MANAGER_ASSESSMENT)],
                                       render_kw={"rows": 4})
    rating = RadioField("Overall rating", validate_choice=False, choices=choices(
        (r.value, r.value.replace("_", " ").capitalize()) for r in CheckInRating))
    next_steps = TextAreaField("Agreed next steps", validators=[Fits(NEXT_STEPS)],
                               render_kw={"rows": 3})


class SignForm(FlaskForm):
    seen = HiddenField()  # the digest of the words the signer had on screen
