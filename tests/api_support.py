"""Calling the JSON API from tests as a script would: a token in the Authorization header."""
from __future__ import annotations

from tracker.extensions import db
from tracker.services.access_tokens import create_token
from tracker.services.accounts import find_user


def token_for(app, email: str, *, read_only: bool = False, name: str = "tests") -> str:
    with app.app_context():
        _token, raw = create_token(find_user(email), name, read_only)
        db.session.commit()
        return raw


class Api:
    """A test client that sends ``Authorization: Bearer <token>`` and JSON, like a script."""

    def __init__(self, client, token: str):
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, json=None, **kwargs):
        return self.client.open("/api/v1" + path, method=method, json=json,
                                headers=self.headers, **kwargs)

    def get(self, path: str, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path: str, json=None):
        return self.call("POST", path, json=json)

    def put(self, path: str, json=None):
        return self.call("PUT", path, json=json)

    def patch(self, path: str, json=None):
        return self.call("PATCH", path, json=json)


def as_person(app, client, email: str, **kwargs) -> Api:
    return Api(client, token_for(app, email, **kwargs))
