"""Cockpit figures at the tier's scale: `python -m bench.dashboards --json` (the harness sets the database).

- cockpit page: GET /dashboards/ for jiedao (the whole subdistrict) through the Django test client, warm, the
  median of 15. Limit: hand SQL of the same headline figures over dashboards_figure (one grouped SELECT of the
  month's and last month's flows, the stock snapshot's day and one SELECT of the stocks at that day and at the
  end of last month, the subdistrict's path range as the page's scope). The headline's tiles of households,
  people, cases reported, open and overdue must equal the hand SQL's — the bench fails otherwise.
  Goal (issue 17): < 300 ms on PostgreSQL at tier M.
- nightly recompute: services.recompute() of every aggregate from the raw tables (every source, flows over
  every day a source has, today's stocks; drift compared and written), inside a transaction rolled back
  afterwards so that the seeded database stays as it was. Limit: hand SQL of a fair subset of the same grouped
  counts from the raw tables — households (在册) and people (在住) per grid and place; cases per created day
  and per deadline day with the measures (on time, reworked, rated, rating sum, satisfied); open and overdue
  cases; the open campaigns' tallies. Not in the limit: what other sources add (volunteering, party,
  publicity, consultation, stewardship) and the compare-and-write of the figures. The subset's totals must
  equal the recomputed figures' — the bench fails otherwise. Goal (issue 17): < 60 s on PostgreSQL at tier M.
Progress goes to stderr; stdout gets one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections import defaultdict
from typing import Any

from bench.common import Figure, emit, log, median_ms, percentile, setup_django, smoke, timed, vendor

PAGE_GOAL_MS = 300
RECOMPUTE_GOAL_MS = 60_000
CHECKED_TILES = ("households", "people", "cases_reported", "cases_open", "cases_overdue")


class Rollback(Exception):
    pass


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


# -- (1) the cockpit page ------------------------------------------------------------------------------------


def hand_headline(path: str, today: dt.date) -> dict[str, int]:
    """The headline's figures of the subtree at ``path`` by hand: this month's flows (1st to today) and the
    whole month's cases due, last month's for the changes, and the stocks at their last snapshot and at the
    end of last month. Returns this month's values by key (the stocks at the snapshot)."""
    from gongzhi.dashboards.figures import DEFINITIONS, STOCK
    from gongzhi.dashboards.selectors import month_first, month_last

    first, before_first = month_first(today), month_first(today, 1)
    before_end = first - dt.timedelta(days=1)
    before_until = min(before_first.replace(day=min(today.day, before_end.day)), before_end)
    end = month_last(first)
    flows = [k for k, d in DEFINITIONS.items() if d.kind != STOCK]
    stocks = [k for k, d in DEFINITIONS.items() if d.kind == STOCK]
    marks = ", ".join(["%s"] * len(flows))
    values: dict[str, int] = {}
    rows = _rows(
        "SELECT key, "
        "SUM(CASE WHEN day >= %s AND day <= %s THEN value ELSE 0 END), "
        "SUM(CASE WHEN day >= %s AND day <= %s THEN value ELSE 0 END), "
        "SUM(CASE WHEN day >= %s AND day <= %s THEN value ELSE 0 END), "
        "SUM(CASE WHEN day >= %s AND day <= %s THEN value ELSE 0 END) "
        f"FROM dashboards_figure WHERE path >= %s AND path < %s AND key IN ({marks}) AND day >= %s AND day <= %s "
        "GROUP BY key",
        [
            first,
            today,
            before_first,
            before_until,
            first,
            end,
            before_first,
            before_end,
            path,
            path + "~",
            *flows,
            before_first,
            end,
        ],
    )
    for key, now, _before, _month, _before_month in rows:
        values[key] = int(now or 0)
    marks = ", ".join(["%s"] * len(stocks))
    (snapshot,) = _rows(
        f"SELECT MAX(day) FROM dashboards_figure WHERE key IN ({marks}) AND day <= %s", [*stocks, today]
    )[0]
    if snapshot is not None:
        rows = _rows(
            f"SELECT key, day, SUM(value) FROM dashboards_figure WHERE path >= %s AND path < %s AND key IN ({marks}) "
            "AND day IN (%s, %s) GROUP BY key, day",
            [path, path + "~", *stocks, _day(snapshot), before_end],
        )
        for key, day, total in rows:
            if _day(day) == _day(snapshot):
                values[key] = int(total or 0)
    return values


def measure_page() -> list[Figure]:
    from django.core.cache import cache
    from django.test import Client
    from django.utils import timezone

    from gongzhi.accounts.actors import actor_for_user
    from gongzhi.accounts.models import User
    from gongzhi.dashboards import board, selectors

    jiedao = User.objects.get(username="jiedao")
    actor = actor_for_user(jiedao)
    focus = selectors.focus_for(actor=actor)
    assert focus.node is not None, "jiedao's cockpit has no node"
    today = timezone.localdate()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(jiedao)

    def sample(url: str, *, cold: bool) -> list[float]:
        """GET ``url`` a number of times; ``cold``: with the cockpit's cache emptied first each time, as the
        first view after every refresh of the aggregates sees it (the cache then serves until the next)."""
        taken: list[float] = []
        for i in range(16 if not smoke() else 2):
            if cold:
                cache.clear()
            started = time.perf_counter()
            response = client.get(url)
            if i:  # the first is the warm-up
                taken.append(1000 * (time.perf_counter() - started))
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        return taken

    samples = sample("/dashboards/", cold=True)
    warm = sample("/dashboards/", cold=False)
    map_samples = sample("/dashboards/map.json", cold=True)
    runs = 7 if not smoke() else 1
    hand = median_ms(lambda: hand_headline(focus.node.path, today), runs=runs)
    by_hand = hand_headline(focus.node.path, today)
    tiles = {t.key: t.value for s in board.headline_sections(actor=actor, focus=focus, today=today) for t in s.tiles}
    for key in CHECKED_TILES:
        if key in tiles and tiles[key] != f"{by_hand.get(key, 0):,}":
            raise SystemExit(f"dashboards: the tile {key} shows {tiles[key]}, hand SQL {by_hand.get(key, 0)}")
    page = statistics.median(samples)
    return [
        Figure(
            "dashboards: cockpit page for jiedao",
            round(page, 1),
            "ms",
            limit=round(hand, 2),
            goal=f"< {PAGE_GOAL_MS} ms (PG M)",
            passed=page < PAGE_GOAL_MS,
            note=f"p50 of {len(samples)}, p95 {percentile(samples, 0.95):.1f} ms; Django test client, cache emptied "
            f"before each request; limit: hand SQL of the headline's figures over dashboards_figure (median of {runs})",
        ),
        Figure(
            "dashboards: cockpit page for jiedao, cached figures",
            round(statistics.median(warm), 1),
            "ms",
            limit=round(hand, 2),
            note=f"p50 of {len(warm)}; the same page while the aggregates have not changed (dashboards.caching)",
        ),
        Figure(
            "dashboards: map JSON for jiedao",
            round(statistics.median(map_samples), 1),
            "ms",
            note=f"p50 of {len(map_samples)}; every grid's GeoJSON and layer values; an unchanged map answers 304",
        ),
    ]


# -- (2) the nightly recompute -------------------------------------------------------------------------------


def _local_day(column: str) -> str:
    """The Asia/Shanghai day of a stored UTC timestamp (no summer time: a fixed +8 hours)."""
    if vendor() == "postgresql":
        return f"(({column}) AT TIME ZONE 'Asia/Shanghai')::date"
    return f"date({column}, '+8 hours')"


def hand_counts(now: dt.datetime, prefix: int) -> dict[str, int]:
    """The subset's grouped counts from the raw tables, as the sources compute them; totals per key. Reports
    count up to today; deadlines every day there is one (the recompute reaches the latest deadline)."""
    from gongzhi.campaigns.choices import CampaignStatus
    from gongzhi.cases.choices import DONE_STATUSES, OPEN_STATUSES, VOID_STATUSES, CaseStatus
    from gongzhi.dashboards.services import local_today
    from gongzhi.registry.choices import PersonStatus

    totals: dict[str, int] = defaultdict(int)
    place = f"substr(org_path, 1, {int(prefix)})"
    for key, sql, params in [
        (
            "households",
            f"SELECT grid_id, {place}, COUNT(*) FROM registry_household WHERE is_active GROUP BY grid_id, {place}",
            [],
        ),
        (
            "people",
            f"SELECT grid_id, {place}, COUNT(*) FROM registry_person WHERE status = %s GROUP BY grid_id, {place}",
            [PersonStatus.RESIDENT.value],
        ),
    ]:
        for _grid, _place, n in _rows(sql, params):
            totals[key] += int(n)
    void = sorted(s.value if hasattr(s, "value") else s for s in VOID_STATUSES)
    done = sorted(s.value if hasattr(s, "value") else s for s in DONE_STATUSES)
    open_ = sorted(s.value if hasattr(s, "value") else s for s in OPEN_STATUSES)
    void_marks, done_marks, open_marks = (", ".join(["%s"] * len(x)) for x in (void, done, open_))
    created = _local_day("created_at")
    today = local_today(now)
    for day, _grid, _place, n in _rows(
        f"SELECT {created}, grid_id, {place}, COUNT(*) FROM cases_case WHERE status NOT IN ({void_marks}) "
        f"GROUP BY {created}, grid_id, {place}",
        void,
    ):
        if _day(day) <= today:
            totals["cases_reported"] += int(n)
    deadline = _local_day("deadline_at")
    true = "TRUE" if vendor() == "postgresql" else "1"
    for row in _rows(
        f"SELECT {deadline}, grid_id, {place}, COUNT(*), "
        f"SUM(CASE WHEN status IN ({done_marks}) AND is_on_time = {true} THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN rework_count > 0 THEN 1 ELSE 0 END), COUNT(rating), COALESCE(SUM(rating), 0), "
        "SUM(CASE WHEN rating >= 4 THEN 1 ELSE 0 END) "
        f"FROM cases_case WHERE deadline_at IS NOT NULL AND status NOT IN ({void_marks}) "
        f"GROUP BY {deadline}, grid_id, {place}",
        [*done, *void],
    ):
        for key, value in zip(
            ("cases_due", "cases_due_on_time", "cases_due_reworked", "cases_due_rated", "cases_due_rating_sum",
             "cases_due_satisfied"),
            row[3:],
            strict=True,
        ):  # fmt: skip
            totals[key] += int(value or 0)
    for _grid, _place, n, overdue in _rows(
        f"SELECT grid_id, {place}, COUNT(*), SUM(CASE WHEN status = %s AND deadline_at < %s THEN 1 ELSE 0 END) "
        f"FROM cases_case WHERE status IN ({open_marks}) GROUP BY grid_id, {place}",
        [CaseStatus.DISPATCHED.value, now, *open_],
    ):
        totals["cases_open"] += int(n)
        totals["cases_overdue"] += int(overdue or 0)
    for _grid, _path, h, r, p, c in _rows(
        "SELECT t.grid_id, t.org_path, SUM(t.households_total), SUM(t.households_reached), SUM(t.persons_total), "
        "SUM(t.persons_checked) FROM campaigns_campaigngridtally t JOIN campaigns_campaign c ON c.id = t.campaign_id "
        "WHERE c.status = %s GROUP BY t.grid_id, t.org_path",
        [CampaignStatus.OPEN.value],
    ):
        totals["campaign_households"] += int(h or 0)
        totals["campaign_households_reached"] += int(r or 0)
        totals["campaign_people"] += int(p or 0)
        totals["campaign_people_checked"] += int(c or 0)
    return dict(totals)


def stored_totals(keys: list[str], today: dt.date) -> dict[str, int]:
    from django.db.models import Sum

    from gongzhi.dashboards.figures import DEFINITIONS, STOCK
    from gongzhi.dashboards.models import Figure as Stored

    result = {}
    for key in keys:
        rows = Stored.objects.filter(key=key)
        if DEFINITIONS[key].kind == STOCK:
            rows = rows.filter(day=today)
        result[key] = int(rows.aggregate(n=Sum("value"))["n"] or 0)
    return result


def measure_recompute() -> list[Figure]:
    from django.db import transaction
    from django.utils import timezone

    from gongzhi.dashboards import services
    from gongzhi.territory import selectors as territory

    runs = 1 if smoke() else 2
    recompute_ms: list[float] = []
    rows = drift = 0
    checked: dict[str, int] = {}
    stored: dict[str, int] = {}
    for run in range(runs):
        try:
            with transaction.atomic():
                now = timezone.now()
                elapsed, result = timed(lambda n=now: services.recompute(now=n))
                recompute_ms.append(elapsed)
                rows, drift = result.rows, result.drift_count
                log(f"dashboards: recompute run {run + 1}: {elapsed:.0f} ms, {rows} figures, drift {drift}")
                checked = hand_counts(now, territory.place_prefix_length())
                stored = stored_totals(sorted(checked), services.local_today(now))
                raise Rollback
        except Rollback:
            pass
    hand_ms: list[float] = []
    prefix = territory.place_prefix_length()
    for _ in range(3 if not smoke() else 1):
        hand_ms.append(timed(lambda: hand_counts(timezone.now(), prefix))[0])
    wrong = {k: (stored.get(k), v) for k, v in checked.items() if stored.get(k) != v}
    if wrong:
        raise SystemExit(f"dashboards: recomputed figures differ from hand SQL (stored, hand): {wrong}")
    recompute, hand = statistics.median(recompute_ms), statistics.median(hand_ms)
    return [
        Figure(
            "dashboards: nightly recompute of all aggregates",
            round(recompute, 1),
            "ms",
            limit=round(hand, 1),
            goal=f"< {RECOMPUTE_GOAL_MS} ms (PG M)",
            passed=recompute < RECOMPUTE_GOAL_MS,
            note=f"median of {len(recompute_ms)}; {rows} figures, drift {drift}; limit: hand SQL of households, "
            f"people, cases by created and deadline day with measures, open/overdue, open campaign tallies "
            f"(median of {len(hand_ms)}; not the other sources nor the compare-and-write)",
            extra={"hand_totals": checked},
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", default="", help="page or recompute (default: both)")
    args = parser.parse_args()
    setup_django()
    started = time.perf_counter()
    figures: list[Any] = []
    if args.only in ("", "page"):
        figures += measure_page()
    if args.only in ("", "recompute"):
        figures += measure_recompute()
    log(f"dashboards: {time.perf_counter() - started:.1f} s")
    emit(figures)


if __name__ == "__main__":
    main()
