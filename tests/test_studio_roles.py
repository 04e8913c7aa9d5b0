"""New roles in the studio (from nothing, the catalogue or a copy), a whole role built and
published over HTTP, and the template editor permission HR gives without making an admin."""
import pytest
import sqlalchemy as sa

from tests.conftest import login_as
from tests.factories import cast, make_user
from tracker.extensions import db
from tracker.models import AuditEvent, TemplateDraft, User
from tracker.services.draft_content import MILESTONE_KEYS
from tracker.services.role_versions import current_version


@pytest.fixture
def admin(app, client, library):
    with app.app_context():
        cast("admin")
        db.session.commit()
    login_as(client, app, "admin@example.com")


def content_of(app, slug):
    with app.app_context():
        found = db.session.scalar(sa.select(TemplateDraft).where(TemplateDraft.slug == slug))
        return (found.content, found.revision) if found else (None, None)


def test_a_role_from_the_catalogue_starts_with_its_name_area_and_focus(app, client, admin):
    response = client.post("/studio/new", data={"start": "catalogue",
                                                "catalogue": "nlp-llm-engineer"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/studio/nlp-llm-engineer/draft")
    content, _ = content_of(app, "nlp-llm-engineer")
    assert content["name"] == "NLP / LLM Engineer" and content["area"]
    assert all(content["milestones"][key] == {"title": "", "goals": []}
               for key in MILESTONE_KEYS)
    page = client.get("/studio/nlp-llm-engineer/draft").get_data(as_text=True)
    assert "needs at least 3 entries, found 0" in page  # beside each empty milestone
    listed = client.get("/studio/").get_data(as_text=True)
    assert "New roles being written" in listed and "NLP / LLM Engineer" in listed


def test_a_copy_keeps_every_goal_under_the_new_name(app, client, admin):
    response = client.post("/studio/new", data={
        "start": "copy", "copy_of": "machine-learning-engineer", "name": "Senior ML Engineer",
        "slug": "senior-ml-engineer"})
    assert response.status_code == 303
    content, _ = content_of(app, "senior-ml-engineer")
    with app.app_context():
        source = current_version("machine-learning-engineer")
        goals = sum(len(m.goals) for m in source.milestones)
    assert content["name"] == "Senior ML Engineer" and content["slug"] == "senior-ml-engineer"
    assert sum(len(m["goals"]) for m in content["milestones"].values()) == goals


@pytest.mark.parametrize("data,field_message", [
    ({"start": "scratch", "slug": "new-role"}, "give the role a name"),
    ({"start": "scratch", "name": "X Role", "slug": "Bad Slug"}, "lower-case words"),
    ({"start": "scratch", "name": "X Role", "slug": "editors"}, "names a studio page"),
    ({"start": "scratch", "name": "ML", "slug": "machine-learning-engineer"}, "exists already"),
    ({"start": "copy", "name": "X Role", "slug": "x-role"}, "choose the template to copy"),
    ({"start": "catalogue", "catalogue": "no-such-role"}, "choose a role from the catalogue"),
])
def test_a_new_role_that_cannot_start_says_why_and_saves_nothing(app, client, admin, data,
                                                                  field_message):
    response = client.post("/studio/new", data=data)
    assert response.status_code == 422 and field_message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(TemplateDraft)) == 0


def fill_and_publish(client, app, slug):
    """Write every milestone of an empty draft through the editor's forms, then publish."""
    for key in MILESTONE_KEYS:
        _, revision = content_of(app, slug)
        assert client.post(f"/studio/{slug}/draft/milestones/{key}", data={
            "revision": revision, "title": f"Milestone {key} of the role"}).status_code == 303
        for n in range(3):
            _, revision = content_of(app, slug)
            added = client.post(f"/studio/{slug}/draft/goals", data={
                "revision": revision, "milestone": key, "title": f"Goal {n} at {key}",
                "description": "What the hire does and why it matters here.",
                "owner": "hire", "evidence_required": "y",
                "evidence_hint": "A link to the work, checked by the manager."})
            assert added.status_code == 303, added.get_data(as_text=True)[:500]
    _, revision = content_of(app, slug)
    return client.post(f"/studio/{slug}/draft/publish",
                       data={"revision": revision, "note": "First version"})


def test_a_role_written_in_the_studio_publishes_as_version_one(app, client, admin):
    client.post("/studio/new", data={"start": "catalogue", "catalogue": "nlp-llm-engineer",
                                     "slug": "llm-engineer"})
    _, revision = content_of(app, "llm-engineer")
    client.post("/studio/llm-engineer/draft/details", data={
        "revision": revision, "name": "LLM Engineer", "area": "Model development",
        "summary": "Builds and evaluates features on large language models for the product."})
    published = fill_and_publish(client, app, "llm-engineer")
    assert published.status_code == 303
    with app.app_context():
        version = current_version("llm-engineer")
        assert version.number == 1 and version.template.name == "LLM Engineer"
        assert [len(m.goals) for m in version.milestones] == [3] * 5
        assert version.milestones[0].goals[0].key == "goal-0-at-d30"
    assert content_of(app, "llm-engineer") == (None, None)
    assert "LLM Engineer" in client.get("/admin/hires/new").get_data(as_text=True)


def test_hr_makes_someone_a_template_editor_who_is_not_an_admin(app, client, admin):
    with app.app_context():
        make_user("tina@example.com", name="Tina Templates")
        db.session.commit()
    assert client.post("/studio/editors", data={"email": "nobody@example.com"}
                       ).status_code == 422
    assert client.post("/studio/editors", data={"email": "tina@example.com"}).status_code == 303
    assert "Tina Templates" in client.get("/studio/editors").get_data(as_text=True)
    with app.app_context():
        tina = db.session.scalar(sa.select(User).where(User.email == "tina@example.com"))
        assert tina.edits_templates and not tina.is_admin
        event = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "user.template_editor"))
        assert event.after == {"edits_templates": True}
        tina_id = tina.id

    login_as(client, app, "tina@example.com")
    page = client.get("/studio/").get_data(as_text=True)
    assert ">Studio</a>" in page and "All plans" not in page and "Template editors" not in page
    assert client.post("/studio/machine-learning-engineer/edit").status_code == 303
    assert client.get("/studio/editors").status_code == 403
    assert client.post("/studio/editors", data={"email": "admin@example.com"}).status_code == 403
    assert client.get("/admin/plans").status_code == 403

    login_as(client, app, "admin@example.com")
    assert client.post(f"/studio/editors/{tina_id}/remove").status_code == 303
    login_as(client, app, "tina@example.com")
    assert client.get("/studio/").status_code == 403
