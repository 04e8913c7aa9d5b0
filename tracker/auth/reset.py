"""Forgot my password: ask for a link by email, then choose a new password from it."""
from flask import current_app, flash, redirect, render_template, request, url_for

from tracker.auth import bp
from tracker.auth.forms import ForgotPasswordForm, SetPasswordForm
from tracker.auth.routes import too_many
from tracker.auth.signing import sign_in
from tracker.auth.sso import passwords_off
from tracker.extensions import db
from tracker.forms import add_error
from tracker.services.errors import InputError
from tracker.services.password_reset import complete_reset, request_reset, reset_for
from tracker.services.throttle import Throttled


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    if not current_app.config["PASSWORD_SIGN_IN"]:
        return passwords_off(403 if request.method == "POST" else 200)  # and nothing is sent
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            request_reset(form.email.data, request.remote_addr or "")
        except Throttled as wait:
            return too_many("auth/forgot.html", form, wait, sent=False)
        db.session.commit()
        # The same page whether or not the address has an account.
        return render_template("auth/forgot.html", form=form, sent=True)
    status = 422 if form.errors else 200
    return render_template("auth/forgot.html", form=form, sent=False), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if not current_app.config["PASSWORD_SIGN_IN"]:
        return passwords_off(403 if request.method == "POST" else 200)
    try:
        reset = reset_for(token)
    except InputError as error:
        return render_template("auth/reset.html", problem=error.message, form=None), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = complete_reset(token, form.password.data, form.confirm.data)
        except InputError as error:
            add_error(form, error)
        else:
            sign_in(user)
            db.session.commit()
            flash("Your new password is set and you are signed in. Every other device was "
                  "signed out.", "info")
            return redirect(url_for("plans.home"))
    status = 422 if form.errors else 200
    return render_template("auth/reset.html", form=form, user=reset.user, problem=None), status
