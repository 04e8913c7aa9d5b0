"""YAML in and out of the studio: uploads judged whole, downloads that load back unchanged."""
from __future__ import annotations

import html
import io
import re
import stat
import zipfile

import pytest
import sqlalchemy as sa
import yaml

from tests.conftest import login_as
from tests.factories import cast
from tracker.extensions import db
from tracker.models import AuditEvent, GoalTemplate, RoleTemplate, RoleVersion
from tracker.services.role_library import PACKAGE_LIBRARY

ROLE = "data-engineer"
UPLOAD = "/studio/files/upload"


def rows(app) -> tuple[int, int, int, int]:
    """What an upload may add: templates, versions, goals, audit events."""
    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                     for model in (RoleTemplate, RoleVersion, GoalTemplate, AuditEvent))


@pytest.fixture
def admin(app, client, library):
    with app.app_context():
        cast("admin", "manager")
        db.session.commit()
    login_as(client, app, "admin@example.com")
    return client


def role_text(slug: str = ROLE) -> str:
    return (PACKAGE_LIBRARY / "roles" / f"{slug}.yaml").read_text()


def role_data(slug: str = ROLE) -> dict:
    return yaml.safe_load(role_text(slug))


def zipped(entries: dict[str, str | bytes], symlinks: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name in symlinks:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def post(client, content: bytes, name: str, note: str = "Reworded the first goal", **extra):
    return client.post(UPLOAD, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), name), "note": note} | extra)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def results(response) -> dict[str, str]:
    """slug -> action, from the summary table."""
    found = re.findall(r'<th scope="row"><a href="/studio/([a-z0-9-]+)">[^<]*</a></th>\s*'
                       r'<td>v\d+</td>\s*<td>([a-z ]+)</td>', response.get_data(as_text=True))
    return dict(found)


def test_the_library_downloaded_and_uploaded_again_changes_nothing(app, admin, library):
    download = admin.get("/studio/files/library.zip")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert download.headers["Content-Disposition"].startswith("attachment; filename=role-library-")
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert "baseline.yaml" in names and f"roles/{ROLE}.yaml" in names
    assert "layers/platform-team.yaml" in names
    assert len(names) == len(library)
    before = rows(app)
    response = post(admin, download.data, "role-library.zip")
    assert response.status_code == 200
    assert results(response) == {result.slug: "unchanged" for result in library}
    assert rows(app) == before


def test_a_layer_file_uploaded_alone_is_judged_as_a_layer(app, admin):
    text = (PACKAGE_LIBRARY / "layers" / "startup.yaml").read_text()
    changed = post(admin, text.replace("end to end", "yourself").encode(), "startup.yaml")
    assert changed.status_code == 200 and results(changed) == {"startup": "new version"}
    broken = post(admin, text.replace("type: context", "type: squad").encode(), "startup.yaml")
    assert broken.status_code == 422
    assert ("<code>startup.yaml:3</code> <code class=\"muted\">type</code>: 'squad' is not "
            "allowed; use one of: team, context") in text_of(broken)


def test_a_changed_template_becomes_a_new_version_with_its_note_and_author(app, admin):
    download = admin.get(f"/studio/files/{ROLE}.yaml")
    assert download.headers["Content-Disposition"] == f"attachment; filename={ROLE}.yaml"
    data = yaml.safe_load(download.data)
    data["milestones"]["d30"]["goals"][0]["title"] = "Map every pipeline that feeds a model"
    templates, versions, goals, events = rows(app)
    response = post(admin, yaml.safe_dump(data).encode(), f"{ROLE}.yaml")
    assert response.status_code == 200 and results(response) == {ROLE: "new version"}
    assert rows(app) == (templates, versions + 1, goals + len(
        [g for m in data["milestones"].values() for g in m["goals"]]), events + 1)
    with app.app_context():
        version = db.session.scalar(sa.select(RoleVersion).order_by(RoleVersion.id.desc()))
        event = db.session.scalar(sa.select(AuditEvent))
        assert (version.number, version.change_note) == (2, "Reworded the first goal")
        assert version.published_by.email == "admin@example.com"
        assert (event.action, event.target_id, event.actor_id) == (
            "template.published", version.id, version.published_by_id)
        assert event.after["slug"] == ROLE and event.after["version"] == 2
    old = admin.get(f"/studio/files/{ROLE}.yaml?version=1")
    assert old.data == download.data
    assert b"Map every pipeline" in admin.get(f"/studio/files/{ROLE}.yaml").data


def test_a_zip_in_a_folder_adds_a_template_and_says_what_it_left_out(app, admin):
    new = role_data() | {"slug": "analytics-engineer", "name": "Analytics Engineer"}
    archive = zipped({"library/roles/analytics-engineer.yaml": yaml.safe_dump(new),
                      f"library/roles/{ROLE}.yaml": role_text(),
                      "library/catalogue.yaml": "roles: []\n", "library/README.md": "# hi\n",
                      "library/.DS_Store": b"\x00\x01", "library/roles/": b""})
    templates, versions, _, events = rows(app)
    response = post(admin, archive, "library.zip")
    assert response.status_code == 200
    assert results(response) == {"analytics-engineer": "created", ROLE: "unchanged"}
    assert rows(app)[:2] == (templates + 1, versions + 1) and rows(app)[3] == events + 1
    page = text_of(response)
    for left_out in ("library/README.md: not a YAML file", "library/.DS_Store: a hidden",
                     "library/catalogue.yaml: the catalogue is not loaded from here"):
        assert left_out in page.replace("</code>", "").replace("<code>", "")


def test_a_broken_upload_changes_nothing_and_lists_every_problem(app, admin):
    schema = role_data()
    schema["milestones"]["d60"]["goals"][1]["owner"] = "boss"
    twin = role_data("data-scientist") | {"slug": "twin"}
    archive = zipped({
        "roles/data-scientist.yaml": "slug: data-scientist\nname: [unclosed\n",
        f"roles/{ROLE}.yaml": yaml.safe_dump(schema, sort_keys=False),
        "roles/twin.yaml": yaml.safe_dump(twin), "roles/twin.yml": yaml.safe_dump(twin),
    })
    before = rows(app)
    response = post(admin, archive, "library.zip")
    assert response.status_code == 422
    assert rows(app) == before
    page = response.get_data(as_text=True)
    problems = [tuple(map(html.unescape, found)) for found in re.findall(
        r"<li><code>([^<]+)</code>(?: <code class=\"muted\">([^<]+)</code>)?: ([^<]+)</li>",
        page)]
    owner_line = next(i for i, line in enumerate(
        yaml.safe_dump(schema, sort_keys=False).splitlines(), 1) if "owner: boss" in line)
    assert sorted(problems) == sorted([
        ("data-scientist.yaml:3", "", "YAML syntax error: expected ',' or ']', but got "
                                      "'<stream end>'"),
        (f"{ROLE}.yaml:{owner_line}", "milestones.d60.goals[1].owner",
         "'boss' is not allowed; use one of: hire, manager, buddy"),
        ("twin.yml", "slug", "'twin' is also used by twin.yaml"),
    ])
    assert "Nothing was published: 3 problems" in page


@pytest.mark.parametrize("entry,message", [
    ("../roles/evil.yaml", "its path climbs out of the library"),
    ("roles/../../etc/evil.yaml", "its path climbs out of the library"),
    ("/etc/roles/evil.yaml", "its path is absolute"),
    ("C:/roles/evil.yaml", "its path is absolute"),
    ("roles\\..\\evil.yaml", r"its path uses \; paths in a zip use /"),
    ("roles/evil.yaml", "it is a symbolic link"),
])
def test_a_zip_reaching_outside_the_library_is_refused(app, admin, entry, message):
    archive = zipped({f"roles/{ROLE}.yaml": role_text(), entry: "/etc/passwd"},
                     symlinks=("roles/evil.yaml",))
    before = rows(app)
    response = post(admin, archive, "library.zip")
    assert response.status_code == 422
    assert f"{entry}: {message}" in text_of(response).replace("</code>", "").replace("<code>", "")
    assert rows(app) == before


@pytest.mark.parametrize("name,content,message", [
    (f"{ROLE}.yaml", b"# " + b"x" * (1024 * 1024), "the upload is larger than 1 MB, the limit"),
    ("library.zip", zipped({f"roles/{ROLE}.yaml": "#" * (3 * 1024 * 1024)}),
     "the zip unpacks to more than 2 MB, the limit"),
    ("library.zip", zipped({f"roles/r{n}.yaml": "" for n in range(201)}),
     "the zip has 201 entries; a library upload may have at most 200"),
    ("library.zip", b"PK\x03\x04 not really", "not a zip archive that can be read"),
    ("library.zip", zipped({"README.md": "# hi"}), "no templates found"),
    ("notes.pdf", b"%PDF-1.4", "only a .yaml or .yml template, or a .zip of the library"),
])
def test_too_much_or_the_wrong_kind_of_file_is_refused_in_plain_words(app, admin, name, content,
                                                                      message):
    before = rows(app)
    response = post(admin, content, name)
    assert response.status_code == 422
    assert message in text_of(response)
    assert rows(app) == before


def test_anchors_and_aliases_are_refused(app, admin):
    data = role_text().replace("  d60:", "  d60: &copy", 1).replace(
        "  d90:\n", "  d90: *copy\n  unused:\n", 1)
    response = post(admin, data.encode(), f"{ROLE}.yaml")
    assert response.status_code == 422
    assert "anchors and aliases (&amp;name, *name) are not accepted" in response.get_data(
        as_text=True)


def test_a_note_and_a_file_are_required(app, admin):
    before = rows(app)
    no_note = post(admin, role_text().encode(), f"{ROLE}.yaml", note="  ")
    assert no_note.status_code == 422 and "say in a few words what changed" in text_of(no_note)
    no_file = admin.post(UPLOAD, data={"note": "Something"})
    assert no_file.status_code == 422 and "choose a .yaml file" in text_of(no_file)
    assert rows(app) == before


def test_downloads_name_the_file_as_the_library_does(app, admin):
    baseline = admin.get("/studio/files/company-baseline.yaml")
    assert baseline.headers["Content-Disposition"] == "attachment; filename=baseline.yaml"
    assert baseline.mimetype == "application/yaml"
    assert yaml.safe_load(baseline.data)["slug"] == "company-baseline"
    for missing in ("/studio/files/no-such-role.yaml", f"/studio/files/{ROLE}.yaml?version=9",
                    f"/studio/files/{ROLE}.yaml?version=x", "/studio/files/a%00b.yaml"):
        assert admin.get(missing).status_code == 404, missing


def test_only_studio_users_upload_or_download(app, client, library):
    with app.app_context():
        people = cast("manager", "buddy")
        people.buddy.edits_templates = True
        db.session.commit()
    login_as(client, app, "manager@example.com")
    before = rows(app)
    for path in (UPLOAD, "/studio/files/library.zip", f"/studio/files/{ROLE}.yaml"):
        assert client.get(path).status_code == 403
    assert post(client, role_text().encode(), f"{ROLE}.yaml").status_code == 403
    assert rows(app) == before
    login_as(client, app, "buddy@example.com")  # a template editor
    assert client.get(UPLOAD).status_code == 200
    assert client.get("/studio/files/library.zip").status_code == 200


@pytest.mark.csrf_on
def test_an_upload_needs_the_forms_token(app, admin):
    before = rows(app)
    refused = post(admin, role_text().encode(), f"{ROLE}.yaml")
    assert refused.status_code == 400 and "nothing was saved" in refused.get_data(as_text=True)
    assert rows(app) == before
    page = admin.get(UPLOAD).get_data(as_text=True)
    token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)
    accepted = post(admin, role_text().encode(), f"{ROLE}.yaml", csrf_token=token)
    assert accepted.status_code == 200 and results(accepted) == {ROLE: "unchanged"}


def test_the_studio_links_to_upload_and_download(app, admin):
    page = admin.get("/studio/").get_data(as_text=True)
    assert 'href="/studio/files/upload"' in page and 'href="/studio/files/library.zip"' in page


def test_a_role_cannot_take_the_baselines_slug(app, admin):
    impostor = role_data() | {"slug": "company-baseline"}
    before = rows(app)
    response = post(admin, yaml.safe_dump(impostor).encode(), "company-baseline.yml")
    assert response.status_code == 422 and rows(app) == before
    assert ("'company-baseline' is a baseline template; this file is a role"
            in text_of(response))


def test_the_studio_downloads_what_roles_export_writes(app, admin, runner, tmp_path):
    result = runner.invoke(args=["tracker", "roles", "export", ROLE, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert admin.get(f"/studio/files/{ROLE}.yaml").data == (tmp_path / f"{ROLE}.yaml").read_bytes()


def test_a_flood_of_problems_is_counted_whole_and_shown_in_part(app, admin):
    data = role_data()
    goal = data["milestones"]["d30"]["goals"][0] | {"owner": "boss"}
    data["milestones"]["d30"]["goals"] = [goal | {"key": f"goal-{n}"} for n in range(600)]
    response = post(admin, yaml.safe_dump(data).encode(), f"{ROLE}.yaml")
    page = text_of(response)
    assert response.status_code == 422 and "Nothing was published: 600 problems" in page
    assert page.count("'boss' is not allowed") == 500
    assert "… and 100 more problems not shown" in page
