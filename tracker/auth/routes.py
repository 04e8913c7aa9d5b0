"""Signing in (throttled) and out (on the server, not only in this browser).

With PASSWORD_SIGN_IN off the page offers single sign-on only and a password sent anyway is
refused before it is checked, so nobody can tell from the answer whether it was right.
"""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.auth import bp, oidc
from tracker.auth.forms import LoginForm
from tracker.auth.signing import sign_in, sign_out
from tracker.extensions import db
from tracker.forms import ActionForm, add_error
from tracker.security import safe_next_url
from tracker.services import sessions
from tracker.services.errors import InputError
from tracker.services.signing_in import sign_in_with_password
from tracker.services.throttle import Throttled


def too_many(page: str, form, wait: Throttled, **context):
    """429 with the form still filled in, a plain message and the wait, also as Retry-After."""
    form.form_errors.append(f"Too many attempts from here or for this account. Wait "
                            f"{wait.wait_words}, then try again.")
    return render_template(page, form=form, **context), 429, \
        {"Retry-After": str(wait.wait_seconds)}


def login_context() -> dict:
    """What the sign-in page offers: the password form, single sign-on, or both."""
    config = current_app.config
    return {"passwords": config["PASSWORD_SIGN_IN"], "sso": oidc.configured(config),
            "provider": config["OIDC_PROVIDER_NAME"]}


def login_page(form: LoginForm, status: int = 200):
    return render_template("auth/login.html", form=form, **login_context()), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("plans.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    elif not current_app.config["PASSWORD_SIGN_IN"]:
        form.form_errors.append("Passwords are not used here: sign in with "
                                f"{current_app.config['OIDC_PROVIDER_NAME']}.")
        return login_page(form, 403)
    if form.validate_on_submit():
        try:
            user = sign_in_with_password(form.email.data, form.password.data,
                                         request.remote_addr or "")
        except Throttled as wait:
            return too_many("auth/login.html", form, wait, **login_context())
        except InputError as wrong:
            db.session.commit()  # the failure is counted for the next attempt
            add_error(form, wrong)
        else:
            sign_in(user, remember=form.remember.data)
            db.session.commit()
            return redirect(safe_next_url(form.next.data) or url_for("plans.home"))
    return login_page(form, 200 if request.method == "GET" or not form.errors else 422)


@bp.post("/logout")
def logout():
    if ActionForm().validate_on_submit():
        sign_out()
        db.session.commit()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    if ActionForm().validate_on_submit():
        sessions.end_all(current_user)
        sign_out()
        db.session.commit()
        flash("You are signed out on every device.", "info")
    return redirect(url_for("auth.login"))
