"""A real HTTP receiver on loopback (werkzeug's server in a thread) that records every request.

Tests point webhook endpoints at it, so each delivery goes through urllib, a TCP connection and
a real HTTP exchange; nothing in the sending path is patched. ``status`` and ``answer`` set the
reply, ``location`` makes it a redirect, and a Receiver made with ``Receiver(port)`` but not
started is a receiver that is down: the port is free and the connection is refused.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.smtp import free_port


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.requests: list[Received] = []
        self.status = 200
        self.answer = b'{"ok": true}'
        self.location: str | None = None
        self.lock = threading.Lock()
        self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/onboarding"

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self.lock:
            self.requests.append(Received(request.path, dict(request.headers),
                                          request.get_data()))
        headers = {"Location": self.location} if self.location else {}
        return Response(self.answer, status=self.status, headers=headers)(environ,
                                                                          start_response)

    def __enter__(self) -> "Receiver":
        self.server = make_server("127.0.0.1", self.port, self, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()
