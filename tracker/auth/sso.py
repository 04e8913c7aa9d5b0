"""Single sign-on: off to the OpenID provider, and back with a person we may let in.

Both routes answer 404 while OIDC_* is not set, so an installation without single sign-on
shows no trace of it. The way back starts a server-side session exactly as the password form
does (auth/signing.py), and follows ``next`` only through the one safe-URL check.
"""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from tracker.auth import bp, oidc
from tracker.auth.signing import sign_in
from tracker.extensions import db
from tracker.security import safe_next_url
from tracker.services import single_sign_on
from tracker.services.single_sign_on import Refused

NEXT_KEY = "sso_next"  # where to go after the provider, kept in the session meanwhile


def provider_name() -> str:
    return current_app.config["OIDC_PROVIDER_NAME"]


def _callback_url() -> str:
    """Built from BASE_URL, the address the provider has registered, never from the Host
    header: behind a proxy the request may not know its public scheme or name."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for("auth.sso_callback")


def _problem(status: int, heading: str, message: str):
    return render_template("auth/sso_problem.html", heading=heading, message=message,
                           provider=provider_name()), status


@bp.get("/login/sso")
def sso_start():
    if not oidc.configured(current_app.config):
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("plans.home"))
    session[NEXT_KEY] = safe_next_url(request.args.get("next")) or ""
    try:
        return oidc.redirect_to_provider(_callback_url())
    except oidc.SignInFailed as error:
        current_app.logger.warning("single sign-on: cannot reach the provider: %s", error)
        return _problem(502, f"{provider_name()} cannot be reached",
                        "We could not reach the sign-in service just now. Try again in a "
                        "minute; if it keeps happening, tell HR or IT.")


@bp.get("/login/sso/callback")
def sso_callback():
    if not oidc.configured(current_app.config):
        abort(404)
    try:
        claims = oidc.claims_from_callback()
        user = single_sign_on.account_for(claims)
    except oidc.SignInFailed as error:
        current_app.logger.warning("single sign-on refused: %s", error)
        return _problem(400, "That sign-in did not work",
                        f"The answer from {provider_name()} could not be trusted or has "
                        "expired, so you are not signed in. Start again from the sign-in page.")
    except Refused as refused:  # logged for whoever HR asks to look into it
        current_app.logger.info("single sign-on: no way in: %s", refused.reason)
        return _problem(403, "You cannot sign in here yet", refused.reason)
    next_url = safe_next_url(session.pop(NEXT_KEY, None))
    sign_in(user)
    single_sign_on.signed_in(user, claims["sub"])
    db.session.commit()
    return redirect(next_url or url_for("plans.home"))


def passwords_off(status: int = 200):
    """The page every password route shows while PASSWORD_SIGN_IN is off."""
    return _problem(status, "Passwords are not used here",
                    f"This site signs people in with {provider_name()}; there is no password "
                    "to set or reset. Use the button below.")
