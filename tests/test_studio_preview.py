"""The studio's merged-plan preview: due dates, where each goal comes from, and bad input."""
import copy
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import login_as
from tests.factories import cast
from tracker.extensions import db
from tracker.models import GoalTemplate, RoleVersion
from tracker.services.drafts import draft_for
from tracker.services.due_dates import due_dates

START = date.today().replace(day=1)
URL = "/studio/preview/plan"


@pytest.fixture
def studio(app, client, library):
    with app.app_context():
        cast("admin", "hire")
        db.session.commit()
    login_as(client, app, "admin@example.com")
    return client


def test_the_preview_shows_each_milestones_due_date_and_where_each_goal_comes_from(app, studio):
    response = studio.get(URL, query_string={"role": "data-engineer",
                                             "start_date": START.isoformat(),
                                             "layers": ["platform-team", "regulated-environment"]})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Data Engineer (v1) + Regulated environment (v1) + Platform team (v1)" in page
    with app.app_context():
        dates = due_dates(START, app.config["DUE_DATE_WEEKEND_RULE"])
    for due in dates.values():
        assert f"due {due:%a} {due.day} {due:%b %Y}" in page
    assert "From Company baseline" in page and "From Data Engineer" in page
    assert "From Platform team (replaces a lower goal)" in page
    assert "From Regulated environment (replaces a lower goal)" in page
    assert "Platform team drops “Learn the company&#39;s products" in page
    assert 'name="layers" value="platform-team" id="layers-' in page and "checked" in page


def test_a_template_page_links_to_the_preview_with_itself_filled_in(studio):
    page = studio.get("/studio/platform-team").get_data(as_text=True)
    assert f'href="{URL}?layers=platform-team"' in page
    assert "replaces this key" in page and "drops this key" in page
    filled = studio.get(f"{URL}?layers=platform-team")
    assert filled.status_code == 200  # no date yet: the form, filled in, nothing merged
    assert 'value="platform-team" id="layers-3" aria-describedby="layers-3-summary" checked' in (
        filled.get_data(as_text=True))


def test_the_studio_lists_layers_after_the_roles(studio):
    page = studio.get("/studio/").get_data(as_text=True)
    assert "team layer" in page and "context layer" in page
    assert page.index("Software Engineer") < page.index("Platform team")


@pytest.mark.parametrize("args, message", [
    ({"layers": "sales-team"}, "&#39;sales-team&#39; is not a layer; choose from the list"),
    ({"start_date": "2027-02-30"}, "write the start date as a date, like 2027-01-04"),
    ({"start_date": "soon"}, "write the start date as a date, like 2027-01-04"),
    ({"role": "startup"}, "choose one of the roles in the list"),
    ({"start_date": "1999-01-04"}, "more than a year ago; check the year"),
])
def test_bad_input_is_a_422_with_a_message_beside_the_field(studio, args, message):
    query = {"role": "data-engineer", "start_date": START.isoformat(), **args}
    response = studio.get(URL, query_string=query)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'class="error"' in page
    assert 'id="merged-plan"' not in page


def test_only_people_the_studio_allows_may_preview(app, client, library):
    with app.app_context():
        cast("hire")
        db.session.commit()
    assert client.get(URL).status_code == 302  # to sign in
    login_as(client, app, "hire@example.com")
    assert client.get(URL, query_string={"role": "data-engineer"}).status_code == 403


def test_a_layer_has_no_draft_editor_yet_and_cannot_start_a_role(app, studio):
    """Replaces and drops have no editor: the studio says to edit the file instead."""
    response = studio.post("/studio/platform-team/edit")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/studio/platform-team")
    assert "Layers are edited as files for now" in studio.get(
        response.headers["Location"]).get_data(as_text=True)
    refused = studio.post("/studio/new", data={"start": "copy", "copy_of": "platform-team",
                                               "name": "Copied Layer", "slug": "copied-layer"})
    assert refused.status_code == 422
    assert "choose the template to copy" in refused.get_data(as_text=True)


def test_a_roles_open_draft_previews_with_layers_and_nothing_is_written(app, studio):
    query = {"role": "data-engineer", "start_date": START.isoformat(), "draft": "y",
             "layers": "platform-team"}
    missing = studio.get(URL, query_string=query)
    assert missing.status_code == 422
    assert "&#39;data-engineer&#39; has no open draft of a role" in missing.get_data(as_text=True)
    assert studio.post("/studio/data-engineer/edit").status_code == 303
    with app.app_context():
        draft = draft_for("data-engineer")
        content = copy.deepcopy(draft.content)
        content["milestones"]["d30"]["goals"][0]["title"] = "A brand new first goal title"
        draft.content = content
        db.session.commit()
        before = [db.session.scalar(sa.select(sa.func.count()).select_from(m))
                  for m in (RoleVersion, GoalTemplate)]
    page = studio.get(URL, query_string=query).get_data(as_text=True)
    assert "Data Engineer (unpublished draft) + Platform team (v1)" in page
    assert "A brand new first goal title" in page and "From Platform team" in page
    assert 'href="/studio/preview/plan?role=data-engineer&amp;draft=y"' in studio.get(
        "/studio/data-engineer").get_data(as_text=True)
    with app.app_context():
        assert [db.session.scalar(sa.select(sa.func.count()).select_from(m))
                for m in (RoleVersion, GoalTemplate)] == before
        draft = draft_for("data-engineer")
        content = copy.deepcopy(draft.content)
        content["milestones"]["d30"]["goals"][0]["owner"] = "boss"
        draft.content = content
        db.session.commit()
    broken = studio.get(URL, query_string=query)
    assert broken.status_code == 422
    assert "the draft of data-engineer has 1 problem; fix them in the editor" in (
        broken.get_data(as_text=True))
