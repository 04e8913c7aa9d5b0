"""Bad input gets a clear answer, never a 500 (issue 11): ids past 64 bits, huge numbers in the
query string, dates far beyond any plan, and text without a length limit."""
from __future__ import annotations

import io
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.conftest import login_as
from tests.factories import make_plan, make_user
from tracker.extensions import db
from tracker.models import Evidence, EvidenceKind, GoalOwner, PlanGoal
from tracker.security import MAX_ID
from tracker.services.goals import submit_evidence

HUGE = "99999999999999999999"  # past any 64-bit integer column


@pytest.fixture
def world(app, library):
    with app.app_context():
        make_user("admin@example.com", is_admin=True)
        manager, hire = make_user("manager@example.com"), make_user("hire@example.com")
        plan = make_plan(hire, manager, start=date.today() - timedelta(days=10))
        goal = next(g for g in plan.milestones[0].goals
                    if g.owner == GoalOwner.HIRE and g.evidence_required)
        submit_evidence(plan, goal, hire, kind=EvidenceKind.NOTE, note="done")
        db.session.commit()
        return SimpleNamespace(plan=plan.id, goal=goal.id, m12=plan.milestones[-1].id,
                               start=plan.start_date)


@pytest.mark.parametrize("method,path", [
    ("GET", f"/plans/{HUGE}"), ("GET", f"/evidence/{HUGE}/file"),
    ("GET", f"/plans/{HUGE}/checkins/d30"), ("GET", f"/admin/plans/{HUGE}/edit"),
    ("POST", f"/plans/{HUGE}/goals/1/evidence"), ("POST", f"/plans/1/goals/{HUGE}/review"),
    ("POST", f"/evidence/{HUGE}/withdraw"), ("POST", f"/admin/outbox/{HUGE}/requeue"),
    ("POST", f"/admin/plans/1/milestones/{HUGE}/due-date"),
])
def test_an_id_past_64_bits_is_not_found(app, client, world, method, path):
    login_as(client, app, "admin@example.com")
    assert client.open(path, method=method, data={}).status_code == 404


@pytest.mark.parametrize("query", [f"page={HUGE}", f"manager={HUGE}", "page=-5", "manager=x"])
def test_huge_or_odd_numbers_in_list_filters_are_ignored(app, client, world, query):
    login_as(client, app, "admin@example.com")
    for page in ("/admin/plans", "/admin/outbox"):
        assert client.get(f"{page}?{query}").status_code == 200


def test_a_due_date_far_beyond_the_plan_is_refused_with_a_reason(app, client, world):
    login_as(client, app, "admin@example.com")
    url = f"/admin/plans/{world.plan}/milestones/{world.m12}/due-date"
    field = f"m{world.m12}-"  # each milestone's form has its own prefix
    refused = client.post(url, data={field + "due_date": "9999-12-31", field + "reason": "typo"})
    assert refused.status_code == 422
    assert "more than two years after the start" in refused.get_data(as_text=True)
    latest = world.start + timedelta(days=730)
    assert client.post(url, data={field + "due_date": latest.isoformat(),
                                  field + "reason": "long leave"}).status_code == 302
    login_as(client, app, "hire@example.com")
    assert client.get(f"/plans/{world.plan}").status_code == 200


def test_a_review_comment_has_a_length_limit(app, client, world):
    login_as(client, app, "manager@example.com")
    refused = client.post(f"/plans/{world.plan}/goals/{world.goal}/review",
                          data={"decision": "changes", "comment": "x" * 5_001})
    assert refused.status_code == 422
    assert "the comment is 5,001 characters; the limit is 5,000" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(PlanGoal, world.goal).evidence[0].review_comment is None


@pytest.mark.parametrize("query", ["role=a%00b", "kind=%00", "q=%00", "%00=1", "status=active%00"])
@pytest.mark.parametrize("page", ["/admin/plans", "/admin/outbox", "/team", "/"])
def test_a_nul_character_in_the_query_string_is_refused_with_a_reason(app, client, world, page,
                                                                       query):
    """PostgreSQL cannot compare text holding a NUL, so ``?role=%00`` used to answer 500 there."""
    login_as(client, app, "admin@example.com")
    refused = client.get(f"{page}?{query}")
    assert refused.status_code == 400
    assert "The address has a NUL character (%00) in it" in refused.get_data(as_text=True)


@pytest.mark.parametrize("query", ["role=" + "x" * 5_000, "kind=" + "%25" * 3_000,
                                   "at=../../etc/passwd", "status=%E2%80%A8"])
def test_huge_or_odd_filter_text_finds_nothing(app, client, world, query):
    login_as(client, app, "admin@example.com")
    for page in ("/admin/plans", "/admin/outbox"):
        assert client.get(f"{page}?{query}").status_code == 200


def test_a_file_name_longer_than_its_column_is_shortened_keeping_its_type(app, client, world):
    login_as(client, app, "hire@example.com")
    upload = (io.BytesIO(b"%PDF-1.4 notes"), "é" + "a" * 300 + ".tar.pdf")
    response = client.post(f"/plans/{world.plan}/goals/{world.goal}/evidence",
                           data={"kind": "file", "file": upload})
    assert response.status_code == 302
    with app.app_context():
        evidence = db.session.scalar(sa.select(Evidence).where(Evidence.kind == EvidenceKind.FILE))
        assert len(evidence.file_name) == 255
        assert evidence.file_name.startswith("eaaa") and evidence.file_name.endswith("aa.pdf")


@pytest.mark.parametrize("url", ["http://[", "https://[::1", "http://a\uff03b.example/"])
def test_a_link_python_cannot_parse_is_refused_with_a_reason(app, client, world, url):
    login_as(client, app, "hire@example.com")
    refused = client.post(f"/plans/{world.plan}/goals/{world.goal}/evidence",
                          data={"kind": "link", "url": url})
    assert refused.status_code == 422
    assert "give a full web address" in refused.get_data(as_text=True)


PAST_INTEGER = str(2**31)  # past PostgreSQL's integer, the type of every id column


@pytest.mark.parametrize("method,path", [
    ("GET", f"/plans/{PAST_INTEGER}"), ("GET", f"/evidence/{PAST_INTEGER}/file"),
    ("POST", f"/plans/1/goals/{PAST_INTEGER}/review"),
    ("POST", f"/admin/plans/1/milestones/{PAST_INTEGER}/due-date"),
])
def test_an_id_past_the_id_columns_is_not_found(app, client, world, method, path):
    """Ids are 32-bit on PostgreSQL: 2**31 used to pass the route and fail the query (500)."""
    login_as(client, app, "admin@example.com")
    assert client.open(path, method=method, data={}).status_code == 404


def test_a_manager_filter_past_the_id_columns_is_ignored(app, client, world):
    login_as(client, app, "admin@example.com")
    assert client.get(f"/admin/plans?manager={PAST_INTEGER}").status_code == 200


def test_every_id_column_holds_the_largest_id_a_route_accepts():
    largest = {sa.SmallInteger: 2**15 - 1, sa.Integer: 2**31 - 1, sa.BigInteger: 2**63 - 1}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if column.primary_key or column.foreign_keys:
                kind = next(k for k in largest if type(column.type) is k)
                assert MAX_ID <= largest[kind], column
