"""Webhook pages: the endpoints, adding one (its secret shown once), turning one off or on,
deleting it, a test event, and each endpoint's delivery log with what the receiver answered.

Adding answers with the page itself rather than a redirect: the secret must reach the admin
once, and a redirect would have to carry it through the session cookie (signed, not secret).
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.admin import admin_required, bp
from tracker.admin.forms import WebhookForm
from tracker.admin.paging import paging
from tracker.extensions import db
from tracker.forms import ActionForm, add_error
from tracker.models import WebhookDelivery, WebhookEndpoint
from tracker.services import webhooks
from tracker.services.errors import InputError
from tracker.webhooks.events import label_of


def _list(form: WebhookForm, created=None, status: int = 200):
    return render_template("admin/webhooks.html", form=form, rows=webhooks.endpoints(),
                           created=created, event_label=label_of), status


@bp.route("/webhooks", methods=["GET", "POST"])
@admin_required
def webhooks_page():
    form = WebhookForm()
    if not form.is_submitted():
        return _list(form)
    if form.validate():
        try:
            endpoint, secret = webhooks.create_endpoint(form.url.data, form.events.data,
                                                        current_user)
        except InputError as error:
            db.session.rollback()
            add_error(form, error)
        else:
            db.session.commit()
            return _list(WebhookForm(formdata=None), created=(endpoint, secret))
    return _list(form, status=422)


def _act(webhook_id: int, action, done: str):
    """A button on the list: the service's refusal comes back as a message above the list."""
    endpoint = db.get_or_404(WebhookEndpoint, webhook_id)
    if not ActionForm().validate_on_submit():
        flash("Nothing was changed: the form had expired; try again.", "error")
        return redirect(url_for("admin.webhooks_page"))
    try:
        action(endpoint, current_user)
    except InputError as error:
        db.session.rollback()
        flash(error.message[0].upper() + error.message[1:] + ".", "error")
    else:
        url = endpoint.url
        db.session.commit()
        flash(done.format(url=url), "info")
    return redirect(url_for("admin.webhooks_page"))


@bp.post("/webhooks/<int:webhook_id>/test")
@admin_required
def test_webhook(webhook_id: int):
    return _act(webhook_id, webhooks.send_test,
                "A test event for {url} is queued; it goes out within a minute, and its "
                "delivery log shows what the receiver answered.")


@bp.post("/webhooks/<int:webhook_id>/off")
@admin_required
def turn_off_webhook(webhook_id: int):
    return _act(webhook_id, lambda endpoint, actor: webhooks.set_active(endpoint, False, actor),
                "{url} is turned off: no events are sent to it until it is turned on again.")


@bp.post("/webhooks/<int:webhook_id>/on")
@admin_required
def turn_on_webhook(webhook_id: int):
    return _act(webhook_id, lambda endpoint, actor: webhooks.set_active(endpoint, True, actor),
                "{url} is turned on: events from now on are sent to it.")


@bp.post("/webhooks/<int:webhook_id>/delete")
@admin_required
def delete_webhook(webhook_id: int):
    return _act(webhook_id, webhooks.delete_endpoint,
                "{url} is deleted, with its delivery log.")


@bp.get("/webhooks/<int:webhook_id>")
@admin_required
def webhook_log(webhook_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, webhook_id)
    page = paging(WebhookDelivery, WebhookDelivery.endpoint_id == endpoint.id)
    return render_template("admin/webhook_log.html", endpoint=endpoint, paging=page,
                           rows=webhooks.deliveries(endpoint, page.size, page.offset),
                           event_label=label_of, status_label=webhooks.STATUS_LABELS.get)
