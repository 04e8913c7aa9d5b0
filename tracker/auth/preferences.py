"""Email preferences: from the menu when signed in, or from the signed link in any email,
and the one-click unsubscribe that mail programs offer from the List-Unsubscribe header.
Signed in, the same page also holds chat, the calendar feed and personal access tokens
(tracker/auth/tokens.py).

Chat (email, chat or both per reminder, and the person's own webhook address) is on the
signed-in page only: the emailed link can be forwarded, and a webhook address decides where
someone's reminders are posted, so it is not changed by whoever holds a link."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.auth import bp
from tracker.auth.forms import ChatForm, PreferencesForm, TokenForm
from tracker.extensions import csrf, db
from tracker.forms import add_error, blank
from tracker.services import chat_settings
from tracker.services.access_tokens import tokens_of
from tracker.services.calendar_feeds import feed_of
from tracker.services.errors import InputError
from tracker.services.preferences import CHOICES, UNSUBSCRIBED, set_preference, user_for_token
from tracker.services.site_policy import manages_anyone


def _page(user, action: str, **calendar):
    form = PreferencesForm(data={"preference": user.notification_preference})
    if form.is_submitted():
        try:
            changed = set_preference(user, form.preference.data or "")
        except InputError as refused:
            add_error(form, refused)
        else:
            db.session.commit()
            flash("Saved: " + CHOICES[user.notification_preference].lower() + "."
                  if changed else "Nothing changed.", "info")
            return redirect(action)
    return render_template("auth/preferences.html", user=user, form=form, action=action,
                           **calendar), \
        (422 if form.preference.errors or form.form_errors else 200)


def _chat(user, form=None) -> dict:
    """The chat part of the signed-in page: what is offered, and the form as saved or sent."""
    settings = chat_settings.settings_of(user)
    if form is None:
        form = ChatForm(formdata=None, data={
            "webhook_url": settings.webhook_url if settings else "",
            **chat_settings.current_choices(settings)})
    return {"chat_section": True, "chat_form": form,
            "chat_offer": chat_settings.offer(user, settings),
            "chat_fields": [form[kind.value] for kind in chat_settings.chat_kinds()]}


def _signed_in_sections(user, *, token_form: TokenForm | None = None,
                        chat_form: ChatForm | None = None) -> dict:
    return {"calendar_section": True, "calendar": feed_of(user), "manages": manages_anyone(user),
            "tokens": tokens_of(user),
            "token_form": token_form if token_form is not None else blank(TokenForm)} \
        | _chat(user, chat_form)


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """Signed in, the page also manages chat, the calendar feed and access tokens; the emailed
    link opens email choices only."""
    return _page(current_user, url_for("auth.preferences"), **_signed_in_sections(current_user))


def signed_in_page(status: int, *, token_form: TokenForm | None = None,
                   chat_form: ChatForm | None = None):
    """The signed-in page as it stands, with one section's form as sent: for its refusals,
    which belong beside its fields (the email choices are drawn as saved, not read from the
    post)."""
    user = current_user
    form = blank(PreferencesForm, data={"preference": user.notification_preference})
    return render_template("auth/preferences.html", user=user, form=form,
                           action=url_for("auth.preferences"),
                           **_signed_in_sections(user, token_form=token_form,
                                                 chat_form=chat_form)), status


@bp.post("/preferences/chat")
@login_required
def chat_preferences():
    form = ChatForm()
    if form.validate():
        try:
            changed = chat_settings.save(current_user, form.webhook_url.data, {
                kind.value: form[kind.value].data for kind in chat_settings.chat_kinds()})
        except InputError as refused:
            db.session.rollback()
            add_error(form, refused)
        else:
            db.session.commit()
            flash("Saved your chat choices." if changed else "Nothing changed.", "info")
            return redirect(url_for("auth.preferences", _anchor="chat"))
    return signed_in_page(422, chat_form=form)


@bp.route("/preferences/<token>", methods=["GET", "POST"])
def preferences_from_email(token: str):
    """No sign-in needed: the signed link in the email is the key, and it opens only this."""
    try:
        user = user_for_token(token)
    except InputError as error:
        return render_template("auth/unsubscribe.html", problem=error.message), 410
    return _page(user, url_for("auth.preferences_from_email", token=token))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """RFC 8058: a mail program POSTs here with no cookie and no form token, so the signed link
    itself is the credential (a CSRF token could add nothing an attacker without the link
    lacks). A GET only asks, because link scanners open every link in a message."""
    try:
        user = user_for_token(token)
    except InputError as error:
        return render_template("auth/unsubscribe.html", problem=error.message), 410
    done = request.method == "POST"
    if done:
        set_preference(user, UNSUBSCRIBED)
        db.session.commit()
    return render_template("auth/unsubscribe.html", user=user, done=done, problem=None,
                           preferences=url_for("auth.preferences_from_email", token=token))
