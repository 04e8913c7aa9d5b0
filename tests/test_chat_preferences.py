"""The chat part of the preferences page, over HTTP with CSRF on: what is offered and why not,
saving email / chat / both per reminder, and every refusal said beside its field."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.conftest import login_as
from tests.factories import PlanFactory, cast
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.models import AuditEvent, ChatSettings
from tracker.services.preferences import preferences_token

pytestmark = pytest.mark.csrf_on
KINDS = ["milestone_soon", "checkin_invite", "goal_overdue", "pulse_prompt", "review_waiting",
         "digest"]


def build_world(app):
    with app.app_context():
        people = cast("manager", "hire")
        PlanFactory(hire=people.hire, manager=people.manager)
        db.session.commit()
        return SimpleNamespace(hire=people.hire.id, token=preferences_token(people.hire))


world = cached_world(build_world)


def token_from(page: str) -> str:
    return re.search(r'action="/preferences/chat">\s*<input[^>]*name="csrf_token"[^>]*'
                     r'value="([^"]+)"', page).group(1)


def chat_section(page: str) -> str:
    return page[page.index('id="chat"'):page.index('id="calendar"')]


def settings(app) -> ChatSettings | None:
    with app.app_context():
        return db.session.scalar(sa.select(ChatSettings))


def post(client, data: dict):
    page = client.get("/preferences").get_data(as_text=True)
    return client.post("/preferences/chat", data={"csrf_token": token_from(page), **data})


def test_without_slack_or_a_webhook_chat_is_not_offered_and_the_page_says_why(app, client,
                                                                              world):
    login_as(client, app, "hire@example.com")
    section = chat_section(client.get("/preferences").get_data(as_text=True))
    assert "Chat is not offered yet: this site has no Slack bot" in section
    assert "you have not given a chat webhook address" in section
    assert "<select" not in section and 'name="webhook_url"' in section


def test_with_the_sites_slack_bot_each_reminder_can_go_by_email_chat_or_both(app, client,
                                                                             world):
    app.config.update(SLACK_BOT_TOKEN="xoxb-site")
    login_as(client, app, "hire@example.com")
    section = chat_section(client.get("/preferences").get_data(as_text=True))
    assert "Slack bot as a direct message" in section and "hire@example.com" in section
    assert re.findall(r'<select[^>]*name="(\w+)"', section) == KINDS
    saved = post(client, {"milestone_soon": "email", "checkin_invite": "both",
                          "goal_overdue": "email", "pulse_prompt": "chat",
                          "review_waiting": "email", "digest": "email", "webhook_url": ""})
    assert saved.status_code == 302 and saved.location.endswith("/preferences#chat")
    stored = settings(app)
    assert stored.channels == {"checkin_invite": "both", "pulse_prompt": "chat"}
    assert stored.webhook_url is None
    page = client.get("/preferences").get_data(as_text=True)
    assert "Saved your chat choices." in page
    assert re.search(r'<option selected value="chat">', chat_section(page)) or \
        re.search(r'<option value="chat" selected', chat_section(page))
    with app.app_context():
        change = db.session.scalar(sa.select(AuditEvent)
                                   .where(AuditEvent.action == "preferences.chat_changed"))
    assert change.after["channels"]["pulse_prompt"] == "chat"
    assert "webhook_url" not in change.after  # where someone's messages go is not logged


def test_a_webhook_address_turns_chat_on_for_that_person(app, client, world):
    login_as(client, app, "hire@example.com")
    url = "http://127.0.0.1:9/webhookb2/mine"  # loopback: the testing settings allow it
    assert post(client, {"webhook_url": url, "digest": "email"}).status_code == 302
    section = chat_section(client.get("/preferences").get_data(as_text=True))
    assert "Chat messages go to your webhook address below." in section
    assert f'value="{url}"' in section and "<select" in section
    assert post(client, {"webhook_url": url, "digest": "both"}).status_code == 302
    assert settings(app).channels == {"digest": "both"}


@pytest.mark.parametrize("address, problem", [
    ("http://hooks.example.com/x", "use an address that starts with https://"),
    ("ftp://hooks.example.com/x", "use an address that starts with https://"),
    ("https://user:secret@hooks.example.com/x", "leave the user name and password out"),
    ("https://10.1.2.3/webhook", "is a private, loopback or reserved address"),
    ("https://[::1/x", "that is not a web address"),
    ("https://hooks.example.com/" + "x" * 1000, "the webhook address is 1,026 characters; "
                                                "the limit is 1,000"),
    ("https://hooks.example.com/\x00", "remove the NUL character"),
])
def test_a_bad_webhook_address_is_refused_beside_the_field_and_nothing_is_saved(
        app, client, world, address, problem):
    login_as(client, app, "hire@example.com")
    refused = post(client, {"webhook_url": address, "digest": "both"})
    assert refused.status_code == 422
    section = chat_section(refused.get_data(as_text=True))
    assert problem in section
    assert 'id="webhook_url-error"' in section and 'aria-invalid="true"' in section
    assert settings(app) is None


def test_a_stored_chat_choice_survives_a_save_while_chat_is_not_offered(app, client, world):
    with app.app_context():
        db.session.add(ChatSettings(user_id=world.hire, channels={"digest": "chat"},
                                    webhook_url="http://127.0.0.1:9/old"))
        db.session.commit()
    login_as(client, app, "hire@example.com")
    # Removing the address: chat is no longer offered, and the page draws no choices.
    assert post(client, {"webhook_url": "", "digest": "chat"}).status_code == 422
    assert post(client, {"webhook_url": ""}).status_code == 302
    stored = settings(app)
    assert stored.webhook_url is None and stored.channels == {"digest": "chat"}
    section = chat_section(client.get("/preferences").get_data(as_text=True))
    assert "Chat is not offered yet" in section and "<select" not in section


def test_choosing_chat_with_no_way_to_chat_is_refused_in_words(app, client, world):
    login_as(client, app, "hire@example.com")
    refused = post(client, {"webhook_url": "", "digest": "chat"})
    assert refused.status_code == 422
    assert "chat needs a webhook address here" in refused.get_data(as_text=True)
    assert settings(app) is None


def test_an_unknown_choice_is_refused(app, client, world):
    app.config.update(SLACK_BOT_TOKEN="xoxb-site")
    login_as(client, app, "hire@example.com")
    refused = post(client, {"digest": "carrier-pigeon"})
    assert refused.status_code == 422
    assert "choose email, chat or both" in chat_section(refused.get_data(as_text=True))


def test_saving_needs_the_csrf_token(app, client, world):
    app.config.update(SLACK_BOT_TOKEN="xoxb-site")
    login_as(client, app, "hire@example.com")
    assert client.post("/preferences/chat", data={"digest": "chat"}).status_code == 400
    assert settings(app) is None


def test_the_link_in_an_email_does_not_open_chat_settings(app, client, world):
    page = client.get(f"/preferences/{world.token}").get_data(as_text=True)
    assert 'id="chat"' not in page and "/preferences/chat" not in page
