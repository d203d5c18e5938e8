"""Benchmark of the points ledger (issue 8): recomputing every balance, and redemption throughput.

    GONGZHI_DB=postgres GONGZHI_DB_NAME=gz_volunteering python -m bench.volunteering
    python -m bench.volunteering --db sqlite --volunteers 10000 --entries 500000     # a smaller SQLite run

It builds a throw-away database next to the configured one (<name>_bench; for SQLite var/bench-volunteering.sqlite3),
migrates it, bulk-generates volunteers and points entries with INSERT … SELECT, then measures:

1. the time of ledger_check(): every volunteer's balance recomputed from the ledger (one GROUP BY over all
   entries) and compared with the cached column — the same function the nightly job and `points_check` run;
   three balances are knocked off on purpose and must be the only drifts found;
2. redemptions per second with N concurrent clients (threads, each with its own connection and its own
   transactions, calling the same service the pages and the API call), spread over ten items and all on one
   hot item; afterwards the ledger must still add up.

Writes bench/results/volunteering-<db>.json and prints a table. With --json (as `make bench` runs it) the
sizes follow the tier (GONGZHI_BENCH_TIER), the limit of the recompute — the same GROUP BY by hand — is
measured too, and the figures are printed in the harness's format (bench/common.py). SQLite has one writer
at a time, so the concurrent redemption figure is PostgreSQL only.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default=os.environ.get("GONGZHI_DB", "postgres"))
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=5_000_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each throughput run")
    parser.add_argument("--repeat", type=int, default=3, help="recompute runs (the median is reported)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--json", action="store_true", help="figures for `make bench`, sized by the tier")
    args = parser.parse_args()
    if args.json:
        tier = os.environ.get("GONGZHI_BENCH_TIER", "S")
        args.volunteers, args.entries, args.seconds = TIER_SIZES[
            "smoke" if os.environ.get("GONGZHI_BENCH_SMOKE") else tier
        ]
        args.repeat = 3
    return args


# `make bench` sizes: volunteers, ledger entries, seconds of each throughput run.
TIER_SIZES = {
    "smoke": (300, 3_000, 1.0),
    "T": (2_000, 50_000, 3.0),
    "S": (20_000, 1_000_000, 10.0),
    "M": (100_000, 5_000_000, 15.0),
}


def setup_django(args: argparse.Namespace) -> None:
    os.environ["GONGZHI_DB"] = args.db
    os.environ.setdefault("GONGZHI_DEBUG", "0")  # DEBUG would keep every query in memory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django
    from django.db import connections

    django.setup()
    database = connections["default"].settings_dict
    if args.db == "sqlite":
        database["TEST"]["NAME"] = str(ROOT / "var" / "bench-volunteering.sqlite3")
    else:
        database["TEST"]["NAME"] = f"{database['NAME']}_bench"
    # Each client thread holds a connection; do not keep them after the run.
    database["CONN_MAX_AGE"] = 0


def series_sql(vendor: str, count: int) -> str:
    """A numbers table 1..count as a subquery named g(n)."""
    if vendor == "postgresql":
        return f"(SELECT n FROM generate_series(1, {int(count)}) AS s(n)) AS g"
    return (
        f"(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {int(count)}) SELECT n FROM s) AS g"
    )


def generate(volunteers: int, entries: int) -> dict[str, float]:
    """Volunteers with 50-odd entries each: even entries earn 10, odd ones spend 5, balance_after running."""
    from django.db import connection, transaction

    from gongzhi.territory.choices import NodeKind
    from gongzhi.territory.services import node_add
    from gongzhi.testing.world import SYSTEM

    vendor = connection.vendor
    now = "now()" if vendor == "postgresql" else "CURRENT_TIMESTAMP"
    empty_json = "'[]'::jsonb" if vendor == "postgresql" else "'[]'"
    text = "::text" if vendor == "postgresql" else ""
    timings: dict[str, float] = {}
    root = node_add(actor=SYSTEM, parent=None, kind=NodeKind.SUBDISTRICT, name="基准街道")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_person (name, name_pinyin, name_initials, id_type, id_number, id_masked, phone,"
            " phone_bidx, phone_masked, sex, status, org_path, created_at, updated_at)"
            f" SELECT 'bench' || n, 'bench' || n, 'b', '', '', '', '', '', '', '', 'resident', %s, {now}, {now}"
            f" FROM {series_sql(vendor, volunteers)}",
            [root.path],
        )
        cursor.execute(
            "INSERT INTO volunteering_volunteer (person_id, number, status, skills, availability, intro,"
            " consent_version, consented_at, certified_minutes, points_balance, created_at, updated_at)"
            f" SELECT id, 'ZB' || id{text}, 'active', {empty_json}, {empty_json}, '', 'bench', {now}, 0, 0,"
            f" {now}, {now}"
            " FROM registry_person WHERE name_initials = 'b'"
        )
        cursor.execute("SELECT min(id), count(*) FROM volunteering_volunteer")
        first_id, count = cursor.fetchone()
        # Volunteer ids are consecutive (one INSERT … SELECT); entry n belongs to volunteer (n-1) % count and is
        # that volunteer's j-th entry, j = (n-1) / count.
        j = f"((n - 1) / {int(count)})"
        cursor.execute(
            "INSERT INTO volunteering_pointsentry (volunteer_id, kind, amount, balance_after, occurred_on, at,"
            " actor_id, actor_name, source_type, source_id, reason, key)"
            f" SELECT {int(first_id)} + (n - 1) % {int(count)},"
            f" CASE WHEN {j} % 2 = 0 THEN 'earned' ELSE 'redeemed' END,"
            f" CASE WHEN {j} % 2 = 0 THEN 10 ELSE -5 END,"
            f" 10 * ({j} / 2 + 1) - 5 * (({j} + 1) / 2),"
            f" CURRENT_DATE, {now}, NULL, 'bench', 'bench', n, '', 'bench:' || n{text}"
            f" FROM {series_sql(vendor, entries)}"
        )
        cursor.execute(
            "UPDATE volunteering_volunteer SET points_balance = s.total FROM"
            " (SELECT volunteer_id, SUM(amount) AS total FROM volunteering_pointsentry GROUP BY volunteer_id) AS s"
            " WHERE s.volunteer_id = volunteering_volunteer.id"
        )
    timings["generate_seconds"] = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return timings


def plant_drift(count: int = 3) -> list[int]:
    from django.db.models import F

    from gongzhi.volunteering.models import Volunteer

    ids = list(Volunteer.objects.order_by("id").values_list("id", flat=True)[:count])
    Volunteer.objects.filter(id__in=ids).update(points_balance=F("points_balance") + 1)
    return ids


def measure_recompute(repeat: int, planted: list[int]) -> dict[str, object]:
    from gongzhi.volunteering.ledger import ledger_check

    seconds = []
    report = None
    for _ in range(repeat):
        started = time.perf_counter()
        report = ledger_check()
        seconds.append(time.perf_counter() - started)
    assert report is not None
    found = sorted(d.object_id for d in report.drifts if d.what == "points")
    assert found == sorted(planted), f"expected exactly the planted drifts {planted}, found {found}"
    return {
        "volunteers": report.volunteers,
        "recompute_seconds_median": round(statistics.median(seconds), 3),
        "recompute_seconds_all": [round(s, 3) for s in seconds],
        "drifts_found": len(report.drifts),
    }


def measure_throughput(clients: int, seconds: float, hot: bool) -> dict[str, object]:
    """``clients`` threads redeem as fast as they can for ``seconds``; each thread is one volunteer."""
    from django.db import connections

    from gongzhi.core.exceptions import DomainError
    from gongzhi.territory.models import Node
    from gongzhi.testing.world import SYSTEM
    from gongzhi.volunteering import ledger
    from gongzhi.volunteering.models import ShopItem, Volunteer

    root = Node.objects.get(depth=1, name="基准街道")
    items = [
        ledger.shop_item_create(
            actor=SYSTEM,
            node=root,
            data=ledger.ItemData(name=f"{'热门' if hot else '商品'}{i}", points_price=1),
            stock=10_000_000,
        )
        for i in range(1 if hot else 10)
    ]
    # Volunteers from the far end of the table, fresh for each run, each with at least 125 points.
    offset = clients * (2 if hot else 1)
    volunteers = list(Volunteer.objects.select_related("person").order_by("-id")[offset : offset + clients])
    latencies: list[list[float]] = [[] for _ in range(clients)]
    refusals = [0] * clients
    barrier = threading.Barrier(clients + 1)
    stop = threading.Event()

    def client(index: int) -> None:
        volunteer = volunteers[index]
        n = 0
        try:
            barrier.wait()
            while not stop.is_set():
                item = items[(index + n) % len(items)]
                started = time.perf_counter()
                try:
                    ledger.points_redeem(
                        actor=SYSTEM, volunteer=volunteer, item=item, client_key=f"bench-{hot}-{volunteer.pk}-{n}"
                    )
                    latencies[index].append(time.perf_counter() - started)
                except DomainError:
                    refusals[index] += 1
                n += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    all_latencies = sorted(x for per in latencies for x in per)
    done = len(all_latencies)
    stock_taken = sum(10_000_000 - i.stock for i in ShopItem.objects.filter(pk__in=[i.pk for i in items]))
    assert stock_taken == done, f"stock taken {stock_taken} != redemptions {done}"
    return {
        "scenario": "one hot item" if hot else "ten items",
        "clients": clients,
        "seconds": round(elapsed, 2),
        "redemptions": done,
        "refused": sum(refusals),
        "per_second": round(done / elapsed, 1),
        "latency_ms_p50": round(1000 * all_latencies[done // 2], 1) if done else None,
        "latency_ms_p95": round(1000 * all_latencies[int(done * 0.95)], 1) if done else None,
    }


def recompute_by_hand() -> float:
    """The limit: one GROUP BY over the ledger compared with the cached balances, in SQL."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM volunteering_volunteer v LEFT JOIN (SELECT volunteer_id, SUM(amount) AS total"
            " FROM volunteering_pointsentry GROUP BY volunteer_id) s ON s.volunteer_id = v.id"
            " WHERE v.points_balance <> COALESCE(s.total, 0)"
        )
        cursor.fetchone()
    return time.perf_counter() - started


def harness_figures(result: dict[str, Any], hand_seconds: float, vendor: str) -> list[Any]:
    from bench.common import Figure

    recompute = result["recompute"]
    seconds = recompute["recompute_seconds_median"]
    figures = [
        Figure(
            f"points: recompute {recompute['volunteers']:,} balances from {result['target_entries']:,} entries",
            round(1000 * seconds),
            "ms",
            round(1000 * hand_seconds),
            goal="finds exactly the planted drift",
            passed=recompute["drifts_found"] == 3,
            note="ledger_check also recomputes minutes and stock",
        )
    ]
    for run in result.get("redemption", []):
        figures.append(
            Figure(
                f"points: redemptions/s, {run['clients']} clients, {run['scenario']}",
                run["per_second"],
                "req/s",
                goal="no balance or stock below zero",
                passed=result["ledger_after"]["only_the_planted_ones"],
                note=f"p50 {run['latency_ms_p50']} ms, p95 {run['latency_ms_p95']} ms",
            )
        )
    if vendor != "postgresql":
        figures.append(
            Figure(
                "points: concurrent redemptions",
                None,
                "req/s",
                note="PostgreSQL only: SQLite takes one writer at a time",
            )
        )
    return figures


def main() -> None:
    args = parse_args()
    if args.json:
        sys.stdout = sys.stderr  # progress to stderr; the figures alone go to stdout at the end
    setup_django(args)
    from django.db import connection

    creation = connection.creation
    print(f"creating the benchmark database ({args.db}) …", flush=True)
    name = creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    result: dict[str, object] = {
        "benchmark": "volunteering points ledger",
        "database": connection.vendor,
        "database_name": os.path.basename(str(name)),
        "target_volunteers": args.volunteers,
        "target_entries": args.entries,
    }
    try:
        print(f"generating {args.volunteers:,} volunteers and {args.entries:,} entries …", flush=True)
        result.update(generate(args.volunteers, args.entries))
        planted = plant_drift()
        print("recomputing every balance from the ledger …", flush=True)
        result["recompute"] = measure_recompute(args.repeat, planted)
        hand_seconds = min(recompute_by_hand() for _ in range(args.repeat))
        runs = []
        for hot in (False, True) if connection.vendor == "postgresql" or not args.json else ():
            print(
                f"redeeming with {args.clients} concurrent clients ({'one hot item' if hot else 'ten items'}) …",
                flush=True,
            )
            runs.append(measure_throughput(args.clients, args.seconds, hot))
        result["redemption"] = runs
        from gongzhi.volunteering.ledger import ledger_check

        after = ledger_check()
        result["ledger_after"] = {
            "drifts": len(after.drifts),
            "only_the_planted_ones": len(after.drifts) == len(planted),
        }
        assert len(after.drifts) == len(planted), "the throughput runs left drift in the ledger"
    finally:
        if not args.keep:
            creation.destroy_test_db(name, verbosity=0)
    if args.json:
        from bench.common import emit

        sys.stdout = sys.__stdout__
        emit(harness_figures(result, hand_seconds, str(result["database"])))
        return
    out = ROOT / "bench" / "results" / f"volunteering-{args.db}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    recompute = result["recompute"]
    assert isinstance(recompute, dict)
    print()
    print(f"{'measure':<58}{'value':>14}")
    print(f"{'volunteers / entries':<58}{recompute['volunteers']:>7,} / {args.entries:,}")
    print(f"{'data generation (INSERT … SELECT), s':<58}{result['generate_seconds']:>14.1f}")
    print(f"{'recompute every balance from the ledger (median), s':<58}{recompute['recompute_seconds_median']:>14.2f}")
    for run in runs:
        label = f"redemptions/s, {run['clients']} clients, {run['scenario']}"
        print(f"{label:<58}{run['per_second']:>14}")
        print(f"{'  latency p50 / p95, ms':<58}{run['latency_ms_p50']!s:>6} / {run['latency_ms_p95']!s}")
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
