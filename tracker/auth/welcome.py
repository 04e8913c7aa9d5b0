"""The page a new hire reaches from HR's link: choose a password, and you are signed in."""
from flask import current_app, flash, redirect, render_template, request, url_for

from tracker.auth import bp
from tracker.auth.forms import SetPasswordForm
from tracker.auth.signing import sign_in
from tracker.auth.sso import passwords_off
from tracker.extensions import db
from tracker.services.errors import InputError
from tracker.services.invitations import accept_invitation, user_for_invitation


@bp.route("/welcome/<token>", methods=["GET", "POST"])
def welcome(token: str):
    if not current_app.config["PASSWORD_SIGN_IN"]:  # the hire signs in with single sign-on
        return passwords_off(403 if request.method == "POST" else 200)
    try:
        user = user_for_invitation(token)
    except InputError as error:
        return render_template("auth/welcome.html", problem=error.message, form=None), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            accept_invitation(token, form.password.data, form.confirm.data)
        except InputError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            sign_in(user)  # whoever was signed in on this browser, it is the new person now
            db.session.commit()
            flash("Welcome! Your password is set and you are signed in.", "info")
            return redirect(url_for("plans.home"))
    status = 422 if form.errors or any(f.errors for f in form) else 200
    return render_template("auth/welcome.html", form=form, user=user, problem=None), status
