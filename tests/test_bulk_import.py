"""Bulk import of hires from CSV (issue 12, part 7): a dry run that lists every row's problems,
then all the hires created, or none."""
import html
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import login_as
from tests.factories import cast
from tracker.extensions import db
from tracker.models import Plan, PlanLayer, User

START = (date.today() + timedelta(days=14)).isoformat()
HEADER = "name,email,role,start_date,manager,buddy,timezone,layers\n"
GOOD = (HEADER
        + f"Ada Lovelace,ada@example.com,machine-learning-engineer,{START},"
          "manager@example.com,,Europe/London,platform-team\n"
        + f"Bo Bright,bo@example.com,data-engineer,{START},ada@example.com,"
          "manager@example.com,,\n")  # managed by the hire on line 2


@pytest.fixture
def admin(app, client, library):
    with app.app_context():
        cast("admin", "manager")
        db.session.commit()
    login_as(client, app, "admin@example.com")
    return client


def counts(app):
    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                     for model in (User, Plan, PlanLayer))


def upload(client, text, button="check", name="hires.csv"):
    return client.post("/admin/hires/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(text.encode()), name), button: "y"})


def test_a_check_creates_nothing_and_an_import_creates_every_hire(app, admin):
    before = counts(app)
    checked = upload(admin, GOOD)
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "Ready: 2 hires would be created" in page
    assert counts(app) == before
    assert "Ada Lovelace" in page and "Bo Bright" in page
    # Import what was checked, without choosing the file again.
    text = page[page.index('<textarea name="csv_text"'):]
    carried = text[text.index(">") + 1:text.index("</textarea>")]
    created = admin.post("/admin/hires/import", data={"csv_text": html.unescape(carried),
                                                     "create": "y"})
    assert created.status_code == 303
    users, plans, layers = counts(app)
    assert (users, plans, layers) == (before[0] + 2, before[1] + 2, before[2] + 1)
    with app.app_context():
        bo = db.session.scalar(sa.select(Plan).join(User, User.id == Plan.hire_id)
                               .where(User.email == "bo@example.com"))
        assert bo.manager.email == "ada@example.com" and bo.buddy.email == "manager@example.com"
        assert bo.hire.timezone == app.config["DEFAULT_TIMEZONE"]


def test_every_problem_is_listed_by_line_and_nothing_is_created(app, admin):
    bad = (GOOD
           + f"Cy Clone,ada@example.com,data-engineer,{START},manager@example.com,,,\n"
           + "Di Date,di@example.com,data-engineer,next monday,manager@example.com,,,\n"
           + f"Ed Role,ed@example.com,astronaut,{START},manager@example.com,,,\n"
           + f"Fi Boss,fi@example.com,data-engineer,{START},nobody@example.com,,,\n"
           + f"Gi Layer,gi@example.com,data-engineer,{START},manager@example.com,,,moon\n")
    before = counts(app)
    for button in ("check", "create"):
        response = upload(admin, bad, button)
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and "5 problems: nothing was created" in page
        for line, words in ((4, "is also on line 2"), (5, "is not a date"),
                            (6, "astronaut"), (7, "nobody@example.com"), (8, "moon")):
            row = page[page.index(f'<th scope="row">{line}</th>'):]
            assert words in row[:row.index("</tr>")], (line, row[:400])
        assert counts(app) == before


@pytest.mark.parametrize("text,message", [
    ("name,email\nA,a@example.com\n", "missing: role, start_date, manager"),
    (HEADER.replace("layers", "shoe_size"), "unknown columns: shoe_size"),
    (HEADER, "a header line but no hires"),
])
def test_a_file_that_cannot_be_read_says_why(app, admin, text, message):
    response = upload(admin, text)
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_a_file_that_is_not_utf8_or_missing_is_refused(app, admin):
    response = admin.post("/admin/hires/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO("name\n\xe9".encode("latin-1")), "h.csv"), "check": "y"})
    assert response.status_code == 422 and "UTF-8" in response.get_data(as_text=True)
    assert admin.post("/admin/hires/import", data={"check": "y"}).status_code == 422
    assert "name,email,role" in admin.get("/admin/hires/import/example.csv").get_data(True)
