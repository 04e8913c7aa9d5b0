"""Starting a new role in the studio: from nothing, from a catalogue entry, or as a copy.

Whichever way it starts, the role is a draft until someone publishes it, so a half-written role
can never be picked for a hire.
"""
from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user

from tracker.extensions import db
from tracker.forms import add_error, choices
from tracker.models import TemplateKind
from tracker.services import drafts
from tracker.services.errors import InputError
from tracker.services.role_catalogue import find_role, read_catalogue
from tracker.services.role_versions import current_version, library_dir
from tracker.services.studio import library_rows
from tracker.studio import bp, studio_access
from tracker.studio.forms import NewTemplateForm

DRAFT_SUMMARY = "Write two or three sentences on what this role owns and who it works with."


def _form() -> NewTemplateForm:
    form = NewTemplateForm()
    catalogue = read_catalogue(library_dir())
    taken = {row.template.slug for row in library_rows()}
    form.catalogue.choices = choices([("", "Choose a role")] + [
        (role.slug, f"{role.name} ({role.area})") for role in catalogue if role.slug not in taken])
    form.copy_of.choices = choices([("", "Choose a template")] + [
        (row.template.slug, row.template.name) for row in library_rows()
        if not (row.is_baseline or row.is_layer)])
    return form


def _start(form: NewTemplateForm):
    """The draft the form asks for, or InputError beside the field that is wrong."""
    name, area, slug = ((form.name.data or "").strip(), (form.area.data or "").strip(),
                        (form.slug.data or "").strip())
    if form.start.data == "catalogue":
        role = find_role(library_dir(), form.catalogue.data or "")
        if role is None:
            raise InputError("catalogue", "choose a role from the catalogue")
        return drafts.start_new(slug or role.slug, name or role.name, area or role.area,
                                role.focus, current_user)
    copy_of = None
    if form.start.data == "copy":
        copy_of = current_version(form.copy_of.data or "")
        if copy_of is None or copy_of.template.kind == TemplateKind.LAYER:
            raise InputError("copy_of", "choose the template to copy")
    if not name:
        raise InputError("name", "give the role a name")
    return drafts.start_new(slug, name, area, "" if copy_of else DRAFT_SUMMARY, current_user,
                            copy_of=copy_of)


@bp.route("/new", methods=["GET", "POST"])
@studio_access
def new_template():
    form = _form()
    status = 200
    if form.validate_on_submit():
        try:
            draft = _start(form)
        except InputError as error:
            db.session.rollback()
            add_error(form, error)
            status = 422
        else:
            db.session.commit()
            return redirect(url_for("studio.draft", slug=draft.slug), 303)
    elif form.is_submitted():
        status = 422
    return render_template("studio/new.html", form=form), status
