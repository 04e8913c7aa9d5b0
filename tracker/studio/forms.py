"""Forms of the studio's draft editor. Every save carries the revision its page showed
(services/drafts.py refuses an older one), and text limits come from the role schema."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional

from tracker.forms import Fits, choices
from tracker.models import GoalOwner
from tracker.services.draft_content import MILESTONE_KEYS, GoalFields
from tracker.services.text_rules import (
    CHANGE_NOTE,
    EMAIL,
    GOAL_ORDER,
    MILESTONE_TITLE,
    TARGET,
    TEMPLATE_AREA,
    TEMPLATE_EVIDENCE_HINT,
    TEMPLATE_GOAL_DESCRIPTION,
    TEMPLATE_GOAL_TITLE,
    TEMPLATE_NAME,
    TEMPLATE_SLUG,
    TEMPLATE_SUMMARY,
)

REQUIRED = "this is required"
OWNERS = choices((owner.value, owner.value.capitalize()) for owner in GoalOwner)


class DraftForm(FlaskForm):
    """A save to the draft: only the revision, for the buttons (move, remove, discard)."""

    revision = IntegerField(widget=HiddenField.widget,
                            validators=[InputRequired("reload the page: it did not say which "
                                                      "version of the draft it showed")])


class DetailsForm(DraftForm):
    name = StringField("Role name", validators=[Fits(TEMPLATE_NAME)])
    area = StringField("Area", validators=[Fits(TEMPLATE_AREA)])
    summary = TextAreaField("Summary", validators=[Fits(TEMPLATE_SUMMARY)])


class MilestoneForm(DraftForm):
    title = StringField("Milestone title", validators=[Fits(MILESTONE_TITLE)])


class GoalForm(DraftForm):
    """One goal of the draft. Text may be unfinished: the problems list says what publishing
    needs, beside the goal, and the draft keeps what was typed."""

    title = StringField("Title", validators=[DataRequired("give the goal a title"),
                                             Fits(TEMPLATE_GOAL_TITLE)])
    description = TextAreaField("Description", validators=[Fits(TEMPLATE_GOAL_DESCRIPTION)])
    owner = SelectField("Who does it", choices=OWNERS)
    evidence_required = BooleanField("Evidence required", default=True)
    evidence_hint = TextAreaField("Evidence hint", validators=[Fits(TEMPLATE_EVIDENCE_HINT)])
    target = StringField("Target (optional)", validators=[Optional(), Fits(TARGET)])
    milestone = SelectField("Milestone", choices=choices((key, key) for key in MILESTONE_KEYS))

    def fields(self) -> GoalFields:
        return GoalFields(title=self.title.data.strip(),
                          description=(self.description.data or "").strip(),
                          owner=self.owner.data, evidence_required=self.evidence_required.data,
                          evidence_hint=(self.evidence_hint.data or "").strip(),
                          target=(self.target.data or "").strip())


class MoveForm(DraftForm):
    direction = RadioField(choices=choices([("up", "Up"), ("down", "Down")]),
                           validators=[InputRequired("say up or down")])


class OrderForm(DraftForm):
    """Every milestone's goals in their new order (a drag): one field per milestone, keys
    separated by commas."""

    d30 = HiddenField(validators=[Fits(GOAL_ORDER)])
    d60 = HiddenField(validators=[Fits(GOAL_ORDER)])
    d90 = HiddenField(validators=[Fits(GOAL_ORDER)])
    m6 = HiddenField(validators=[Fits(GOAL_ORDER)])
    m12 = HiddenField(validators=[Fits(GOAL_ORDER)])

    def order(self) -> dict[str, list[str]]:
        return {key: [k for k in (self[key].data or "").split(",") if k]
                for key in MILESTONE_KEYS}


class PublishForm(DraftForm):
    note = TextAreaField("What changed, for the people whose plans use this template",
                         validators=[DataRequired("say what changed in a sentence or two"),
                                     Fits(CHANGE_NOTE)])
    over_newer = BooleanField("Publish over the newer version")


class NewTemplateForm(FlaskForm):
    """A new role: from scratch, from a catalogue entry, or as a copy of another template."""

    start = RadioField("Start from", default="scratch", choices=choices([
        ("scratch", "Nothing: I will write the goals"),
        ("catalogue", "A role in the catalogue"),
        ("copy", "A copy of another template")]))
    catalogue = SelectField("Catalogue role", validate_choice=False)
    copy_of = SelectField("Template to copy", validate_choice=False)
    slug = StringField("Short name (used in addresses and files)",
                       validators=[Optional(), Fits(TEMPLATE_SLUG)])
    name = StringField("Role name", validators=[Optional(), Fits(TEMPLATE_NAME)])
    area = StringField("Area", validators=[Optional(), Fits(TEMPLATE_AREA)])


class EditorForm(FlaskForm):
    """HR makes someone a template editor, or stops them being one."""

    email = EmailField("Email", validators=[DataRequired(REQUIRED), Fits(EMAIL)])


class UploadForm(FlaskForm):
    """A template or a zip of the library (studio/files.py). Shape only: the words for a missing
    file or note, and every rule of the upload, are services/library_files.py's."""

    file = FileField("A template (.yaml) or the library (.zip)")
    note = TextAreaField("What changed", validators=[Fits(CHANGE_NOTE)], render_kw={"rows": 2})
