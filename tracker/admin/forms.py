"""Forms for the HR pages. Only shape is checked here; who may be whose manager is a rule for
the services, which also guard the CLI and anything else that calls them."""
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from tracker.forms import Fits, choices
from tracker.models import GoalOwner, PlanStatus
from tracker.security import safe_next_url
from tracker.services.text_rules import (
    BUDDY_EMAIL,
    DUE_DATE_REASON,
    EMAIL,
    EVIDENCE_HINT,
    GOAL_DESCRIPTION,
    GOAL_TITLE,
    MANAGER_EMAIL,
    PERSON_NAME,
    TIMEZONE,
)

REQUIRED = "this is required"
PULSE_DAYS = [InputRequired("write a whole number of days"),
              NumberRange(1, 90, "use a whole number of days from 1 to 90")]


class HireForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(REQUIRED), Fits(PERSON_NAME)])
    email = EmailField("Work email", validators=[DataRequired(REQUIRED), Fits(EMAIL)])
    timezone = StringField("Time zone", validators=[DataRequired(REQUIRED), Fits(TIMEZONE)])
    role = SelectField("Role", validators=[DataRequired("choose a role")],
                       validate_choice=False)  # the service names the error the same way
    start_date = DateField("Start date", validators=[InputRequired(REQUIRED)])
    manager = EmailField("Manager's email",
                         validators=[DataRequired(REQUIRED), Fits(MANAGER_EMAIL)])
    buddy = EmailField("Buddy's email (optional)", validators=[Optional(), Fits(BUDDY_EMAIL)])
    baseline = BooleanField("Include the company baseline goals", default=True)
    # Drawn as checkboxes with each layer's summary; the service names a bad choice.
    layers = SelectMultipleField("Layers (optional)", validate_choice=False)
    preview = SubmitField("Preview dates")
    create = SubmitField("Create hire and plan")


class StartDateForm(FlaskForm):
    start_date = DateField("New start date", validators=[InputRequired(REQUIRED)])


class PeopleForm(FlaskForm):
    manager = EmailField("Manager's email",
                         validators=[DataRequired(REQUIRED), Fits(MANAGER_EMAIL)])
    buddy = EmailField("Buddy's email", validators=[Optional(), Fits(BUDDY_EMAIL)])


class DueDateForm(FlaskForm):
    due_date = DateField("New due date", validators=[InputRequired(REQUIRED)])
    reason = StringField("Reason", validators=[Fits(DUE_DATE_REASON)])


class PulseForm(FlaskForm):
    pulse_days_early = IntegerField("Days between pulses in the first 90 days",
                                    validators=PULSE_DAYS)
    pulse_days_late = IntegerField("Days between pulses after 90 days", validators=PULSE_DAYS)


class GoalForm(FlaskForm):
    milestone = SelectField("Milestone", coerce=int)
    title = StringField("Title", validators=[DataRequired("give the goal a title"),
                                             Fits(GOAL_TITLE)])
    description = TextAreaField("Description", validators=[Fits(GOAL_DESCRIPTION)])
    owner = SelectField("Owner", default=GoalOwner.HIRE.value,
                        choices=choices((o.value, o.value.capitalize()) for o in GoalOwner))
    evidence_required = BooleanField("Needs evidence the manager reviews", default=True)
    evidence_hint = StringField("Evidence to show", validators=[Fits(EVIDENCE_HINT)])


class StatusForm(FlaskForm):
    status = SelectField("New status",
                         choices=choices((s.value, s.value.capitalize()) for s in PlanStatus))


def local_path(form, field) -> None:
    if field.data and safe_next_url(field.data) is None:
        raise ValidationError("that return address is not a page of this site")


class RequeueForm(FlaskForm):
    """One per outbox row; ``back`` returns to the same filtered page, and only within the site.

    No ``Optional()``: it lets white space through as "nothing given", and the view would then
    send it on as the redirect's address, which cannot hold a line break (a 500).
    """

    back = HiddenField(validators=[local_path])
