"""Creating a hire and their plan, with a dry run first.

"Preview dates" and "Create hire and plan" post the same form, so HR can check the dates, change
the start date or role, and create without typing anything again. The preview never writes.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.admin import admin_required, bp
from tracker.admin.forms import HireForm
from tracker.extensions import db
from tracker.forms import add_error, choices
from tracker.services import hires
from tracker.services.accounts import people
from tracker.services.errors import InputError
from tracker.services.invitations import issue_link
from tracker.services.layers import in_merge_order, layer_choices, layer_versions, origin
from tracker.services.plans import check_timezone, preview, time_zones
from tracker.services.role_versions import current_baseline


def _layers(form: HireForm) -> list[str]:
    return in_merge_order(form.layers.data or [], layer_choices())


def _preview(form: HireForm):
    """The would-be milestones, or None when role, start date or layers are not usable yet."""
    if not (form.role.validate(form) & form.start_date.validate(form)):
        return None
    try:
        hires.check_start_date(form.start_date.data)
        if form.timezone.data:
            check_timezone(form.timezone.data)
        version = hires.role_version(form.role.data)
        baseline = current_baseline() if form.baseline.data else None
        layers = layer_versions(_layers(form))
        return version, preview(version, form.start_date.data, baseline=baseline,
                                layers=layers)
    except InputError as error:
        add_error(form, error)
        return None


def _create(form: HireForm):
    if not form.validate():
        return None
    data = form.data
    try:
        plan, rehired = hires.create_hire(
            name=data["name"], email=data["email"], timezone=data["timezone"].strip(),
            role=data["role"], start=data["start_date"], manager_email=data["manager"],
            buddy_email=data["buddy"] or "", baseline=data["baseline"], layers=_layers(form),
            actor=current_user)
    except InputError as error:
        db.session.rollback()
        add_error(form, error)
        return None
    hire = plan.hire
    link = None if hire.password_hash else issue_link(hire, actor=current_user, plan=plan)
    db.session.commit()
    if rehired:
        flash(f"Welcome back: {hire.email} already had an account, so {hire.name} was rehired "
              "with it and given a new plan.", "info")
    else:
        flash(f"Created {hire.name} and their plan.", "info")
    if link:
        days = current_app.config["INVITATION_MAX_AGE_DAYS"]
        flash(f"Send {hire.name} this link to choose a password (it works once, for {days} "
              f"days; the plan's edit page can make a new one): {link}", "info")
    return redirect(url_for("plans.show", plan_id=plan.id))


@bp.route("/hires/new", methods=["GET", "POST"])
@admin_required
def new_hire():
    form = HireForm()
    form.role.choices = choices([("", "Choose a role"), *hires.role_choices()])
    form.layers.choices = choices((layer.slug, layer.name) for layer in layer_choices())
    if not form.is_submitted():
        form.timezone.data = current_app.config["DEFAULT_TIMEZONE"]
    previewed = None
    if form.is_submitted():
        if form.create.data:
            created = _create(form)
            if created is not None:
                return created
        else:
            previewed = _preview(form)
    has_errors = any(field.errors for field in form)
    return render_template("admin/hire_new.html", form=form, previewed=previewed,
                           people=people(), timezones=time_zones(),
                           layers=layer_choices(), origin=origin), (
        422 if has_errors else 200)
