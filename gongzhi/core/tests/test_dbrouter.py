"""The read replica's router: which requests read the replica, read-your-writes, and, when a replica is up
(scripts/replica.sh start; GONGZHI_DB=postgres GONGZHI_DB_REPLICA_PORT=5433), the real thing."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import psycopg
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gongzhi.accounts.models import User
from gongzhi.core import dbrouter
from gongzhi.core.dbrouter import REPLICA_DB_ALIAS, ReplicaRouter, RequestRouting
from gongzhi.core.models import AccessLog, Notification

WINDOW = 5.0
T0 = 1_800_000_000.0


def _view_names(resolver: URLResolver, namespace: str = "") -> Iterator[str]:
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _view_names(p, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield namespace + p.name


def test_every_replica_route_names_a_route_that_exists() -> None:
    names = set(_view_names(get_resolver()))
    assert names >= dbrouter.REPLICA_URL_NAMES
    namespaces = {name.split(":", 1)[0] for name in names if ":" in name}
    assert namespaces >= dbrouter.REPLICA_NAMESPACES


@pytest.mark.parametrize(
    ("method", "namespace", "view_name", "eligible"),
    [
        ("GET", "dashboards", "dashboards:cockpit", True),
        ("HEAD", "dashboards", "dashboards:map-data", True),
        ("GET", "open311", "open311:requests", True),
        ("POST", "open311", "open311:requests", False),
        ("POST", "dashboards", "dashboards:report-generate", False),
        ("GET", "cases", "cases:measures", True),
        ("GET", "registry", "registry:export-people", True),
        ("GET", "cases", "cases:case-detail", False),
        ("GET", "registry", "registry:person-list", False),
        ("GET", "api", "api:cases_list", False),
    ],
)
def test_route_decides_replica_eligibility(method: str, namespace: str, view_name: str, eligible: bool) -> None:
    assert dbrouter.route_is_replica_eligible(method=method, namespace=namespace, view_name=view_name) is eligible


def test_reads_go_to_the_replica_only_for_an_eligible_request_that_has_not_written() -> None:
    def alias(state: RequestRouting | None, in_transaction: bool = False) -> str:
        return dbrouter.read_alias(state=state, in_primary_transaction=in_transaction)

    assert alias(None) == DEFAULT_DB_ALIAS  # a command, a task, a test: no request
    assert alias(RequestRouting(eligible=False)) == DEFAULT_DB_ALIAS
    assert alias(RequestRouting(eligible=True)) == REPLICA_DB_ALIAS
    assert alias(RequestRouting(eligible=True, wrote=True)) == DEFAULT_DB_ALIAS
    assert alias(RequestRouting(eligible=True), in_transaction=True) == DEFAULT_DB_ALIAS


def test_a_write_keeps_the_writers_reads_on_the_primary_for_the_window_only() -> None:
    """A write at T0, then reads at T0+1 and T0+4.9 (primary) and at T0+5 and later (replica)."""
    cache.set_many(dict.fromkeys(dbrouter.write_keys(user_id=7, address="10.0.0.7"), T0), timeout=None)

    def reads_primary(now: float, *, user_id: int | None = 7, address: str = "10.0.0.7") -> bool:
        last = cache.get(dbrouter.read_key(user_id=user_id, address=address))
        return dbrouter.within_write_window(last_write_at=last, now=now, window_seconds=WINDOW)

    assert reads_primary(T0 + 1)
    assert reads_primary(T0 + 4.9)
    assert not reads_primary(T0 + 5)
    assert not reads_primary(T0 + 60)
    # Another user is not pinned, not even one behind the same office address.
    assert not reads_primary(T0 + 1, user_id=8)
    # A client known only by its address after its write (an API token, an Open311 api_key) is pinned too.
    assert reads_primary(T0 + 1, user_id=None)
    assert not reads_primary(T0 + 1, user_id=None, address="10.0.0.8")
    assert not dbrouter.within_write_window(last_write_at=None, now=T0, window_seconds=WINDOW)


def test_router_sends_writes_to_the_primary_and_marks_the_request_as_written() -> None:
    router = ReplicaRouter()
    state = RequestRouting(eligible=True)
    token = dbrouter.current.set(state)
    try:
        assert router.db_for_write(AccessLog) == DEFAULT_DB_ALIAS
        assert not state.wrote  # the access log an export writes is not read back
        assert router.db_for_write(Notification) == DEFAULT_DB_ALIAS
        assert state.wrote
    finally:
        dbrouter.current.reset(token)
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "core")
    assert not router.allow_migrate(REPLICA_DB_ALIAS, "core")
    assert router.allow_relation(object(), object())


@pytest.mark.django_db
def test_router_reads_the_primary_inside_a_transaction_on_it() -> None:
    token = dbrouter.current.set(RequestRouting(eligible=True))
    try:
        with transaction.atomic():
            assert ReplicaRouter().db_for_read(Notification) == DEFAULT_DB_ALIAS
    finally:
        dbrouter.current.reset(token)


@pytest.mark.django_db
def test_middleware_records_a_write_for_the_user_and_the_address(world) -> None:  # type: ignore[no-untyped-def]
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, "gongzhi.core.middleware.ReplicaRoutingMiddleware"]):
        c = Client()
        c.force_login(world.user("jiedao"))
        user_id = world.user("jiedao").pk
        key = dbrouter.read_key(user_id=user_id, address="127.0.0.1")
        c.get(reverse("core:inbox"))
        assert cache.get(key) is None  # a read is not a write
        before = time.time()
        assert c.post(reverse("core:inbox-read-all")).status_code == 302
        assert before <= cache.get(key) <= time.time()
        assert cache.get(dbrouter.read_key(user_id=None, address="127.0.0.1")) is not None


# --- With a running replica ---------------------------------------------------------------------------------


def _replica_skip_reason() -> str | None:
    if REPLICA_DB_ALIAS not in settings.DATABASES:
        return "no replica configured: scripts/replica.sh start, then GONGZHI_DB=postgres GONGZHI_DB_REPLICA_PORT=5433"
    replica = settings.DATABASES[REPLICA_DB_ALIAS]
    try:
        psycopg.connect(
            host=replica["HOST"], port=replica["PORT"], user=replica["USER"], dbname="postgres", connect_timeout=2
        ).close()
    except psycopg.OperationalError as exc:
        return f"the replica at {replica['HOST']}:{replica['PORT']} is not up (scripts/replica.sh start): {exc}"
    return None


live = pytest.mark.skipif(_replica_skip_reason() is not None, reason=str(_replica_skip_reason()))
on_both = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA_DB_ALIAS])


def _caught_up(timeout: float = 5.0) -> float:
    """Wait until the replica has replayed everything the primary has written so far; the seconds it took."""
    start = time.monotonic()
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("select pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    while True:
        with connections[REPLICA_DB_ALIAS].cursor() as cursor:
            cursor.execute("select pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) >= 0", [target])
            if cursor.fetchone()[0]:
                return time.monotonic() - start
        if time.monotonic() - start > timeout:
            pytest.fail(f"the replica did not replay {target} within {timeout} s")
        time.sleep(0.05)


# What every signed-in request reads (and the session it writes back) before its route is known.
REQUEST_SETUP_TABLES = {"django_session", "accounts_user", "accounts_duty", "registry_person"}


def _tables(queries: list[dict[str, str]]) -> set[str]:
    """The tables the queries read from or write to, by their first table."""
    return {m.group(1) for q in queries if (m := re.search(r'(?:FROM|UPDATE|INTO) "(\w+)"', q["sql"]))}


@live
@on_both
def test_a_row_written_on_the_primary_appears_on_the_replica() -> None:
    user = User.objects.create(username="replicated")
    assert connections[REPLICA_DB_ALIAS].cursor().connection.info.port == int(
        settings.DATABASES[REPLICA_DB_ALIAS]["PORT"]
    )
    deadline = time.monotonic() + 5
    while not User.objects.using(REPLICA_DB_ALIAS).filter(pk=user.pk).exists():
        assert time.monotonic() < deadline, "the row did not reach the replica within 5 s"
        time.sleep(0.05)
    with connections[REPLICA_DB_ALIAS].cursor() as cursor:
        cursor.execute("select pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True  # a standby, not a second primary


@live
@on_both
def test_cockpit_reads_the_replica_and_a_write_pins_the_writer_to_the_primary(world) -> None:  # type: ignore[no-untyped-def]
    assert "gongzhi.core.middleware.ReplicaRoutingMiddleware" in settings.MIDDLEWARE
    c = Client()
    c.force_login(world.user("jiedao"))
    _caught_up()
    with (
        CaptureQueriesContext(connections[REPLICA_DB_ALIAS]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        assert c.get(reverse("dashboards:cockpit")).status_code == 200
    assert {"territory_node", "dashboards_figure"} <= _tables(on_replica.captured_queries)
    # The session, the user and the duties are read from the primary before the route is known; nothing else.
    assert _tables(on_primary.captured_queries) <= REQUEST_SETUP_TABLES

    assert c.post(reverse("core:inbox-read-all")).status_code == 302
    with (
        CaptureQueriesContext(connections[REPLICA_DB_ALIAS]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        assert c.get(reverse("dashboards:cockpit")).status_code == 200
    assert on_replica.captured_queries == []
    assert "territory_node" in _tables(on_primary.captured_queries) - REQUEST_SETUP_TABLES


@live
@on_both
def test_open311_reads_the_replica_and_other_pages_the_primary(world) -> None:  # type: ignore[no-untyped-def]
    _caught_up()
    with CaptureQueriesContext(connections[REPLICA_DB_ALIAS]) as on_replica:
        assert Client().get(reverse("open311:services", args=["json"])).status_code == 200
    assert "cases_casecategory" in _tables(on_replica.captured_queries)
    c = Client()
    c.force_login(world.user("jiedao"))
    with CaptureQueriesContext(connections[REPLICA_DB_ALIAS]) as on_replica:
        assert c.get(reverse("core:inbox")).status_code == 200
    assert on_replica.captured_queries == []
