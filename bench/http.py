"""HTTP figures: Gongzhi behind gunicorn, loaded by wrk from a second process, each beside a bare /healthz.

    python -m bench.http --json                 (the harness sets the database)

gunicorn runs the WSGI app as in production (2 workers × 4 threads, DEBUG off, loopback only, one Redis
cache shared by the workers) on the seeded database; wrk (Debian's) sends traffic to 127.0.0.1 only, with 8
and then 32 connections for a bounded time per endpoint. The limit of every figure is /healthz — the bare
endpoint, measured in the same run at the same number of connections. Endpoints of apps that are not
installed are skipped. Goal (issues 9 and 18), at 32 connections: ≥ 0.3× the bare endpoint's req/s,
p99 < 100 ms. Open311's list is also polled with the ETag of its last answer (a client that has it
already), which must answer 304.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from bench.common import ROOT, Figure, emit, log, setup_django, smoke, tier

CONNECTIONS = (8, 32)
GOAL_CONNECTIONS = 32
SECONDS = {"T": 2, "S": 8, "M": 10}
GOAL_RATIO = 0.3
GOAL_P99_MS = 100.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


BENCH_REDIS = "redis://127.0.0.1:6379/9"


def server_env(redis_url: str = BENCH_REDIS) -> dict[str, str]:
    """The workers share one Redis cache, as in production (docs/deployment.md), when Redis answers: the
        actor cache is only on with a shared cache. Its database (9 for the HTTP figures, 10 for the soak, so that
    the two can run side by side) is emptied first, so a run starts cold."""
    env = dict(os.environ)
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_timeout=2).flushdb()
    except Exception as exc:
        log(f"Redis not reachable ({exc}): workers keep per-process caches")
        return env
    env["GONGZHI_REDIS_URL"] = redis_url
    env["GONGZHI_ACTOR_CACHE_SECONDS"] = "300"
    return env


def start_gunicorn(port: int, redis_url: str = BENCH_REDIS) -> subprocess.Popen[bytes]:
    argv = [
        str(ROOT / ".venv" / "bin" / "gunicorn") if (ROOT / ".venv" / "bin" / "gunicorn").exists() else "gunicorn",
        "config.wsgi",
        "--workers=2",
        "--threads=4",
        "--worker-class=gthread",
        f"--bind=127.0.0.1:{port}",
        "--log-level=warning",
        "--timeout=60",
    ]
    process = subprocess.Popen(argv, cwd=ROOT, env=server_env(redis_url), stdout=sys.stderr, stderr=sys.stderr)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def session_cookie(base: str, username: str) -> str:
    """Log in through the real login form, as a browser does; returns the Cookie header for wrk."""
    from django.conf import settings
    from django.urls import reverse

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = base + reverse("accounts:login")
    page = opener.open(login).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": username, "password": settings.GONGZHI_DEMO_PASSWORD}
    ).encode()
    opener.open(urllib.request.Request(login, data=body, headers={"Referer": login}))  # noqa: S310
    cookies = {c.name: c.value for c in jar}
    assert settings.SESSION_COOKIE_NAME in cookies, f"{username} could not log in"
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def bearer(username: str) -> str:
    from gongzhi.accounts.models import User
    from gongzhi.accounts.security import api_token_create

    _record, token = api_token_create(user=User.objects.get(username=username), name="bench", days=1)
    return f"Bearer {token}"


def wrk(url: str, header: str | None, seconds: int, connections: int = GOAL_CONNECTIONS) -> dict[str, float]:
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if header:
        argv += ["-H", header]
    out = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    total = re.search(r"(\d+) requests in", out)

    def latency(label: str) -> float:
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {
        "rate": rate,
        "p50": latency("50"),
        "p99": latency("99"),
        "requests": float(total.group(1)) if total else 0.0,
        "errors": float(non_2xx.group(1)) if non_2xx else 0.0,
    }


def endpoints() -> list[tuple[str, Callable[[], tuple[str, str | None] | None]]]:
    """(label, build) where build returns (path, header kind) or None when the app is not here."""
    from django.urls import NoReverseMatch, reverse

    from gongzhi.registry.models import Person

    def named(name: str, auth: str, query: str = "", **kwargs: Any) -> Callable[[], tuple[str, str | None] | None]:
        def build() -> tuple[str, str | None] | None:
            try:
                return reverse(name, kwargs=kwargs or None) + query, auth
            except NoReverseMatch:
                return None

        return build

    def search_api() -> tuple[str, str | None]:
        person = Person.objects.filter(status="resident").order_by("id").first()
        prefix = urllib.parse.quote(person.name[:2] if person else "王")
        return f"/api/v1/registry/people?q={prefix}", "token"

    found: list[tuple[str, Callable[[], tuple[str, str | None] | None]]] = [
        ("person search API (name prefix)", search_api),
        ("case list API", lambda: _api_path("/api/v1/cases/cases", "cases")),
        ("campaign coverage page", _coverage_page),
        ("Open311 GET requests.json", named("open311:requests", "", fmt="json")),
        ("Open311 GET requests.json, unchanged (304)", named("open311:requests", "etag", fmt="json")),
    ]
    return found


def etag_of(url: str) -> str:
    """The ETag a client polling ``url`` holds after its first GET."""
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
        return str(response.headers["ETag"])


def _api_path(path: str, app: str) -> tuple[str, str | None] | None:
    from django.apps import apps

    return (path, "token") if apps.is_installed(f"gongzhi.{app}") else None


def _coverage_page() -> tuple[str, str | None] | None:
    from django.apps import apps
    from django.urls import NoReverseMatch, reverse

    if not apps.is_installed("gongzhi.campaigns"):
        return None
    campaign = apps.get_model("campaigns", "Campaign").objects.order_by("id").first()
    if campaign is None:
        return None
    try:
        return reverse("campaigns:campaign-detail", kwargs={"campaign_id": campaign.pk}), "session"
    except NoReverseMatch:
        return None


def measure_at(base: str, headers: dict[str, str], seconds: int, connections: int) -> list[Figure]:
    """/healthz and every endpoint at ``connections`` connections; the goal is judged at 32."""
    at = f" @{connections}"
    bare = wrk(base + "/healthz", None, seconds, connections)
    log(f"/healthz{at}: {bare['rate']:.0f} req/s, p99 {bare['p99']:.1f} ms")
    figures = [
        Figure(f"HTTP /healthz (the bare endpoint){at}", round(bare["rate"]), "req/s", note=f"p99 {bare['p99']:.1f} ms")
    ]
    for label, build in endpoints():
        target = build()
        if target is None:
            log(f"skipping {label}: not here")
            continue
        path, auth = target
        if auth == "etag":
            header: str | None = f"If-None-Match: {etag_of(base + path)}"
        else:
            header = headers[auth] if auth else None
        wrk(base + path, header, 1, connections)
        result = wrk(base + path, header, seconds, connections)
        log(f"{label}{at}: {result}")
        judged = connections == GOAL_CONNECTIONS
        ok = result["errors"] == 0 and result["rate"] >= GOAL_RATIO * bare["rate"] and result["p99"] < GOAL_P99_MS
        figures.append(
            Figure(
                f"HTTP {label}{at}",
                round(result["rate"]),
                "req/s",
                round(bare["rate"]),
                goal=f"≥ {GOAL_RATIO}× limit, p99 < {GOAL_P99_MS:.0f} ms" if judged else "",
                passed=ok if judged else None,
                note=f"p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms, "
                f"{int(result['errors'])} non-2xx/3xx of {int(result['requests'])}",
                extra={"p50_ms": result["p50"], "p99_ms": result["p99"], "path": path, "connections": connections},
            )
        )
    return figures


def main() -> None:
    parse_args()
    setup_django()
    if shutil.which("wrk") is None:
        emit([Figure("HTTP", None, "req/s", note="wrk is not installed (apt-get install wrk)")])
        return
    seconds = 1 if smoke() else SECONDS[tier()]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(port)
    figures: list[Figure] = []
    try:
        headers = {
            "token": f"Authorization: {bearer('jiedao')}",
            "session": f"Cookie: {session_cookie(base, 'jiedao')}",
        }
        wrk(base + "/healthz", None, 1)  # warm both workers
        for connections in CONNECTIONS:
            figures += measure_at(base, headers, seconds, connections)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    emit(figures)


if __name__ == "__main__":
    main()
