"""Keeping the cockpit's aggregates current: the refresh (every few minutes, source by source, only what
changed) and the recompute (nightly, everything from the raw tables, reporting the drift it corrects)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from gongzhi.dashboards.models import Figure, FigureMonth, RecomputeRun, SourceMark
from gongzhi.dashboards.sources import Row, Source, all_sources
from gongzhi.territory.selectors import holding_grid_ids

logger = logging.getLogger(__name__)

Place = tuple[dt.date, str, int, str]  # day, path, grid_id, key
# Stocks are snapshotted at least this often even when a source's mark has not moved (a bulk update
# that writes no event, a deadline passing: overdue grows with time alone).
STOCK_MAX_AGE = dt.timedelta(minutes=30)
# How many differences a recompute keeps in its report (all are counted and fixed).
DRIFT_KEPT = 200
BATCH = 5000
# Rows that became zero are deleted this many at a time (one OR of places per statement).
GONE_BATCH = 200


def local_today(now: dt.datetime | None = None) -> dt.date:
    return timezone.localdate(now or timezone.now())


def summed(rows: Iterable[Row]) -> dict[Place, int]:
    """Rows added up per place. What lies in no grid (grid None) or in a community's holding cell (未划网格) is
    stored under grid 0, so that a source may yield several rows for one place (a holding cell and no grid)."""
    holding = holding_grid_ids()
    totals: dict[Place, int] = defaultdict(int)
    for day, path, grid_id, key, value in rows:
        grid = 0 if grid_id is None or grid_id in holding else grid_id
        totals[(day, path, grid, key)] += value
    return {place: value for place, value in totals.items() if value}


def _stored(keys: list[str], days: list[dt.date] | None) -> dict[Place, int]:
    figures = Figure.objects.filter(key__in=keys)
    if days is not None:
        figures = figures.filter(day__in=days) if len(days) < 400 else figures.filter(day__gte=min(days))
    return {(d, p, g, k): v for d, p, g, k, v in figures.values_list("day", "path", "grid_id", "key", "value")}


def _replace(
    keys: list[str], days: list[dt.date], totals: dict[Place, int], old: dict[Place, int] | None = None
) -> None:
    """The figures of ``keys`` on ``days`` become ``totals``: removed where gone, written where new or changed.
    ``old``: what is stored now, when the caller has read it already."""
    old = _stored(keys, days) if old is None else old
    gone = [place for place in old if place not in totals]
    changed = {place: v for place, v in totals.items() if old.get(place) != v}
    for i in range(0, len(gone), GONE_BATCH):
        places = Q(pk__in=[])
        for day, path, grid_id, key in gone[i : i + GONE_BATCH]:
            places |= Q(day=day, path=path, grid_id=grid_id, key=key)
        Figure.objects.filter(places).delete()
    Figure.objects.bulk_create(
        [Figure(day=d, path=p, grid_id=g, key=k, value=v) for (d, p, g, k), v in changed.items()],
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["key", "day", "path", "grid_id"],
        update_fields=["value"],
    )


def _months(days: Iterable[dt.date]) -> list[dt.date]:
    return sorted({day.replace(day=1) for day in days})


def _next_month(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1)


def roll_up(keys: list[str], days: list[dt.date]) -> None:
    """The monthly sums (FigureMonth) of ``keys`` for every month that holds one of ``days``, written again
    from the daily rows in the database (INSERT … SELECT … GROUP BY: nothing passes through Python)."""
    if not keys or not days:
        return
    table, source = FigureMonth._meta.db_table, Figure._meta.db_table
    marks = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        for month in _months(days):
            FigureMonth.objects.filter(key__in=keys, month=month).delete()
            cursor.execute(
                f"INSERT INTO {table} (month, key, path, grid_id, value) "  # noqa: S608 - table names only
                f"SELECT %s, key, path, grid_id, SUM(value) FROM {source} "
                f"WHERE key IN ({marks}) AND day >= %s AND day < %s GROUP BY key, path, grid_id",
                [month, *keys, month, _next_month(month)],
            )


@dataclass
class Refreshed:
    source: str
    flow_days: int
    stocks: bool


def refresh_source(source: Source, *, now: dt.datetime) -> Refreshed | None:
    today = local_today(now)
    state, _ = SourceMark.objects.get_or_create(source=source.name)
    mark = source.mark()
    stale_stocks = state.stock_day != today or state.refreshed_at is None or now - state.refreshed_at >= STOCK_MAX_AGE
    if mark == state.mark and not stale_stocks:
        return None
    days = sorted(source.touched(state.mark, today) or set()) if mark != state.mark else []
    with transaction.atomic():
        if days and source.flow_keys:
            _replace(source.flow_keys, days, summed(source.flows(days)))
            roll_up(source.flow_keys, days)
        if source.stock_keys:
            _replace(source.stock_keys, [today], summed(source.stocks(today)))
        state.mark = mark
        state.stock_day = today
        state.refreshed_at = now
        state.save()
    return Refreshed(source.name, len(days), bool(source.stock_keys))


def refresh(*, now: dt.datetime | None = None) -> list[Refreshed]:
    """Bring every source's aggregates up to date; a source where nothing happened is skipped."""
    now = now or timezone.now()
    done = [r for source in all_sources() if (r := refresh_source(source, now=now)) is not None]
    logger.info("dashboards refresh: %s", ", ".join(f"{r.source}({r.flow_days}d)" for r in done) or "nothing new")
    return done


def recompute(*, now: dt.datetime | None = None) -> RecomputeRun:
    """Recompute every figure from the raw tables (flows over every day a source has, stocks for today),
    compare with what is stored, report the differences and store the recomputed figures."""
    now = now or timezone.now()
    today = local_today(now)
    run = RecomputeRun.objects.create(started_at=now)
    drift: list[dict[str, object]] = []
    count = rows = 0
    for source in all_sources():
        marked = source.mark()
        parts: list[tuple[list[str], list[dt.date], dict[Place, int]]] = []
        first = source.first_day()
        if source.flow_keys and first is not None:
            last = source.last_day(today)
            days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
            parts.append((source.flow_keys, days, summed(source.flows(days))))
        if source.stock_keys:
            parts.append((source.stock_keys, [today], summed(source.stocks(today))))
        with transaction.atomic():
            for keys, days, totals in parts:
                stored = _stored(keys, days)
                # Millions of places at tier M: compare without sorting them all; only the differences are sorted.
                differing = [p for p, v in totals.items() if stored.get(p) != v]
                differing += [p for p in stored if p not in totals]
                count += len(differing)
                for place in sorted(differing)[: max(0, DRIFT_KEPT - len(drift))]:
                    day, path, grid_id, key = place
                    drift.append(
                        {
                            "key": key,
                            "day": day.isoformat(),
                            "path": path,
                            "grid_id": grid_id,
                            "stored": stored.get(place, 0),
                            "computed": totals.get(place, 0),
                        }
                    )
                _replace(keys, days, totals, stored)
                if keys == source.flow_keys:
                    roll_up(keys, days)
                rows += len(totals)
            SourceMark.objects.update_or_create(
                source=source.name, defaults={"mark": marked, "stock_day": today, "refreshed_at": now}
            )
    run.finished_at = timezone.now()
    run.rows = rows
    run.drift_count = count
    run.drift = drift
    run.save()
    if count:
        logger.warning("dashboards recompute: %d figures had drifted; first: %s", count, drift[:3])
    return run
