"""Template editors: people HR lets into the studio without making them admins."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.extensions import db
from tracker.forms import add_error
from tracker.models import User
from tracker.services import audit
from tracker.services.accounts import find_user
from tracker.services.errors import InputError
from tracker.services.site_policy import grant_studio
from tracker.studio import bp, studio_access
from tracker.studio.forms import EditorForm


def _hr_only() -> None:
    if grant_studio(current_user).forbidden:
        abort(403)


def _page(form: EditorForm, status: int = 200):
    editors = db.session.scalars(sa.select(User).where(User.edits_templates.is_(True))
                                 .order_by(User.name)).all()
    return render_template("studio/editors.html", form=form, editors=editors), status


@bp.get("/editors")
@studio_access
def editors():
    _hr_only()
    return _page(EditorForm(formdata=None))


def _set(user: User, edits: bool) -> None:
    before = user.edits_templates
    user.edits_templates = edits
    audit.record("user.template_editor", actor=current_user, target=user,
                 before={"edits_templates": before}, after={"edits_templates": edits})


@bp.post("/editors")
@studio_access
def grant_editor():
    _hr_only()
    form = EditorForm()
    if form.validate():
        user = find_user(form.email.data)
        if user is None:
            add_error(form, _no_one(form.email.data))
        elif user.is_admin or user.edits_templates:
            add_error(form, _no_one(None, f"{user.name} can already use the studio"))
        else:
            _set(user, True)
            db.session.commit()
            flash(f"{user.name} is now a template editor.", "info")
            return redirect(url_for("studio.editors"), 303)
    return _page(form, 422)


def _no_one(email: str | None, message: str | None = None) -> InputError:
    return InputError("email", message or f"no one here has the address {email}; "
                                           "HR adds people when they create a hire")


@bp.post("/editors/<int:user_id>/remove")
@studio_access
def remove_editor(user_id: int):
    _hr_only()
    user = db.session.get(User, user_id)
    if user is None or not user.edits_templates:
        abort(404)
    _set(user, False)
    db.session.commit()
    flash(f"{user.name} is no longer a template editor.", "info")
    return redirect(url_for("studio.editors"), 303)
