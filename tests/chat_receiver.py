"""Slack's Web API and a chat webhook, played by a real HTTP server on loopback.

A ``ThreadingHTTPServer`` from the standard library records every request it receives (method,
path, query, headers, body) and answers the three Slack methods the tracker calls as Slack
documents them, checking the bot token; any other path is a chat webhook that answers 200.
``fail_next`` makes the next N requests answer a given status (500, or 429 with Retry-After)
instead: a receiver that is down or busy. Tests point ``SLACK_API_URL`` (slack_sdk's
``base_url``) and people's webhook addresses at it, so every message goes through the real
client, a TCP connection and a real HTTP exchange; nothing in the sending path is patched.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOKEN = "xoxb-test-token"


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def params(self) -> dict[str, list[str]]:
        """Arguments as Slack reads them: the query string, or a form-encoded body."""
        if self.headers.get("Content-Type", "").startswith("application/json"):
            return self.query
        return self.query | parse_qs(self.body.decode())

    @property
    def slack_method(self) -> str:
        return self.path.rsplit("/", 1)[-1]


class ChatReceiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.failures: list[tuple[int, dict[str, str]]] = []
        self.slack_users = {"manager@example.com": "U0MANAGER", "hire@example.com": "U0HIRE"}
        self.disabled: set[str] = set()  # Slack users whose account is deactivated
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]

    @property
    def slack_api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhookb2/teams-chat"

    def fail_next(self, count: int, status: int = 500, headers: dict | None = None) -> None:
        self.failures += [(status, headers or {})] * count

    def calls(self, path_start: str = "/") -> list[Received]:
        return [r for r in self.requests if r.path.startswith(path_start)]

    def slack_calls(self) -> list[str]:
        return [r.slack_method for r in self.calls("/api/")]

    def answer(self, received: Received) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            self.requests.append(received)
            failure = self.failures.pop(0) if self.failures else None
        if failure and failure[0] == 429:  # Slack says why in JSON; a webhook, in words
            return 429, failure[1], b'{"ok": false, "error": "ratelimited"}'
        if failure:
            return failure[0], failure[1], b"<html>Service Unavailable</html>"
        if not received.path.startswith("/api/"):
            return 200, {"Content-Type": "text/plain"}, b"1"
        return 200, {"Content-Type": "application/json"}, json.dumps(self.slack(received)).encode()

    def slack(self, received: Received) -> dict:
        if received.headers.get("Authorization") != f"Bearer {TOKEN}":
            return {"ok": False, "error": "invalid_auth"}
        method = received.slack_method
        if method == "users.lookupByEmail":
            user = self.slack_users.get(received.params.get("email", [""])[0])
            return {"ok": True, "user": {"id": user}} if user else {
                "ok": False, "error": "users_not_found"}
        if method == "conversations.open":
            users = received.params.get("users", [""])[0]
            if users not in self.slack_users.values():
                return {"ok": False, "error": "user_not_found"}
            if users in self.disabled:
                return {"ok": False, "error": "user_disabled"}
            return {"ok": True, "channel": {"id": "D" + users}}
        if method == "chat.postMessage":
            return {"ok": True, "channel": received.json["channel"], "ts": "1700000000.000100"}
        return {"ok": False, "error": "unknown_method"}

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                received = Received(self.command, parts.path, parse_qs(parts.query),
                                    dict(self.headers.items()), self.rfile.read(length))
                status, headers, body = receiver.answer(received)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _serve

            def log_message(self, *args):  # quiet: pytest shows what matters
                pass

        return Handler

    def __enter__(self) -> "ChatReceiver":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()
