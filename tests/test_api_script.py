"""Issue 12's "Done when": a script holding tokens creates a hire and plan, sends evidence,
reviews it and reads the plan back over real HTTP, finding every address in the OpenAPI
document rather than knowing it in advance."""
from datetime import date, timedelta

import pytest
import requests

from tests.api_support import token_for
from tests.browser_support import serving
from tests.factories import cast
from tracker.extensions import db


class Script:
    """What a customer's script does: read the document once, then call operations by their
    method and the words of their summary, never by a hard-coded path."""

    def __init__(self, base: str, token: str):
        self.base = base
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.document = requests.get(base + "/api/v1/openapi.json", timeout=10).json()

    def operation(self, method: str, words: str) -> str:
        found = [path for path, item in self.document["paths"].items()
                 if method.lower() in item and words in item[method.lower()]["summary"]]
        assert len(found) == 1, (method, words, found)
        return found[0]

    def call(self, method: str, words: str, body=None, **path_values):
        path = self.operation(method, words).format(**path_values)
        response = self.http.request(method, self.base + path, json=body, timeout=10)
        return response.status_code, response.json()

    def as_(self, token: str) -> "Script":
        other = Script.__new__(Script)
        other.base, other.document = self.base, self.document
        other.http = requests.Session()
        other.http.headers["Authorization"] = f"Bearer {token}"
        return other


@pytest.fixture
def live(app, library):
    with app.app_context():
        cast("admin", "manager")
        db.session.commit()
    with serving(app) as base:
        yield base


def test_a_script_onboards_a_hire_end_to_end(app, live):
    hr = Script(live, token_for(app, "admin@example.com"))
    start = (date.today() - timedelta(days=5)).isoformat()
    status, plan = hr.call("POST", "A new hire", {
        "name": "Sam Script", "email": "sam@example.com", "role": "machine-learning-engineer",
        "start_date": start, "manager_email": "manager@example.com", "timezone": "UTC"})
    assert status == 201, plan
    goal = next(g for m in plan["milestones"] for g in m["goals"]
                if g["owner"] == "hire" and g["evidence_required"])

    # The new hire's script gets its token the way an operator would make one.
    made = app.test_cli_runner().invoke(args=["tracker", "token", "create", "sam@example.com",
                                              "--name", "evidence bot"])
    assert made.exit_code == 0, made.output
    hire = hr.as_(made.stdout.strip())
    status, sent = hire.call("POST", "Send a note or a link", {
        "kind": "link", "url": "https://git.example.com/sam/first-pr", "note": "First PR"},
        plan_id=plan["id"], goal_id=goal["id"])
    assert status == 201 and sent["status"] == "submitted"

    manager = hr.as_(token_for(app, "manager@example.com"))
    status, reviewed = manager.call("POST", "Approve the evidence", {
        "approve": True, "comment": "Nice first change"}, plan_id=plan["id"], goal_id=goal["id"])
    assert status == 200 and reviewed["status"] == "approved"

    status, again = hr.call("GET", "A plan with its milestones", plan_id=plan["id"])
    assert status == 200
    read_back = next(g for m in again["milestones"] for g in m["goals"] if g["id"] == goal["id"])
    assert read_back["status"] == "approved"
    assert read_back["evidence"][0]["reviewer"]["email"] == "manager@example.com"
    assert again["progress"]["done"] == 1
