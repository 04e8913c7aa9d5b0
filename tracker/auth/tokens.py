"""Personal access tokens on the signed-in preferences page: making one and revoking one.

Making a token answers with the page that shows it, rather than a redirect: the raw token
must reach the person once, and a redirect would have to carry it through the session cookie
(signed, not secret) or the URL (kept in history and logs). Only its hash is stored, so no
later page can show it again.

Someone else's token answers 404, like a plan someone may not see: its number reveals nothing.
HR and admins may revoke anyone's (someone has left, or a token leaked).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from tracker.auth import bp
from tracker.auth.forms import TokenForm
from tracker.auth.preferences import signed_in_page
from tracker.extensions import db
from tracker.formatting import sentence
from tracker.forms import ActionForm, add_error
from tracker.models import AccessToken
from tracker.services import access_tokens
from tracker.services.errors import InputError
from tracker.services.site_policy import revoke_token as may_revoke

BACK = "auth.preferences"


def _back():
    return redirect(url_for(BACK, _anchor="tokens"))


@bp.post("/preferences/tokens")
@login_required
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, raw = access_tokens.create_token(current_user, form.name.data,
                                                    form.read_only.data)
        except InputError as error:
            db.session.rollback()
            add_error(form, error)
        else:
            db.session.commit()
            return render_template("auth/token_created.html", token=token, raw=raw), 201
    return signed_in_page(422, token_form=form)


@bp.post("/preferences/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = db.session.get(AccessToken, token_id)
    if token is None or not may_revoke(current_user, token):
        abort(404)
    if not ActionForm().validate_on_submit():
        flash("Nothing was changed: the form had expired; try again.", "error")
        return _back()
    try:
        access_tokens.revoke(token, current_user)
    except InputError as error:
        db.session.rollback()
        flash(sentence(error.message), "error")
    else:
        whose = "" if token.user_id == current_user.id else f" of {token.user.name}"
        flash(f"Revoked “{token.name}” ({token.prefix}…){whose}: it no longer opens the API.",
              "info")
        db.session.commit()
    return _back()
