"""A database outage during requests (issue 19, faults): every request gets a clean 503 — an HTML page in
Chinese, JSON for the API and /healthz, a GeoReport error for Open311, each with Retry-After — and once the
database is back the same process serves again, with no restart.

The outage is real: the app's connection to PostgreSQL runs through a TCP relay on loopback, and stopping the
relay closes the live connection and refuses new ones, as a restarting server does. PostgreSQL itself is
shared by everything on this machine, so it is the relay that is stopped, not the server.

Requests go through Django's own WSGI handler, as under gunicorn: its request_started / request_finished
signals close a broken connection (the test client disconnects them), and the connection is persistent
(CONN_MAX_AGE 600, as in production), so recovering is the app's own doing."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.test import Client

needs_server = pytest.mark.skipif(connection.vendor != "postgresql", reason="a database server to lose: PostgreSQL")


class Relay:
    """A TCP relay from a loopback port to the database server; stop() is the outage, start() the recovery."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = 0
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        with self._lock:
            sockets, self._open = self._open, []
            listener, self._listener = self._listener, None
        for sock in [*sockets, *([listener] if listener else [])]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # stopped
            server = socket.create_connection(self.upstream)
            with self._lock:
                self._open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def relayed_database(transactional_db):  # type: ignore[no-untyped-def]
    """The default connection reconnected through a Relay, persistent as in production; restored afterwards."""
    settings = connection.settings_dict
    original = (settings["HOST"], settings["PORT"], settings["CONN_MAX_AGE"])
    relay = Relay((settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)))
    relay.start()
    connection.close()
    settings["HOST"], settings["PORT"], settings["CONN_MAX_AGE"] = "127.0.0.1", str(relay.port), 600
    try:
        yield relay
    finally:
        connection.close()
        settings["HOST"], settings["PORT"], settings["CONN_MAX_AGE"] = original
        relay.stop()


class Served:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def serve(path: str, cookie: str) -> Served:
    """One GET through the WSGI application, as gunicorn would call it."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_COOKIE": cookie,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    served = Served()

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        served.status = int(status.split()[0])
        served.headers = dict(headers)

    response = get_wsgi_application()(environ, start_response)
    try:
        served.body = b"".join(response)
    finally:
        response.close()  # sends request_finished, which drops a broken connection
    return served


@needs_server
def test_an_outage_gives_a_clean_503_everywhere_and_the_same_process_recovers(relayed_database):  # type: ignore[no-untyped-def]
    from gongzhi.accounts.models import User

    user = User.objects.create_user(username="outage", password="Gongzhi@2026x")
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    cookie = f"{name}={client.cookies[name].value}"
    assert serve("/healthz", cookie).status == 200
    assert serve("/", cookie).status == 200

    relayed_database.stop()  # the live connection is closed under the app, and new ones are refused
    page = serve("/", cookie)
    assert page.status == 503 and page.headers["Retry-After"] == "30"
    text = page.body.decode()
    assert "数据库暂时无法连接" in text and "Traceback" not in text
    health = serve("/healthz", cookie)
    assert health.status == 503 and health.json()["status"] == "unavailable"
    api = serve("/api/v1/registry/people", cookie)
    assert api.status == 503 and "数据库暂时无法连接" in api.json()["detail"]
    open311 = serve("/open311/v2/services.json", cookie)
    assert open311.status == 503 and open311.json()[0]["code"] == 503
    assert serve("/open311/v2/services.xml", cookie).headers["Content-Type"].startswith("text/xml")

    relayed_database.start()  # the database is back, on the same address
    assert serve("/healthz", cookie).status == 200
    assert serve("/", cookie).status == 200
    assert User.objects.filter(username="outage").exists()


def test_any_other_server_error_is_still_a_500(rf) -> None:  # type: ignore[no-untyped-def]
    from gongzhi.core.errors import server_error

    try:
        raise ValueError("a bug, not an outage")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
