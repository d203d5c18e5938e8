"""`make soak [MINUTES=10] [TIER=M]`: mixed traffic for a bounded time against gunicorn on PostgreSQL.

    python -m bench.soak                          # what `make soak` runs: tier M, 10 minutes
    python -m bench.soak --tier T --minutes 1     # a quick try on the tiny tier

1. The database: the bench's seeded tier database (bench/__main__.py prepare_database: reused while its
   fingerprint holds, seeded otherwise) is copied to <name>_soak with CREATE DATABASE … TEMPLATE, dropped and
   re-created at every start, so the soak's writes never shift the bench's later figures. The copy gets its
   soak users: residents of households in the resident persona's grid (the way the demo seed links `jumin`
   to a household), a bearer token and an Open311 api_key.
2. gunicorn as bench/http.py starts it (2 workers × 4 threads, loopback only), with the login, report and
   Open311 rate limits raised out of the way: the soak is one machine's worth of clients on one address.
3. Clients, each a thread with its own keep-alive connection and session, for --minutes: residents report
   cases through the real form and rate them once closed; the case moves through the real forms as its
   people do it (the grid head accepts and dispatches, the handler routed to — property staff, the
   community or the officer — handles with a photo, the grid head verifies and closes); grid workers record
   visits; staff open lists and search people; an API client reads with a bearer token; an Open311 client
   polls with If-None-Match (200 or 304) and posts requests with an api_key.
4. Every answer is checked: a status other than the expected one, a redirect to the login page or a page
   carrying an error message counts as an error and is printed with its URL; 5xx are counted apart.
   Server memory is the RSS of gunicorn's master and workers, from /proc: at boot, after the warm-up (the
   first tenth of the run, at most a minute: every page has been rendered once) and at the end.
   Goal (issue 19): 0 errors, no 5xx, memory growth from after the warm-up to the end under 10%.

The table goes to stdout, the run to bench/results/<timestamp>-soak-<tier>.json (and .md); exit status 1 when
the goal is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import json
import os
import platform
import queue
import random
import re
import signal
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import http as http_bench
from bench.__main__ import RESULTS, database_env, postgres_admin, prepare_database
from bench.common import log, percentile, setup_django

GOAL_MEMORY_GROWTH = 0.10
RESIDENTS = 6  # jumin and five neighbours in jumin's grid
# A resident has at most this many cases on their way through the pipeline before reporting another: one
# grid head accepts, dispatches, verifies and closes them all, as in a real grid.
OPEN_PER_RESIDENT = 3
SOAK_USER_PREFIX = "soak_jumin_"
# The bench's HTTP figures flush Redis database 9 when they start; the soak's workers keep a cache of their own.
SOAK_REDIS = "redis://127.0.0.1:6379/10"
RATE_UNLIMITED = "1000000/60"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", choices=["T", "S", "M"], default="M")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--think", type=float, default=0.3, help="mean pause of a client between actions, s")
    parser.add_argument("--out", default="", help="where to write the JSON (default bench/results/…)")
    return parser.parse_args()


# --- the database ------------------------------------------------------------------------------------


def copy_database(source: str, target: str) -> float:
    """A fresh copy of the seeded database; seconds taken. CREATE DATABASE … TEMPLATE refuses while anyone
    is connected to the template (another checkout's bench, a psql), so it is retried for a while."""
    import psycopg

    started = time.perf_counter()
    postgres_admin(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    for attempt in range(20):
        try:
            # FILE_COPY: copying the files is much faster for a multi-GB template than WAL-logging every block.
            postgres_admin(f'CREATE DATABASE "{target}" TEMPLATE "{source}" STRATEGY FILE_COPY')
            return time.perf_counter() - started
        except psycopg.errors.ObjectInUse:
            log(f"{source} is in use; retrying the copy ({attempt + 1}/20) …")
            time.sleep(5)
    raise SystemExit(f"could not copy {source}: someone stays connected to it")


@dataclass
class World:
    """What the clients need, read from the copy before the server starts."""

    residents: list[str] = field(default_factory=list)
    places: dict[str, str] = field(default_factory=dict)  # resident → the report form's "where" (their home)
    categories: dict[int, str] = field(default_factory=dict)  # category id → the username that handles it
    desk: str = "wangge_a"
    visitors: dict[str, int] = field(default_factory=dict)  # grid head → their grid id
    campaign_id: int | None = None
    search_prefixes: list[str] = field(default_factory=list)
    api_token: str = ""
    open311_key: str = ""
    open311_codes: list[str] = field(default_factory=list)
    open311_building: int = 0


def prepare_world() -> World:
    """Soak users and credentials in the copy, through the models and services the app itself uses."""
    from django.contrib.auth.hashers import make_password
    from django.db import connections
    from django.db.models import F, Max, Min

    from gongzhi.accounts.actors import actor_for_user
    from gongzhi.accounts.models import Duty, User
    from gongzhi.campaigns.choices import CampaignStatus
    from gongzhi.campaigns.models import Campaign
    from gongzhi.cases import open311, permissions, services
    from gongzhi.cases.models import Case, CaseCategory
    from gongzhi.registry.models import Household, Person
    from gongzhi.territory.choices import NodeKind
    from gongzhi.territory.models import Node

    world = World()
    jumin = Person.objects.select_related("household").get(user__username="jumin")
    home = jumin.household
    assert home is not None, "jumin has no household"
    assert home.grid_id is not None, "jumin's household is in no grid"
    password = make_password(_demo_password())
    neighbours = (
        Household.objects.filter(grid_id=home.grid_id, is_active=True, dwelling__isnull=False, head__isnull=False)
        .filter(head__status="resident", head__user__isnull=True, head__household_id=F("pk"))
        .exclude(pk=home.pk)
        .select_related("head")
        .order_by("pk")[: RESIDENTS - 1]
    )
    world.residents = ["jumin"]
    world.places["jumin"] = f"d{home.dwelling_id}"
    for index, household in enumerate(neighbours, start=1):
        user = User.objects.create(
            username=f"{SOAK_USER_PREFIX}{index}", full_name=household.head.name, password=password
        )
        Person.objects.filter(pk=household.head_id).update(user=user)
        world.residents.append(user.username)
        world.places[user.username] = f"d{household.dwelling_id}"

    place = services.place_locate(dwelling=home.dwelling)
    desk = actor_for_user(User.objects.get(username=world.desk))
    handlers = {name: actor_for_user(User.objects.get(username=name)) for name in ("wuye", "shequ", "jiedao")}
    for category in CaseCategory.objects.filter(parent__isnull=False, is_active=True).order_by("pk"):
        route = services.route_for(org_path=place.org_path, compound=place.compound, category=category)
        case = Case(
            org_path=place.org_path,
            grid=place.grid,
            handler_kind=route.kind,
            handler_node=route.node,
            category=category,
        )
        for name, actor in handlers.items():
            if permissions.is_handler(actor, case):
                if permissions.is_reporting_side(desk, case) and not permissions.is_handler(desk, case):
                    world.categories[category.pk] = name
                break
    assert world.categories, "no category routes to wuye, shequ or jiedao at jumin's home"

    for duty in Duty.objects.filter(user__username__in=["wangge_a", "wangge_b"], grid__isnull=False):
        world.visitors[duty.user.username] = duty.grid_id  # type: ignore[assignment]
    campaign = Campaign.objects.filter(status=CampaignStatus.OPEN).order_by("pk").first()
    world.campaign_id = campaign.pk if campaign else None

    bounds = Person.objects.aggregate(low=Min("pk"), high=Max("pk"))
    rng = random.Random(2026)
    picks = [rng.randint(bounds["low"], bounds["high"]) for _ in range(200)]
    names = Person.objects.filter(pk__in=picks).values_list("name", flat=True)
    world.search_prefixes = sorted({name[:2] for name in names if name})[:40] or ["王"]

    world.api_token = http_bench.bearer("shequ")
    officer = actor_for_user(User.objects.get(username="jiedao"))
    _key, world.open311_key = services.open311_key_create(actor=officer, name="soak")
    world.open311_codes = list(open311._services().exclude(code="").values_list("code", flat=True)[:20])
    building = Node.objects.filter(kind=NodeKind.BUILDING, path__startswith=place.org_path[: 4 * Node.steplen])
    world.open311_building = building.order_by("path").values_list("pk", flat=True).first() or 0
    connections.close_all()
    return world


def _demo_password() -> str:
    from django.conf import settings

    return str(settings.GONGZHI_DEMO_PASSWORD)


# --- the clients ------------------------------------------------------------------------------------------


class SoakError(Exception):
    """An answer the soak did not expect; already counted."""


@dataclass
class Kind:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    server_errors: int = 0


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.kinds: dict[str, Kind] = {}
        self.shown = 0
        self.counters: dict[str, int] = {}

    def add(self, kind: str, ms: float, *, error: str = "", status: int = 0) -> None:
        with self.lock:
            row = self.kinds.setdefault(kind, Kind())
            row.latencies.append(ms)
            if error:
                row.errors += 1
                if status >= 500:
                    row.server_errors += 1
                if self.shown < 200:  # every error, up to a screenful
                    self.shown += 1
                    log(f"ERROR [{kind}] {error}")

    def count(self, name: str) -> None:
        with self.lock:
            self.counters[name] = self.counters.get(name, 0) + 1


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 140, 200)).save(out, format="JPEG", quality=80)
    return out.getvalue()


class Client:
    """One browser or API client: a keep-alive connection, its cookies, every answer timed and checked."""

    def __init__(self, port: int, stats: Stats) -> None:
        self.port = port
        self.stats = stats
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def send(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
    ) -> Answer:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            answer = self._exchange(method, path, body, sent)
        except (OSError, http.client.HTTPException) as exc:
            self.stats.add(kind, 1000 * (time.perf_counter() - started), error=f"{method} {path}: {exc!r}")
            self.conn.close()
            raise SoakError(path) from exc
        ms = 1000 * (time.perf_counter() - started)
        location = answer.headers.get("location", "")
        refused = re.search(
            r'class="message message-error">([^<]*)<|class="errorlist[^"]*"[^>]*><li>([^<]*)<', answer.text
        )
        said = f": the page says {refused.group(1) or refused.group(2)}" if refused else ""
        if answer.status not in expect:
            error = f"{method} {path} → {answer.status} {location}{said or ' ' + repr(answer.text[:200])}"
            self.stats.add(kind, ms, error=error, status=answer.status)
            raise SoakError(path)
        if "/accounts/login/" in location:
            self.stats.add(kind, ms, error=f"{method} {path} → the login page (session lost)")
            raise SoakError(path)
        if refused:
            self.stats.add(kind, ms, error=f"{method} {path}{said}")
            raise SoakError(path)
        self.stats.add(kind, ms)
        return answer

    def _exchange(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Answer:
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # gunicorn closes a keep-alive connection idle for 2 s; a client reconnects once, as browsers do.
                self.conn.close()
                if attempt == 2:
                    raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            pair, _, attributes = cookie.partition(";")
            name, _, value = pair.strip().partition("=")
            if "max-age=0" in attributes.lower() or value in ("", '""'):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, text)

    def page(self, kind: str, path: str) -> Answer:
        return self.send(kind, "GET", path)

    def post_form(
        self, kind: str, path: str, fields: dict[str, str], *, photo: bytes | None = None, follow: bool = True
    ) -> Answer:
        """A form POST as the browser sends it, then the GET of where it redirects (part of the same action)."""
        if photo is None:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        else:
            body, content_type = _multipart(fields, photo)
        answer = self.send(kind, "POST", path, body=body, headers={"Content-Type": content_type}, expect=(302,))
        return self.page(kind, answer.headers["location"]) if follow else answer

    def login(self, username: str) -> None:
        page = self.page("login", "/accounts/login/")
        answer = self.post_form(
            "login",
            "/accounts/login/",
            {"csrfmiddlewaretoken": csrf(page), "username": username, "password": _demo_password()},
            follow=False,
        )
        from django.conf import settings

        if settings.SESSION_COOKIE_NAME not in self.cookies:
            self.stats.add("login", 0, error=f"{username} could not log in ({answer.status})")
            raise SoakError(username)


def _multipart(fields: dict[str, str], photo: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="soak.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + photo
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def csrf(answer: Answer) -> str:
    found = CSRF.search(answer.text)
    if found is None:
        raise SoakError("no CSRF token on the page")
    return found.group(1)


class Flow:
    """The case pipeline between the people who move a case: each stage hands the case id to the next."""

    def __init__(self, world: World) -> None:
        self.reported: queue.Queue[tuple[int, str, str]] = queue.Queue()  # (case, handler, resident)
        self.handle: dict[str, queue.Queue[tuple[int, str]]] = {
            h: queue.Queue() for h in set(world.categories.values())
        }
        self.handled: queue.Queue[tuple[int, str]] = queue.Queue()
        self.rate: dict[str, queue.Queue[int]] = {r: queue.Queue() for r in world.residents}
        self.case_ids: list[int] = []
        self.lock = threading.Lock()
        self.open: dict[str, int] = dict.fromkeys(world.residents, 0)
        self.logged_in = 0

    def reported_by(self, resident: str, case_id: int, handler: str) -> None:
        with self.lock:
            self.open[resident] += 1
            self.case_ids.append(case_id)
        self.reported.put((case_id, handler, resident))

    def done(self, resident: str) -> None:
        with self.lock:
            self.open[resident] -= 1

    def open_cases(self, resident: str) -> int:
        with self.lock:
            return self.open[resident]


def pause(rng: random.Random, think: float) -> None:
    time.sleep(rng.uniform(0.5 * think, 1.5 * think))


def resident(client: Client, name: str, world: World, flow: Flow, rng: random.Random) -> None:
    """Rate the resident's own cases once they are closed; report a case through the form while fewer than
    OPEN_PER_RESIDENT of theirs are in the pipeline, else look at their cases and the compound's."""
    try:
        case_id = flow.rate[name].get_nowait()
    except queue.Empty:
        pass
    else:
        detail = client.page("resident: rate a closed case", f"/cases/{case_id}/")
        fields = {
            "csrfmiddlewaretoken": csrf(detail),
            "action": "rate",
            "rating": str(rng.randint(3, 5)),
            "note": "满意",
        }
        client.post_form("resident: rate a closed case", f"/cases/{case_id}/act/", fields)
        flow.done(name)
        client.stats.count("cases rated")
        return
    if flow.open_cases(name) >= OPEN_PER_RESIDENT:
        client.page("resident: my cases, nearby", rng.choice(["/cases/", "/cases/nearby/"]))
        return
    kind = "resident: report a case"
    form = client.page(kind, "/cases/new/")
    category = rng.choice(sorted(world.categories))
    fields = {
        "csrfmiddlewaretoken": csrf(form),
        "category": str(category),
        "description": f"楼道灯不亮，晚上看不清台阶（压力测试 {uuid.uuid4().hex[:8]}）",
        "where": world.places[name],
    }
    answer = client.post_form(kind, "/cases/new/", fields, follow=False)
    found = re.search(r"/cases/(\d+)/", answer.headers["location"])
    if found is None:
        client.stats.add(kind, 0, error=f"report → {answer.headers['location']}")
        return
    client.page(kind, answer.headers["location"])
    flow.reported_by(name, int(found.group(1)), world.categories[category])
    client.stats.count("cases reported")


def act(client: Client, kind: str, case_id: int, action: str, note: str = "", photo: bytes | None = None) -> None:
    detail = client.page(kind, f"/cases/{case_id}/")
    if f'data-action="{action}"' not in detail.text:
        client.stats.add(kind, 0, error=f"case {case_id}: no {action} button on its page")
        raise SoakError(str(case_id))
    fields = {"csrfmiddlewaretoken": csrf(detail), "action": action, "note": note}
    client.post_form(kind, f"/cases/{case_id}/act/", fields, photo=photo)


def desk(client: Client, world: World, flow: Flow, rng: random.Random) -> None:
    """The grid head: verify and close what was handled, else accept and dispatch what was reported, else
    look at the desk's list."""
    try:
        case_id, reporter = flow.handled.get_nowait()
    except queue.Empty:
        pass
    else:
        act(client, "grid head: verify, close", case_id, "verify_pass", "已现场核查，问题已解决。")
        act(client, "grid head: verify, close", case_id, "close", "已修复，感谢您的反映。")
        flow.rate[reporter].put(case_id)
        client.stats.count("cases closed")
        return
    try:
        case_id, handler, reporter = flow.reported.get_nowait()
    except queue.Empty:
        client.page("grid head: accept, dispatch", f"/cases/desk/?tab={rng.choice(['new', 'verify', 'running'])}")
        return
    act(client, "grid head: accept, dispatch", case_id, "accept")
    act(client, "grid head: accept, dispatch", case_id, "dispatch")
    flow.handle[handler].put((case_id, reporter))


def handler(client: Client, name: str, flow: Flow, photo: bytes, rng: random.Random) -> None:
    try:
        case_id, reporter = flow.handle[name].get(timeout=1.0)
    except queue.Empty:
        client.page("handler: handle with a photo", "/cases/queue/")
        return
    act(client, "handler: handle with a photo", case_id, "handle", "已派人维修，更换灯泡。", photo=photo)
    flow.handled.put((case_id, reporter))


def visitor(client: Client, grid_id: int, world: World, rng: random.Random) -> None:
    """A grid worker's round: the household list of the grid, one household's form, the visit recorded."""
    kind = "grid worker: record a visit"
    base = f"/campaigns/{world.campaign_id}/visits/"
    listing = client.page(kind, f"{base}?grid={grid_id}&page={rng.randint(1, 3)}")
    rows = sorted(set(re.findall(rf"{base}(\d+)/", listing.text)))
    if not rows:
        listing = client.page(kind, f"{base}?grid={grid_id}")
        rows = sorted(set(re.findall(rf"{base}(\d+)/", listing.text)))
    if not rows:
        client.stats.add(kind, 0, error=f"no households on {base}?grid={grid_id}")
        return
    path = f"{base}{rng.choice(rows)}/"
    form = client.page(kind, path)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.text)
    fields = {
        "csrfmiddlewaretoken": csrf(form),
        "idempotency_key": key.group(1) if key else uuid.uuid4().hex,
        "outcome": "absent",
        "note": "敲门无人应答，改日回访。",
    }
    client.post_form(kind, path, fields)
    client.stats.count("visits recorded")


# What staff open and what an API client reads; {…} is filled in per request, a path whose value is missing
# (no campaign, no case reported yet) is left out.
STAFF_PAGES = (
    "/registry/people/?q={q}",
    "/registry/people/",
    "/cases/desk/?tab={tab}",
    "/cases/parked/",
    "/campaigns/",
    "/campaigns/{campaign}/",
)
API_PATHS = (
    "/api/v1/registry/people?q={q}",
    "/api/v1/cases/cases",
    "/api/v1/cases/cases?status={status}",
    "/api/v1/territory/grids",
    "/api/v1/cases/cases/{case}",
)


def pick_path(rng: random.Random, templates: tuple[str, ...], world: World, flow: Flow) -> str:
    values = {
        "q": urllib.parse.quote(rng.choice(world.search_prefixes)),
        "tab": rng.choice(["new", "verify", "running", "approvals"]),
        "status": rng.choice(["reported", "dispatched", "closed"]),
        "campaign": world.campaign_id or "",
        "case": rng.choice(flow.case_ids[-50:]) if flow.case_ids else "",
    }
    usable = [t for t in templates if all(values[k] for k in re.findall(r"{(\w+)}", t))]
    return rng.choice(usable).format(**values)


def staff(client: Client, world: World, flow: Flow, rng: random.Random) -> None:
    client.page("staff: lists and searches", pick_path(rng, STAFF_PAGES, world, flow))


def api(client: Client, world: World, flow: Flow, rng: random.Random) -> None:
    headers = {"Authorization": world.api_token, "Accept": "application/json"}
    client.send("API: bearer token", "GET", pick_path(rng, API_PATHS, world, flow), headers=headers)


class Open311Poller:
    def __init__(self) -> None:
        self.etag = ""

    def __call__(self, client: Client, world: World, rng: random.Random) -> None:
        if rng.random() < 0.2 and world.open311_codes and world.open311_building:
            fields = {
                "api_key": world.open311_key,
                "service_code": rng.choice(world.open311_codes),
                "address_id": str(world.open311_building),
                "description": "外部渠道转来的诉求（压力测试）",
            }
            body = urllib.parse.urlencode(fields).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            client.send(
                "Open311: POST a request",
                "POST",
                "/open311/v2/requests.json",
                body=body,
                headers=headers,
                expect=(201,),
            )
            client.stats.count("Open311 requests posted")
            return
        headers = {"If-None-Match": self.etag} if self.etag else {}
        answer = client.send(
            "Open311: GET with If-None-Match", "GET", "/open311/v2/requests.json", headers=headers, expect=(200, 304)
        )
        if answer.status == 304:
            client.stats.count("Open311 answered 304")
        self.etag = answer.headers.get("etag", self.etag)


# --- server memory -----------------------------------------------------------------------------------------


def server_rss_mib(master: int) -> float:
    """RSS of the gunicorn master and its workers (its children), from /proc."""
    pids = [master]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == master:
            pids.append(int(entry.name))
    total_kib = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        total_kib += int(found.group(1)) if found else 0
    return total_kib / 1024


# --- the run -----------------------------------------------------------------------------------------------


def run_clients(port: int, world: World, seconds: float, think: float, master: int) -> tuple[Stats, dict[str, Any]]:
    stats = Stats()
    flow = Flow(world)
    photo = _jpeg()
    stop = threading.Event()
    jobs: list[tuple[str, Callable[[Client, random.Random], None]]] = []
    for name in world.residents:
        jobs.append((name, lambda c, r, n=name: resident(c, n, world, flow, r)))
    jobs.append((world.desk, lambda c, r: desk(c, world, flow, r)))
    for name in flow.handle:
        jobs.append((name, lambda c, r, n=name: handler(c, n, flow, photo, r)))
    if world.campaign_id:
        for name, grid_id in world.visitors.items():
            jobs.append((name, lambda c, r, g=grid_id: visitor(c, g, world, r)))
    jobs.append(("jiedao", lambda c, r: staff(c, world, flow, r)))
    jobs.append(("shequ", lambda c, r: staff(c, world, flow, r)))
    jobs.append(("", lambda c, r: api(c, world, flow, r)))
    jobs.append(("", _open311_job(world)))

    def loop(username: str, job: Callable[[Client, random.Random], None], seed: int) -> None:
        rng = random.Random(seed)
        client = Client(port, stats)
        logged_in = not username
        if logged_in:
            with flow.lock:
                flow.logged_in += 1
        while not stop.is_set():
            try:
                if logged_in:
                    job(client, rng)
                else:
                    client.login(username)
                    logged_in = True
                    with flow.lock:
                        flow.logged_in += 1
            except SoakError:
                pass  # counted and shown already; the client carries on
            except Exception as exc:  # a bug of the soak's own: counted, so that it cannot hide a client
                stats.add("soak client", 0, error=f"{username or 'anonymous'}: {exc!r}")
            pause(rng, think)

    threads = [
        threading.Thread(target=loop, args=(user, job, index), daemon=True, name=f"soak-{index}")
        for index, (user, job) in enumerate(jobs)
    ]
    memory: dict[str, Any] = {"boot_mib": round(server_rss_mib(master), 1), "samples": []}
    started = time.monotonic()
    for thread in threads:
        thread.start()
    warmup = min(60.0, seconds / 10)  # every page has been rendered by then, and the caches are warm
    next_sample = started
    while (elapsed := time.monotonic() - started) < seconds:
        if time.monotonic() >= next_sample:
            rss = round(server_rss_mib(master), 1)
            memory["samples"].append([round(elapsed), rss])
            next_sample += 30
        # After the logins: each hashes its password with Argon2 (100 MiB apiece, given back afterwards).
        if "start_mib" not in memory and elapsed >= warmup and flow.logged_in == len(threads):
            memory["start_mib"] = round(server_rss_mib(master), 1)
            memory["start_at_s"] = round(elapsed)
        time.sleep(min(1.0, max(0.0, seconds - elapsed)))
    memory.setdefault("start_mib", memory["boot_mib"])
    memory["end_mib"] = round(server_rss_mib(master), 1)
    stop.set()
    for thread in threads:
        thread.join(timeout=70)
    memory["growth"] = (memory["end_mib"] - memory["start_mib"]) / memory["start_mib"] if memory["start_mib"] else 0
    memory["growth_from_boot"] = (memory["end_mib"] - memory["boot_mib"]) / memory["boot_mib"]
    log(f"{len(threads)} clients; pipeline left: {flow.reported.qsize()} reported, {flow.handled.qsize()} handled")
    return stats, memory


def _open311_job(world: World) -> Callable[[Client, random.Random], None]:
    poller = Open311Poller()
    return lambda c, r: poller(c, world, r)


def table(stats: Stats) -> list[dict[str, Any]]:
    rows = []
    for name in sorted(stats.kinds):
        row = stats.kinds[name]
        rows.append(
            {
                "kind": name,
                "requests": len(row.latencies),
                "errors": row.errors,
                "server_errors": row.server_errors,
                "p50_ms": round(percentile(row.latencies, 0.50), 1),
                "p99_ms": round(percentile(row.latencies, 0.99), 1),
            }
        )
    return rows


def markdown(run: dict[str, Any]) -> str:
    memory = run["memory"]
    lines = [
        "| kind | requests | errors | 5xx | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
        *(
            f"| {r['kind']} | {r['requests']:,} | {r['errors']} | {r['server_errors']} | {r['p50_ms']:.1f} | "
            f"{r['p99_ms']:.1f} |"
            for r in run["kinds"]
        ),
        f"| **all** | **{run['requests']:,}** | **{run['errors']}** | **{run['server_errors']}** | | |",
        "",
        f"Server memory (gunicorn master + {run['workers']} workers, RSS): {memory['boot_mib']:.0f} MiB at boot, "
        f"{memory['start_mib']:.0f} MiB after the {memory.get('start_at_s', 0)} s warm-up, {memory['end_mib']:.0f} MiB "
        f"at the end: growth {100 * memory['growth']:+.1f}% (from boot {100 * memory['growth_from_boot']:+.1f}%).",
        "",
        "Work done: " + ", ".join(f"{v:,} {k}" for k, v in sorted(run["counters"].items())) + ".",
        "",
        f"Goal: 0 errors, no 5xx, memory growth < {100 * GOAL_MEMORY_GROWTH:.0f}%: "
        f"**{'met' if run['passed'] else 'missed'}**.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    args = parse_args()
    started = dt.datetime.now(dt.UTC)
    seed = prepare_database(args.tier, "postgres", reseed=False)
    env = database_env(args.tier, "postgres")
    source = env["GONGZHI_DB_NAME"]
    target = f"{source}_soak"
    log(f"copying {source} to {target} …")
    copy_seconds = copy_database(source, target)
    log(f"copied in {copy_seconds:.0f} s")
    env.update(
        {
            "GONGZHI_DB_NAME": target,
            "GONGZHI_RATE_LOGIN": RATE_UNLIMITED,
            "GONGZHI_RATE_REPORT": RATE_UNLIMITED,
            "GONGZHI_RATE_OPEN311": RATE_UNLIMITED,
        }
    )
    os.environ.update(env)  # the server inherits the soak's environment (bench/http.py server_env)
    setup_django()
    world = prepare_world()
    log(
        f"residents {', '.join(world.residents)}; handlers {sorted(set(world.categories.values()))}; "
        f"campaign {world.campaign_id}; {len(world.categories)} categories"
    )
    port = http_bench.free_port()
    server = http_bench.start_gunicorn(port, redis_url=SOAK_REDIS)
    try:
        stats, memory = run_clients(port, world, args.minutes * 60, args.think, server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    kinds = table(stats)
    login = next((k for k in kinds if k["kind"] == "login"), None)
    kinds = [k for k in kinds if k["kind"] != "login"] + ([login] if login else [])
    errors = sum(k["errors"] for k in kinds)
    server_errors = sum(k["server_errors"] for k in kinds)
    run = {
        "started_at": started.isoformat(timespec="seconds"),
        "tier": args.tier,
        "db": "postgres",
        "database": target,
        "minutes": args.minutes,
        "think_s": args.think,
        "workers": 2,
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_at_end": os.getloadavg(),
        },
        "seed": {k: seed.get(k) for k in ("fingerprint", "seeded_at", "reused")},
        "copy_seconds": round(copy_seconds, 1),
        "kinds": kinds,
        "requests": sum(k["requests"] for k in kinds),
        "errors": errors,
        "server_errors": server_errors,
        "memory": memory,
        "counters": stats.counters,
    }
    run["passed"] = errors == 0 and server_errors == 0 and memory["growth"] < GOAL_MEMORY_GROWTH
    RESULTS.mkdir(parents=True, exist_ok=True)
    out_path = Path(args.out) if args.out else RESULTS / f"{started:%Y%m%dT%H%M%SZ}-soak-{args.tier}.json"
    out_path.write_text(json.dumps(run, ensure_ascii=False, indent=2))
    out_path.with_suffix(".md").write_text(markdown(run))
    print()
    print(f"{'kind':<36} {'requests':>9} {'errors':>7} {'5xx':>5} {'p50 ms':>8} {'p99 ms':>8}")
    print("-" * 78)
    for k in kinds:
        print(
            f"{k['kind']:<36} {k['requests']:>9,} {k['errors']:>7} {k['server_errors']:>5} "
            f"{k['p50_ms']:>8.1f} {k['p99_ms']:>8.1f}"
        )
    print("-" * 78)
    print(f"{'all':<36} {run['requests']:>9,} {errors:>7} {server_errors:>5}")
    print(
        f"\nserver RSS: boot {memory['boot_mib']:.0f} MiB, after warm-up {memory['start_mib']:.0f} MiB, "
        f"end {memory['end_mib']:.0f} MiB: growth {100 * memory['growth']:+.1f}%"
    )
    print("work done: " + ", ".join(f"{v:,} {k}" for k, v in sorted(stats.counters.items())))
    print(f"load average {os.getloadavg()[0]:.1f}; written to {out_path}")
    if not run["passed"]:
        raise SystemExit("soak goal missed: 0 errors, no 5xx, memory growth < 10%")


if __name__ == "__main__":
    main()
