"""A robot on 127.0.0.1: a real HTTP server that records each request and answers as told."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OK = (200, {"errcode": 0, "errmsg": "ok"})


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    body: dict[str, Any]
    content_type: str


@dataclass
class FakeRobot:
    url: str
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, Any]] = field(default_factory=list)  # next answers, then OK for ever

    def answer(self, status: int, body: Any) -> None:
        self.answers.append((status, body))

    def answer_always(self, status: int, body: Any, times: int = 20) -> None:
        self.answers.extend([(status, body)] * times)


def serve() -> Iterator[FakeRobot]:
    robot: FakeRobot

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            parts = urllib.parse.urlsplit(self.path)
            robot.requests.append(
                Received(
                    path=parts.path,
                    query=urllib.parse.parse_qs(parts.query),
                    body=json.loads(raw),
                    content_type=self.headers.get("Content-Type", ""),
                )
            )
            status, body = robot.answers.pop(0) if robot.answers else OK
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    robot = FakeRobot(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield robot
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
