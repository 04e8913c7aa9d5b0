"""The studio's draft editor: drafts saved as you go, problems beside their goals, publishing
version N+1 with a change note, and nobody's save silently overwriting another's."""
import pytest
import sqlalchemy as sa

from tests.conftest import count_queries, login_as
from tests.factories import cast
from tracker.extensions import db
from tracker.models import AuditEvent, RoleTemplate, RoleVersion, TemplateDraft
from tracker.services.role_versions import current_version

ROLE = "machine-learning-engineer"
GOAL = "map-the-product-context-and-the-ml-system"  # the ML engineer's first goal at day 30


@pytest.fixture
def admin(app, client, library):
    with app.app_context():
        cast("admin")
        db.session.commit()
    login_as(client, app, "admin@example.com")


def draft(app, slug=ROLE) -> TemplateDraft:
    with app.app_context():
        found = db.session.scalar(sa.select(TemplateDraft).where(TemplateDraft.slug == slug))
        if found is not None:
            db.session.expunge(found)
        return found


def versions(app, slug=ROLE) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(RoleVersion)
                                 .join(RoleTemplate).where(RoleTemplate.slug == slug))


def goal_form(goal: dict, milestone: str, revision: int, **changes) -> dict:
    fields = {"title": goal["title"], "description": goal["description"],
              "owner": goal["owner"], "evidence_hint": goal["evidence_hint"],
              "target": goal.get("target", ""), "milestone": milestone, "revision": revision}
    if goal["evidence_required"]:
        fields["evidence_required"] = "y"
    return fields | changes


def start(client):
    response = client.post(f"/studio/{ROLE}/edit")
    assert response.status_code == 303 and response.headers["Location"].endswith("/draft")


def first_goal(app):
    current = draft(app)
    return current, current.content["milestones"]["d30"]["goals"][0]


def test_editing_starts_a_draft_from_the_latest_version_once(app, client, admin):
    start(client)
    start(client)  # a second click opens the same draft
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(TemplateDraft)) == 1
        assert draft(app).based_on_id == current_version(ROLE).id
    page = client.get(f"/studio/{ROLE}/draft").get_data(as_text=True)
    assert "Started from v1." in page and f'id="goal-{GOAL}"' in page


def test_a_goal_is_saved_as_it_is_typed_and_the_page_gets_the_new_revision(app, client, admin):
    start(client)
    before, goal = first_goal(app)
    response = client.post(f"/studio/{ROLE}/draft/goals/{GOAL}", headers={
        "Accept": "application/json"}, data=goal_form(goal, "d30", before.revision,
                                                      title="Draw the ML system on one page"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] and body["revision"] == before.revision + 1 and body["count"] == 0
    after, goal = first_goal(app)
    assert goal["title"] == "Draw the ML system on one page" and goal["key"] == GOAL
    assert after.revision == before.revision + 1


def test_a_save_from_an_older_page_is_refused_and_changes_nothing(app, client, admin):
    start(client)
    before, goal = first_goal(app)
    client.post(f"/studio/{ROLE}/draft/goals/{GOAL}",
                data=goal_form(goal, "d30", before.revision, title="First person's title"))
    stale = client.post(f"/studio/{ROLE}/draft/goals/{GOAL}", headers={
        "Accept": "application/json"}, data=goal_form(goal, "d30", before.revision,
                                                      title="Second person's title"))
    assert stale.status_code == 409
    assert "your change was not saved" in " ".join(stale.get_json()["errors"]["form"])
    _, goal = first_goal(app)
    assert goal["title"] == "First person's title"
    plain = client.post(f"/studio/{ROLE}/draft/goals/{GOAL}",
                        data=goal_form(goal, "d30", before.revision, title="Third"))
    assert plain.status_code == 409 and "Reload to see their change" in plain.get_data(True)


def test_problems_are_shown_beside_their_goal_and_block_publishing(app, client, admin):
    start(client)
    current, goal = first_goal(app)
    client.post(f"/studio/{ROLE}/draft/goals/{GOAL}",
                data=goal_form(goal, "d30", current.revision, description="Too short"))
    page = client.get(f"/studio/{ROLE}/draft").get_data(as_text=True)
    beside = page[page.index(f'id="goal-{GOAL}"'):page.index("Edit this goal", page.index(
        f'id="goal-{GOAL}"'))]
    assert "description: is too short: 9 characters, at least 20 expected" in beside
    published = client.post(f"/studio/{ROLE}/draft/publish",
                            data={"revision": current.revision + 1, "note": "Shorter"})
    assert published.status_code == 422 and "fix the 1 problem(s)" in published.get_data(True)
    assert versions(app) == 1 and draft(app) is not None


def test_goals_move_with_buttons_and_between_milestones(app, client, admin):
    start(client)
    current, goal = first_goal(app)
    second = current.content["milestones"]["d30"]["goals"][1]["key"]
    assert client.post(f"/studio/{ROLE}/draft/goals/{GOAL}/move",
                       data={"revision": current.revision, "direction": "down"}).status_code == 303
    keys = [g["key"] for g in draft(app).content["milestones"]["d30"]["goals"]]
    assert keys[:2] == [second, GOAL]
    refused = client.post(f"/studio/{ROLE}/draft/goals/{second}/move",
                          data={"revision": current.revision + 1, "direction": "up"})
    assert refused.status_code == 422 and "already the first" in refused.get_data(True)
    moved = client.post(f"/studio/{ROLE}/draft/goals/{GOAL}",
                        data=goal_form(goal, "m6", current.revision + 1))
    assert moved.status_code == 303
    content = draft(app).content["milestones"]
    assert content["m6"]["goals"][-1]["key"] == GOAL
    assert GOAL not in [g["key"] for g in content["d30"]["goals"]]


def test_a_drag_saves_every_milestone_order_and_refuses_a_lost_goal(app, client, admin):
    start(client)
    current = draft(app)
    order = {m: [g["key"] for g in e["goals"]] for m, e in current.content["milestones"].items()}
    order["d60"].insert(0, order["d30"].pop())
    ok = client.post(f"/studio/{ROLE}/draft/order", headers={"Accept": "application/json"},
                     data={"revision": current.revision} | {m: ",".join(k) for m, k in
                                                            order.items()})
    assert ok.status_code == 200
    saved = draft(app).content["milestones"]
    assert [g["key"] for g in saved["d60"]["goals"]] == order["d60"]
    order["d90"].pop()
    lost = client.post(f"/studio/{ROLE}/draft/order", data={"revision": current.revision + 1}
                       | {m: ",".join(k) for m, k in order.items()})
    assert lost.status_code == 422 and "reload and drag again" in lost.get_data(True)


def test_publishing_makes_the_next_version_with_its_note_and_closes_the_draft(app, client,
                                                                              admin):
    start(client)
    current, goal = first_goal(app)
    client.post(f"/studio/{ROLE}/draft/goals/{GOAL}",
                data=goal_form(goal, "d30", current.revision, title="Draw the ML system"))
    no_note = client.post(f"/studio/{ROLE}/draft/publish", data={"revision": current.revision
                                                                 + 1, "note": " "})
    assert no_note.status_code == 422 and "say what changed" in no_note.get_data(True)
    done = client.post(f"/studio/{ROLE}/draft/publish",
                       data={"revision": current.revision + 1, "note": "Clearer first goal"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/studio/{ROLE}")
    with app.app_context():
        latest = current_version(ROLE)
        assert (latest.number, latest.change_note, latest.published_by.email) == (
            2, "Clearer first goal", "admin@example.com")
        assert latest.milestones[0].goals[0].title == "Draw the ML system"
        event = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "template.published"))
        assert event.after == {"slug": ROLE, "version": 2, "note": "Clearer first goal"}
    assert draft(app) is None
    page = client.get(f"/studio/{ROLE}").get_data(as_text=True)
    assert "Clearer first goal" in page and "by Ada Admin" in page
    compare = client.get(f"/studio/{ROLE}/compare?from=1&to=2").get_data(as_text=True)
    assert "1 reworded" in compare


def test_an_unchanged_draft_has_nothing_to_publish(app, client, admin):
    start(client)
    refused = client.post(f"/studio/{ROLE}/draft/publish",
                          data={"revision": draft(app).revision, "note": "Nothing"})
    assert refused.status_code == 422 and "the same as version 1" in refused.get_data(True)
    assert versions(app) == 1


def test_a_version_published_meanwhile_is_not_overwritten_unasked(app, client, admin, tmp_path):
    from tests.test_studio import second_version

    start(client)
    current, goal = first_goal(app)
    client.post(f"/studio/{ROLE}/draft/goals/{GOAL}",
                data=goal_form(goal, "d30", current.revision, title="Draw the ML system"))
    with app.app_context():
        second_version(tmp_path, lambda m: m["m6"]["goals"].pop())
        db.session.commit()
    page = client.get(f"/studio/{ROLE}/draft").get_data(as_text=True)
    assert "Version 2 was published after this draft began" in page
    data = {"revision": current.revision + 1, "note": "Clearer"}
    refused = client.post(f"/studio/{ROLE}/draft/publish", data=data)
    assert refused.status_code == 422 and "tick the box" in refused.get_data(True)
    assert versions(app) == 2
    done = client.post(f"/studio/{ROLE}/draft/publish", data=data | {"over_newer": "y"})
    assert done.status_code == 303 and versions(app) == 3


def test_discarding_a_draft_keeps_the_published_versions(app, client, admin):
    start(client)
    assert client.post(f"/studio/{ROLE}/draft/discard",
                       data={"revision": 99}).status_code == 409
    assert client.post(f"/studio/{ROLE}/draft/discard",
                       data={"revision": draft(app).revision}).status_code == 303
    assert draft(app) is None and versions(app) == 1
    assert client.get(f"/studio/{ROLE}/draft").status_code == 404


def test_the_editor_page_costs_a_fixed_number_of_queries(app, client, admin):
    start(client)
    with count_queries(app) as queries:
        assert client.get(f"/studio/{ROLE}/draft").status_code == 200
    assert len(queries) <= 8, queries
