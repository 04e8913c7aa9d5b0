"""The template studio: the library, a template's versions and goals, and a comparison."""
import shutil
from types import SimpleNamespace

import yaml

from tests.conftest import count_queries, login_as
from tests.factories import PlanFactory, cast
from tracker.extensions import db
from tracker.services.role_library import PACKAGE_LIBRARY
from tracker.services.role_versions import load_library

ROLE = "machine-learning-engineer"


def second_version(tmp_path, change):
    """Load the shipped library again with ``change`` applied to the ML engineer's goals."""
    library = tmp_path / "library"
    shutil.copytree(PACKAGE_LIBRARY, library)
    path = library / "roles" / f"{ROLE}.yaml"
    data = yaml.safe_load(path.read_text())
    change(data["milestones"])
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    load_library(library)


def world(app, plans=1):
    with app.app_context():
        cast("admin", "manager")
        db.session.commit()
    add_plans(app, plans)
    return SimpleNamespace(admin="admin@example.com", manager="manager@example.com")


def add_plans(app, n):
    from tracker.services.accounts import find_user

    with app.app_context():
        manager = find_user("manager@example.com")
        for _ in range(n):
            PlanFactory(manager=manager)
        db.session.commit()


def test_the_library_lists_every_template_with_its_active_plans(app, client, library):
    w = world(app, plans=2)
    login_as(client, app, w.admin)
    page = client.get("/studio/").get_data(as_text=True)
    assert "Machine Learning Engineer" in page and "Company baseline" in page.replace(
        "company baseline", "Company baseline")
    rows = page[page.index("<tbody>"):page.index("</tbody>")]
    assert rows.count('<th scope="row"><a href="/studio/') == len(library)
    assert "<td>2</td>" in page  # two active plans of the factory's role


def test_a_template_page_shows_goals_with_their_keys_and_targets(app, client, library, tmp_path):
    w = world(app)
    with app.app_context():
        second_version(tmp_path, lambda m: m["d90"]["goals"][0].update(target="MTTR under 1 h"))
        db.session.commit()
    login_as(client, app, w.admin)
    page = client.get(f"/studio/{ROLE}").get_data(as_text=True)
    assert "v2" in page and "Target: MTTR under 1 h" in page
    assert "<code>map-the-product-context-and-the-ml-system</code>" in page
    assert f'href="/studio/{ROLE}/compare?from=1&amp;to=2"' in page
    assert f'href="/studio/files/{ROLE}.yaml"' in page  # the latest, and each version's
    assert f'href="/studio/files/{ROLE}.yaml?version=1"' in page
    assert client.get(f"/studio/files/{ROLE}.yaml?version=1").status_code == 200


def test_compare_shows_each_changed_goal_before_and_after(app, client, library, tmp_path):
    w = world(app)

    def change(milestones):
        milestones["d30"]["goals"][0]["title"] = "Draw the ML system on one page"
        milestones["m6"]["goals"].pop()

    with app.app_context():
        second_version(tmp_path, change)
        db.session.commit()
    login_as(client, app, w.admin)
    page = client.get(f"/studio/{ROLE}/compare?from=1&to=2").get_data(as_text=True)
    assert "1 reworded" in page and "1 removed" in page
    assert "Draw the ML system on one page" in page and "Map the product context" in page
    same = client.get(f"/studio/{ROLE}/compare?from=2&to=2").get_data(as_text=True)
    assert "No goal differs between these versions." in same


def test_a_version_that_does_not_exist_is_explained(app, client, library):
    w = world(app)
    login_as(client, app, w.admin)
    response = client.get(f"/studio/{ROLE}/compare?from=1&to=9")
    assert response.status_code == 422
    assert b"has versions 1 to 1; choose two of those" in response.data
    assert client.get("/studio/no-such-role").status_code == 404


def test_managers_and_hires_cannot_open_the_studio(app, client, library):
    w = world(app)
    login_as(client, app, w.manager)
    assert client.get("/studio/").status_code == 403
    assert b'href="/studio/"' not in client.get("/team").data  # not in their menu


def test_the_library_page_costs_the_same_sql_whatever_the_number_of_plans(app, client, library):
    w = world(app, plans=1)
    login_as(client, app, w.admin)
    with count_queries(app) as few:
        client.get("/studio/")
    add_plans(app, 6)
    with count_queries(app) as many:
        client.get("/studio/")
    assert len(few) == len(many)
