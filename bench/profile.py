"""Where an HTTP request's milliseconds go: the endpoints of the HTTP figures, profiled in-process.

    python -m bench.profile --tier S [--db postgres] [--requests 200]   (seeds or reuses the bench database)

Each endpoint of bench.http is requested through Django's test client — the whole middleware stack and the
real URL, the same user and the same authentication as wrk's — after a warm-up, under pyinstrument. Every
sample is charged to a layer (which part of the request: a middleware, the authentication and scope, the
view) and a kind (what the interpreter was doing: the database driver, the ORM's SQL compiler, building
model instances, templates, serialisation, other Python). The table gives milliseconds per request; the
layers are read from the innermost frame that names one, so SQL run by the session middleware is the
middleware's, SQL run by the view is the view's. pyinstrument samples every millisecond; the totals carry
its overhead (a few per cent). The CPU time of the process is given beside the wall time: on a loaded machine
it is the steadier figure (on SQLite the database's work is in the process too; PostgreSQL's is not).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from typing import Any

from bench import __main__ as harness

# (substring of a frame's file path, layer), checked from the innermost frame outwards.
LAYERS: list[tuple[str, str]] = [
    ("gongzhi/accounts/api_auth", "authentication, actor and scope"),
    ("gongzhi/accounts/actor", "authentication, actor and scope"),
    ("gongzhi/accounts/scope", "authentication, actor and scope"),
    ("gongzhi/core/actors", "authentication, actor and scope"),
    ("/views.py", "view"),
    ("/api.py", "view"),
    ("/open311.py", "view"),
    ("django/contrib/sessions", "middleware: sessions"),
    ("django/contrib/auth/middleware", "middleware: auth"),
    ("django_otp", "middleware: OTP"),
    ("csp/", "middleware: CSP"),
    ("simple_history", "middleware: history"),
    ("django_htmx", "middleware: htmx"),
    ("gongzhi/core/middleware", "middleware: Gongzhi's"),
    ("gongzhi/accounts/middleware", "middleware: Gongzhi's"),
    ("django/middleware", "middleware: Django's"),
    ("ninja/", "ninja: parameters, throttle, response"),
]
# (substring, kind), checked from the innermost frame outwards.
KINDS: list[tuple[str, str]] = [
    ("sqlite3", "database driver"),
    ("psycopg", "database driver"),
    ("django/db/backends", "database driver"),
    ("django/db/models/sql", "ORM: SQL compiler"),
    ("django/db/models", "ORM: rows to models"),
    ("django/template", "templates"),
    ("template_partials", "templates"),
    ("pydantic", "serialisation"),
    ("orjson", "serialisation"),
    ("ninja/renderers", "serialisation"),
    ("ninja/schema", "serialisation"),
    ("json/", "serialisation"),
    ("django/core/cache", "cache"),
    ("redis", "cache"),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", choices=["T", "S", "M"], default="S")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=200, help="requests per endpoint (after 20 of warm-up)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def _classify(stack: list[str], table: list[tuple[str, str]], default: str) -> str:
    for path in reversed(stack):
        for needle, name in table:
            if needle in path:
                return name
    return default


def breakdown(root: Any) -> dict[tuple[str, str], float]:
    """Seconds of pyinstrument's frame tree charged to (layer, kind), by each frame's own time."""
    charged: dict[tuple[str, str], float] = defaultdict(float)

    def walk(frame: Any, stack: list[str]) -> None:
        here = [*stack, frame.file_path or ""]
        own = frame.time - sum(child.time for child in frame.children)
        if own > 0:
            layer = _classify(here, LAYERS, "Django's request handling")
            kind = _classify(here, KINDS, "Python")
            charged[(layer, kind)] += own
        for child in frame.children:
            walk(child, here)

    walk(root, [])
    return charged


def profile_endpoints(requests: int) -> None:
    import django

    django.setup()
    from django.test import Client
    from pyinstrument import Profiler

    from bench.http import bearer, endpoints
    from gongzhi.accounts.models import User

    session = Client(HTTP_HOST="127.0.0.1")
    session.force_login(User.objects.get(username="jiedao"))
    token = bearer("jiedao")
    for label, build in endpoints():
        target = build()
        if target is None:
            continue
        path, auth = target
        client = session if auth == "session" else Client(HTTP_HOST="127.0.0.1")
        headers: dict[str, str] = {"HTTP_AUTHORIZATION": token} if auth == "token" else {}
        if auth == "etag":
            headers = {"HTTP_IF_NONE_MATCH": client.get(path)["ETag"]}
        for _ in range(20):
            status = client.get(path, **headers).status_code  # type: ignore[arg-type]
        profiler = Profiler(interval=0.001)
        cpu = time.process_time()
        profiler.start()
        for _ in range(requests):
            client.get(path, **headers)  # type: ignore[arg-type]
        profiler.stop()
        cpu = time.process_time() - cpu
        session_ = profiler.last_session
        charged = breakdown(session_.root_frame())
        total = sum(charged.values())
        print(f"\n## {label}  ({path.split('?')[0]}, HTTP {status})")
        print(
            f"{total / requests * 1000:.2f} ms per request in-process (wall), {cpu / requests * 1000:.2f} ms of this "
            f"process's CPU, {requests} requests\n"
        )
        print("| layer | kind | ms per request | share |")
        print("|---|---|---|---|")
        for (layer, kind), seconds in sorted(charged.items(), key=lambda item: -item[1]):
            share = seconds / total if total else 0
            if share < 0.01:
                continue
            print(f"| {layer} | {kind} | {seconds / requests * 1000:.2f} | {share:.0%} |")
        by_layer: dict[str, float] = defaultdict(float)
        for (layer, _kind), seconds in charged.items():
            by_layer[layer] += seconds
        layers = sorted(by_layer.items(), key=lambda item: -item[1])
        print("\nby layer: " + ", ".join(f"{k} {v / requests * 1000:.2f} ms" for k, v in layers))
        sys.stdout.flush()


def main() -> None:
    args = parse_args()
    if args.child:
        profile_endpoints(args.requests)
        return
    harness.prepare_database(args.tier, args.db, reseed=False)
    env = harness.database_env(args.tier, args.db)
    argv = [sys.executable, "-m", "bench.profile", "--child", "--requests", str(args.requests)]
    os.execvpe(sys.executable, argv, env)  # noqa: S606 - our own module, the harness's environment


if __name__ == "__main__":
    main()
