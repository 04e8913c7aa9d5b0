"""What every blueprint's forms share: how a service's refusal lands beside its field.

Forms check shape only (and CSRF); the rules and their messages belong to the services, which
also guard the CLI and jobs. A refusal names a field; the form shows it there, or, when the form
has no such field, as a message above the form.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms.validators import ValidationError

from tracker.services.errors import InputError
from tracker.services.text import TextRule

try:
    from wtforms.fields.choices import SelectChoice
except ImportError:  # WTForms before 3.3 takes plain (value, label) pairs
    def SelectChoice(value, label):  # noqa: N802
        return (value, label)


def choices(pairs) -> list:
    """Select or radio options from (value, label) pairs, in the form WTForms keeps supporting."""
    return [SelectChoice(value, label) for value, label in pairs]


class Fits:
    """A text field's rule (tracker/services/text_rules.py): drawn as the browser's
    ``maxlength``, and checked with the service's own words when the view validates the form.

    The service that saves the text checks it again, so a view that hands its form straight to
    the service refuses the same input with the same message.
    """

    def __init__(self, rule: TextRule):
        self.rule = rule
        self.field_flags = {"maxlength": rule.limit}

    def __call__(self, form: FlaskForm, field) -> None:
        refusal = self.rule.problem(field.data)
        if refusal:
            raise ValidationError(refusal)


class ActionForm(FlaskForm):
    """Only the CSRF token: a button that changes state (sign out, mark done, withdraw)."""


def hidden(form: FlaskForm) -> Markup:
    """A form's hidden fields (the CSRF token, a digest) without ids: a page draws many forms,
    and ``hidden_tag()`` would give every copy of the token the same id."""
    return Markup("").join(field(id=False) for field in form
                           if getattr(field.widget, "input_type", None) == "hidden")


def action_form() -> ActionForm:
    """For templates: the token for a button-only form, without reading the request."""
    return ActionForm(formdata=None)


def add_error(form: FlaskForm, error: InputError) -> None:
    """Put a service's refusal beside the field it names, or among the form's own errors."""
    if error.field in form:
        field = form[error.field]
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def blank(form_class, **kwargs) -> FlaskForm:
    """A form that does not read the request: the empty copy drawn for every other goal."""
    return form_class(formdata=None, **kwargs)
