"""Benchmarks of cases, run against the database the environment already points at (seeded by
seed_demo at the tier): `python -m bench.cases --json`. Never creates a database.

Figures (median of several runs, milliseconds), each with the same work done by hand-written SQL in
the same run as its limit:
- overdue scan + escalation: 1,000 cases are made overdue inside a transaction, cases_escalate()
  finds and escalates them among all the cases, then the transaction is rolled back;
- handler queue page: /cases/queue/ rendered by the Django test client, logged in as wuye;
- month's measures: /cases/measures/ for last month by grid, as jiedao (the whole subdistrict);
- Open311 GET requests: /open311/v2/requests.json with its defaults (90 days, 1,000 rows).
Progress goes to stderr; stdout gets one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench import common
from bench.common import log, setup_django

OVERDUE = 1000


def median_ms(work: Callable[[], Any], *, runs: int = 7, warmup: int = 1) -> float:
    return round(common.median_ms(work, runs=runs, warmup=warmup), 1)


def figure(name: str, value: float, limit: float | None, goal_ms: float, note: str = "") -> dict[str, Any]:
    return {
        "figure": name,
        "value": value,
        "unit": "ms",
        "limit": limit,
        "goal": f"< {goal_ms:g} ms",
        "pass": value < goal_ms,
        "note": note,
    }


class Rollback(Exception):
    pass


def in_rolled_back_transaction(setup: Callable[[], Any], work: Callable[[], Any]) -> float:
    """Milliseconds of work() after setup(), both inside one transaction that is then rolled back."""
    from django.db import transaction

    elapsed = 0.0
    try:
        with transaction.atomic():
            setup()
            started = time.perf_counter()
            work()
            elapsed = 1000 * (time.perf_counter() - started)
            raise Rollback
    except Rollback:
        pass
    return elapsed


def bench_escalation(runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from gongzhi.cases.escalation import cases_escalate
    from gongzhi.cases.models import Case

    total = Case.objects.count()
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    pool = list(Case.objects.filter(status="closed").order_by("id").values_list("id", flat=True)[: OVERDUE * runs])
    if len(pool) < OVERDUE:
        pool = list(Case.objects.order_by("id").values_list("id", flat=True)[: OVERDUE * runs])
    batches = [pool[i : i + OVERDUE] for i in range(0, len(pool), OVERDUE)] or [[]]

    def make_overdue(ids: list[int]) -> Callable[[], None]:
        def setup() -> None:
            Case.objects.filter(pk__in=ids).update(
                status="dispatched", deadline_at=now - dt.timedelta(hours=1), escalation_level=0
            )

        return setup

    escalated: list[int] = []
    orm = []
    for i in range(runs):
        ids = batches[i % len(batches)]
        orm.append(in_rolled_back_transaction(make_overdue(ids), lambda: escalated.append(cases_escalate(now=now))))
    insert_sql = (
        "INSERT INTO cases_caseescalation (case_id, deadline_at, level, role, at, notified)"
        " SELECT id, deadline_at, 1, 'grid_head', %s, 0 FROM cases_case"
        " WHERE status = 'dispatched' AND escalation_level < 1 AND deadline_at <= %s"
        " ON CONFLICT (case_id, deadline_at, level) DO NOTHING RETURNING case_id"
    )
    update_sql = (
        "UPDATE cases_case SET escalation_level = 1"
        " WHERE status = 'dispatched' AND escalation_level < 1 AND deadline_at <= %s"
    )

    def hand() -> None:
        with connection.cursor() as cursor:
            cursor.execute(insert_sql, [adapt(now), adapt(now)])
            cursor.fetchall()
            cursor.execute(update_sql, [adapt(now)])

    sql = [in_rolled_back_transaction(make_overdue(batches[i % len(batches)]), hand) for i in range(runs)]
    value = round(statistics.median(orm), 1)
    note = f"{escalated[0] if escalated else 0} escalations of {len(batches[0])} cases made overdue among {total:,}"
    return figure("overdue scan + escalation", value, round(statistics.median(sql), 1), 2000, note)


def client_for(username: str) -> Any:
    from django.test import Client

    from gongzhi.accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    return client


def get_ok(client: Any, url: str) -> Callable[[], Any]:
    def work() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response.content

    return work


def bench_queue(runs: int) -> dict[str, Any]:
    from django.db import connection

    from gongzhi.accounts.choices import Role
    from gongzhi.accounts.models import Duty

    node_ids = list(
        Duty.objects.filter(user__username="wuye", role=Role.PROPERTY_STAFF).values_list("node_id", flat=True)
    )
    value = median_ms(get_ok(client_for("wuye"), "/cases/queue/"), runs=runs)

    marks = ", ".join(["%s"] * len(node_ids)) or "NULL"

    def hand() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM cases_case WHERE handler_kind IN ('property','third_party')"
                f" AND handler_node_id IN ({marks}) AND status = 'dispatched'",
                node_ids,
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT c.id, c.description, c.deadline_at, k.name FROM cases_case c"
                " JOIN cases_casecategory k ON k.id = c.category_id"
                " WHERE c.handler_kind IN ('property','third_party')"
                f" AND c.handler_node_id IN ({marks})"
                " AND c.status = 'dispatched' ORDER BY c.deadline_at, c.id LIMIT 50",
                node_ids,
            )
            cursor.fetchall()

    return figure("handler queue page (wuye)", value, median_ms(hand, runs=runs), 200)


def bench_measures(runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from gongzhi.cases.measures import month_bounds

    first = timezone.localdate().replace(day=1)
    month = (first - dt.timedelta(days=1)).replace(day=1)
    url = f"/cases/measures/?month={month:%Y-%m}&by=grid"
    value = median_ms(get_ok(client_for("jiedao"), url), runs=runs)
    start, end = month_bounds(month)
    adapt = connection.ops.adapt_datetimefield_value

    def hand() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT grid_id, count(*), count(*) FILTER (WHERE status IN ('closed','rated')),"
                " count(*) FILTER (WHERE status IN ('closed','rated') AND is_on_time),"
                " count(*) FILTER (WHERE rework_count > 0), count(handling_minutes), sum(handling_minutes),"
                " count(rating), sum(rating), count(*) FILTER (WHERE rating >= 4)"
                " FROM cases_case WHERE deadline_at >= %s AND deadline_at < %s"
                " AND status NOT IN ('rejected','merged') GROUP BY grid_id",
                [adapt(start), adapt(end)],
            )
            cursor.fetchall()

    return figure("month's measures page (jiedao, by grid)", value, median_ms(hand, runs=runs), 200)


def bench_open311(runs: int) -> dict[str, Any]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    client = Client(HTTP_HOST="127.0.0.1")
    get = get_ok(client, "/open311/v2/requests.json")
    rows = len(json.loads(get()))

    def cold() -> None:
        cache.clear()  # the list's body is kept under its ETag: measure building it
        get()

    value = median_ms(cold, runs=runs)
    kept = median_ms(get, runs=runs)
    adapt = connection.ops.adapt_datetimefield_value
    since = adapt(timezone.now() - dt.timedelta(days=90))

    def hand() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.id, c.status, k.code, k.name, c.description, c.handler_label, c.created_at,"
                " c.updated_at, c.deadline_at FROM cases_case c JOIN cases_casecategory k ON k.id = c.category_id"
                " WHERE NOT c.is_private AND k.is_public AND c.status NOT IN ('rejected','merged')"
                " AND c.created_at >= %s ORDER BY c.created_at DESC, c.id DESC LIMIT 1000",
                [since],
            )
            json.dumps([[str(v) for v in row] for row in cursor.fetchall()])

    return figure(
        "Open311 GET requests.json",
        value,
        median_ms(hand, runs=runs),
        300,
        f"{rows} rows, built (cache emptied); {kept:.1f} ms when its body is kept under an unchanged ETag",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    setup_django()
    figures = []
    for name, bench in (
        ("escalation", bench_escalation),
        ("queue", bench_queue),
        ("measures", bench_measures),
        ("open311", bench_open311),
    ):
        log(f"cases: {name} …")
        figures.append(bench(args.runs))
    if args.json:
        print(json.dumps({"figures": figures}, ensure_ascii=False), flush=True)
    else:
        for f in figures:
            print(f"{f['figure']:<45} {f['value']:>9} ms  (SQL {f['limit']} ms, goal {f['goal']}) {f['note']}")


if __name__ == "__main__":
    main()
