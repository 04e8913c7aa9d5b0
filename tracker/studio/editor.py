"""The draft editor: every change is saved as it is made, and publishing makes version N+1.

Each form posts on its own and works without JavaScript (the page comes back with the change
or the problem beside the form). ``js/studio.js`` sends the same forms in the background as the
editor types and asks for JSON, so nothing typed is lost when the tab closes.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.extensions import db
from tracker.forms import add_error, blank
from tracker.models import TemplateKind
from tracker.services import draft_content as content
from tracker.services import drafts
from tracker.services.errors import InputError
from tracker.services.role_versions import current_version
from tracker.studio import bp, studio_access
from tracker.studio.forms import (
    DetailsForm,
    DraftForm,
    GoalForm,
    MilestoneForm,
    MoveForm,
    OrderForm,
    PublishForm,
)


def _draft_or_404(slug: str):
    draft = drafts.draft_for(slug)
    if draft is None:
        abort(404)
    return draft


def wants_json() -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _state(draft) -> dict[str, Any]:
    """What the page's script needs after a save: the new revision and the problems."""
    found = drafts.problems_of(draft)
    return {"ok": True, "revision": draft.revision, "count": found.count,
            "goals": found.goals, "milestones": found.milestones, "details": found.details}


def render_editor(draft, status: int = 200, posted: dict[str, Any] | None = None):
    """The editor, with ``posted`` (a form that was refused) drawn instead of a blank one."""
    posted = posted or {}
    revision = draft.revision
    forms: dict[str, Any] = {}
    doc = draft.content
    forms["details"] = posted.get("details") or blank(
        DetailsForm, revision=revision, name=doc.get("name"), area=doc.get("area"),
        summary=doc.get("summary"))
    for key, milestone in doc["milestones"].items():
        forms[f"m-{key}"] = posted.get(f"m-{key}") or blank(
            MilestoneForm, revision=revision, title=milestone.get("title", ""))
        forms[f"add-{key}"] = posted.get(f"add-{key}") or blank(
            GoalForm, revision=revision, milestone=key, evidence_required=True)
        for goal in milestone["goals"]:
            forms[f"goal-{goal['key']}"] = posted.get(f"goal-{goal['key']}") or blank(
                GoalForm, revision=revision, milestone=key, **{
                    k: v for k, v in goal.items() if k != "key"})
    forms["publish"] = posted.get("publish") or blank(PublishForm, revision=revision)
    forms["button"] = posted.get("button") or blank(DraftForm, revision=revision)
    forms |= {name: form for name, form in posted.items() if name not in forms}  # moves, order
    latest = current_version(draft.slug)
    return render_template("studio/draft.html", draft=draft, forms=forms, latest=latest,
                           problems=drafts.problems_of(draft),
                           is_baseline=draft.kind == TemplateKind.BASELINE), status


def refuse(form, error: InputError) -> int:
    """Put a refusal on the page: a stale revision belongs to the whole form (its field is
    hidden), anything else beside its field. Returns the status: 409 for a stale page."""
    if isinstance(error, drafts.DraftChanged):
        form.form_errors.append(error.message)
        return 409
    add_error(form, error)
    return 422


def _errors(form) -> dict[str, list[str]]:
    """The form's refusals by field for the page's script; hidden fields' under "form"."""
    errors = {(name or "form"): list(messages) for name, messages in form.errors.items()
              if name != "revision"}
    if form.revision.errors:
        errors.setdefault("form", []).extend(form.revision.errors)
    return errors


def _save(slug: str, form, name: str, change: Callable[[dict], Any], message: str,
          anchor: str = "main"):
    """Validate ``form``, apply ``change`` to the draft and answer as the caller asked:
    JSON for the page's script, a redirect (or the page with the problem) for a plain form."""
    draft = _draft_or_404(slug)
    status = 422
    if form.validate():
        try:
            drafts.save(draft, form.revision.data, current_user, change)
        except InputError as error:
            db.session.rollback()
            status = refuse(form, error)
            draft = _draft_or_404(slug)
        else:
            db.session.commit()
            if wants_json():
                return jsonify(_state(draft))
            flash(message, "info")
            return redirect(url_for("studio.draft", slug=slug, _anchor=anchor), 303)
    else:
        form.form_errors.extend(form.revision.errors)
    if wants_json():
        return jsonify(ok=False, errors=_errors(form), revision=draft.revision), status
    return render_editor(draft, status, {name: form})


@bp.post("/<slug>/edit")
@studio_access
def start_editing(slug: str):
    """Open the template's draft, starting one from the latest version if none is open."""
    version = current_version(slug)
    if version is None:
        abort(404)
    if version.template.kind == TemplateKind.LAYER:  # replaces and drops have no editor yet
        flash("Layers are edited as files for now: change the layer's file in "
              "tracker/library/layers/ and run `tracker roles load`.", "info")
        return redirect(url_for("studio.show", slug=slug), 303)
    drafts.start_from(version, current_user)  # CSRFProtect has checked the token
    db.session.commit()
    return redirect(url_for("studio.draft", slug=slug), 303)


@bp.get("/<slug>/draft")
@studio_access
def draft(slug: str):
    return render_editor(_draft_or_404(slug))


@bp.post("/<slug>/draft/details")
@studio_access
def save_details(slug: str):
    form = DetailsForm()
    return _save(slug, form, "details", lambda doc: content.set_details(
        doc, (form.name.data or "").strip(), (form.area.data or "").strip(),
        (form.summary.data or "").strip()), "Details saved.", "details")


@bp.post("/<slug>/draft/milestones/<milestone>")
@studio_access
def save_milestone(slug: str, milestone: str):
    form = MilestoneForm()
    return _save(slug, form, f"m-{milestone}", lambda doc: content.set_milestone_title(
        doc, milestone, (form.title.data or "").strip()), "Milestone title saved.",
        f"m-{milestone}")


@bp.post("/<slug>/draft/goals")
@studio_access
def add_goal(slug: str):
    form = GoalForm()
    milestone = form.milestone.data or ""
    return _save(slug, form, f"add-{milestone}", lambda doc: content.add_goal(
        doc, milestone, form.fields()), "Goal added.", f"m-{milestone}")


@bp.post("/<slug>/draft/goals/<key>")
@studio_access
def save_goal(slug: str, key: str):
    form = GoalForm()
    return _save(slug, form, f"goal-{key}", lambda doc: content.edit_goal(
        doc, key, form.fields(), form.milestone.data), "Goal saved.", f"goal-{key}")


@bp.post("/<slug>/draft/goals/<key>/move")
@studio_access
def move_goal(slug: str, key: str):
    form = MoveForm()
    step = -1 if form.direction.data == "up" else 1
    return _save(slug, form, f"moves-{key}", lambda doc: content.move_goal(doc, key, step),
                 "Goal moved.", f"goal-{key}")


@bp.post("/<slug>/draft/goals/<key>/remove")
@studio_access
def remove_goal(slug: str, key: str):
    form = DraftForm()
    return _save(slug, form, f"moves-{key}", lambda doc: content.remove_goal(doc, key),
                 "Goal removed from the draft.")


@bp.post("/<slug>/draft/order")
@studio_access
def reorder(slug: str):
    form = OrderForm()
    return _save(slug, form, "button", lambda doc: content.reorder(doc, form.order()),
                 "New order saved.")


@bp.post("/<slug>/draft/publish")
@studio_access
def publish(slug: str):
    draft = _draft_or_404(slug)
    form = PublishForm()
    status = 422
    if form.validate():
        if form.revision.data != draft.revision:
            status = refuse(form, drafts.DraftChanged(
                "revision", "the draft changed after this page was loaded; read it again, "
                            "then publish"))
        else:
            try:
                version = drafts.publish(draft, form.note.data.strip(), current_user,
                                         over_newer=form.over_newer.data)
            except InputError as error:
                db.session.rollback()
                status = refuse(form, error)
                draft = _draft_or_404(slug)
            else:
                db.session.commit()
                flash(f"Published version {version.number}.", "info")
                return redirect(url_for("studio.show", slug=slug), 303)
    return render_editor(draft, status, {"publish": form})


@bp.post("/<slug>/draft/discard")
@studio_access
def discard(slug: str):
    draft = _draft_or_404(slug)
    form = DraftForm()
    if not form.validate():
        form.form_errors.extend(form.revision.errors)
        return render_editor(draft, 422, {"button": form})
    if form.revision.data != draft.revision:
        status = refuse(form, drafts.DraftChanged(
            "revision", "the draft changed after this page was loaded; read it again "
                        "before you discard it"))
        return render_editor(draft, status, {"button": form})
    drafts.discard(draft, current_user)
    db.session.commit()
    flash("Draft discarded; the published versions are as they were.", "info")
    exists = current_version(slug) is not None
    return redirect(url_for("studio.show", slug=slug) if exists else url_for("studio.index"), 303)
