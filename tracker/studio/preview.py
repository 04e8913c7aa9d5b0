"""The merged plan a role and some layers give for a start date, before anyone is hired.

Whoever shapes the library sees here what a new hire would get: the baseline, the role and the
chosen layers merged by the same function plan creation uses (services/layers.py), each
milestone with its due date and each goal with where it comes from. A GET form: nothing is
saved, so the address can be shared and bookmarked. With "open draft" ticked the role comes
from its studio draft, so a change can be seen in a plan before it is published.
"""
from datetime import date

from flask import render_template, request
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField

from tracker.forms import add_error, choices
from tracker.services import hires
from tracker.services.draft_preview import draft_version
from tracker.services.errors import InputError
from tracker.services.layers import in_merge_order, layer_choices, layer_versions, origin
from tracker.services.plans import preview
from tracker.services.role_versions import current_baseline
from tracker.studio import bp, studio_access


class PlanPreviewForm(FlaskForm):
    """Read from the query string; a GET changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    role = SelectField("Role", validate_choice=False)
    start_date = DateField("Start date")
    layers = SelectMultipleField("Layers (optional)", validate_choice=False)
    draft = BooleanField("Use the role's open draft, not its published version")


def _merged(form: PlanPreviewForm):
    """(role version, chosen layer versions, milestones) or None, with errors on the form."""
    if not form.start_date.validate(form):
        form.start_date.errors = ["write the start date as a date, like 2027-01-04"]
        return None
    try:
        hires.check_start_date(form.start_date.data)
        version = (draft_version(form.role.data) if form.draft.data
                   else hires.role_version(form.role.data))
        layers = layer_versions(in_merge_order(form.layers.data or [], layer_choices()))
        return version, layers, preview(version, form.start_date.data,
                                        baseline=current_baseline(), layers=layers)
    except InputError as error:
        add_error(form, error)
        return None


@bp.get("/preview/plan")
@studio_access
def preview_plan():
    form = PlanPreviewForm(formdata=request.args or None)
    form.role.choices = choices([("", "Choose a role"), *hires.role_choices()])
    layers = layer_choices()
    form.layers.choices = choices((layer.slug, layer.name) for layer in layers)
    # A link from a template page only fills in the role or the layer: merge once a date is in.
    merged = _merged(form) if "start_date" in request.args else None
    if form.start_date.data is None and not form.start_date.errors:
        form.start_date.data = date.today()
    has_errors = any(field.errors for field in form)
    return render_template("studio/preview.html", form=form, layers=layers, merged=merged,
                           origin=origin), 422 if has_errors else 200
