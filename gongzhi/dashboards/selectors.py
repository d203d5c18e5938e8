"""Reads of the cockpit: sums of stored figures (dashboards.Figure) over a focus (a node's subtree or a
grid) within the actor's scope. Nothing here counts a module's raw rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import Http404

from gongzhi.core.actors import Actor, outermost_paths, subtree_q
from gongzhi.dashboards.figures import DEFINITIONS, FLOW, RATIOS, STOCK
from gongzhi.dashboards.models import Figure, FigureMonth, MonthlyReport, RecomputeRun, SourceMark
from gongzhi.dashboards.permissions import GRID_ROLES, NODE_ROLES, figure_scope_q
from gongzhi.territory import selectors as territory
from gongzhi.territory.models import Grid, Node
from gongzhi.territory.permissions import visible_grids, visible_nodes

STOCK_KEYS = [k for k, d in DEFINITIONS.items() if d.kind == STOCK]
FLOW_KEYS = [k for k, d in DEFINITIONS.items() if d.kind == FLOW]
TWELVE_MONTH_KEYS = ["cases_due_on_time", "cases_due", "volunteer_minutes"]  # the charts' (charts.py)


@dataclass(frozen=True)
class Focus:
    """What the cockpit looks at: a node's subtree, one grid, or (an actor with several Duties) all of
    their scope. ``crumbs`` lead back up to where the actor's scope starts."""

    label: str
    node: Node | None = None
    grid: Grid | None = None
    crumbs: tuple[tuple[str, str], ...] = field(default=())  # (label, query string)
    # What one request has read already and the page's parts share (stock_days): a Focus lives for a request.
    read: dict[object, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def q(self) -> Q:
        if self.grid is not None:
            return Q(grid_id=self.grid.pk)
        if self.node is not None:
            return subtree_q("path", self.node.path)
        return Q()

    @property
    def param(self) -> str:
        if self.grid is not None:
            return f"grid={self.grid.pk}"
        if self.node is not None:
            return f"node={self.node.pk}"
        return ""

    @property
    def level(self) -> str:
        if self.grid is not None:
            return "grid"
        return self.node.kind if self.node is not None else "all"


def _root_focus(actor: Actor) -> Focus:
    paths = outermost_paths(actor.paths(*NODE_ROLES))
    grids = sorted(actor.grid_ids(*GRID_ROLES))
    if (len(paths) == 1 and not grids) or actor.is_system:
        node = Node.objects.filter(path=paths[0]).first() if paths else Node.objects.filter(depth=1).first()
        if node is not None:
            return Focus(label=node.name, node=node)
    if not paths and len(grids) == 1:
        grid = Grid.objects.select_related("community", "compound").get(pk=grids[0])  # as focus_for's
        return Focus(label=grid.name, grid=grid)
    return Focus(label="我的范围")


def focus_for(*, actor: Actor, node_id: int | None = None, grid_id: int | None = None) -> Focus:
    """The focus a request names (404 outside the actor's scope), or where the actor's scope starts."""
    root = _root_focus(actor)
    if grid_id is not None:
        grid = visible_grids(actor).select_related("community", "compound").filter(pk=grid_id).first()
        if grid is None:
            raise Http404
        above = grid.compound or grid.community
        crumbs = (*_crumbs(actor, above, root), (above.name, f"node={above.pk}")) if _can_focus(actor, above) else ()
        return Focus(label=grid.name, grid=grid, crumbs=crumbs)
    if node_id is not None:
        node = visible_nodes(actor).filter(pk=node_id).first()
        if node is None or not _can_focus(actor, node):
            raise Http404
        return Focus(label=node.name, node=node, crumbs=_crumbs(actor, node, root))
    return root


def _can_focus(actor: Actor, node: Node) -> bool:
    """A node can be looked at by whoever holds it or a node above it; a grid role looks at its grid."""
    return actor.is_system or any(node.path.startswith(p) for p in actor.paths(*NODE_ROLES))


def _crumbs(actor: Actor, node: Node, root: Focus) -> tuple[tuple[str, str], ...]:
    start = root.node.depth if root.node is not None else 1
    above = [n for n in territory.node_ancestors(node=node) if n.depth >= start and _can_focus(actor, n)]
    return tuple((n.name, f"node={n.pk}") for n in above)


def _figures(actor: Actor, focus: Focus) -> QuerySet[Figure]:
    return Figure.objects.filter(figure_scope_q(actor)).filter(focus.q)


def flow_totals(*, actor: Actor, focus: Focus, keys: list[str], since: dt.date, until: dt.date) -> dict[str, int]:
    rows = (
        _figures(actor, focus)
        .filter(key__in=keys, day__gte=since, day__lte=until)
        .values_list("key")
        .annotate(total=Sum("value"))
        .order_by()
    )
    found = dict(rows)
    return {k: int(found.get(k) or 0) for k in keys}


Slot = tuple[list[str], dt.date, dt.date]  # keys summed from a day to a day


def slot_totals(*, actor: Actor, focus: Focus, slots: list[Slot]) -> list[dict[str, int]]:
    """flow_totals of several (keys, since, until) at once: one query of the day-by-day sums over the rows
    the slots would read one by one. The days are kept on the request's ``focus`` for by_day (the charts
    draw this month's days the headline summed)."""
    if not slots:
        return []
    spans = [Q(key__in=keys, day__gte=since, day__lte=until) for keys, since, until in slots]
    rows = _figures(actor, focus).filter(reduce(or_, spans)).values_list("day", "key").annotate(total=Sum("value"))
    days = {(day, key): int(total or 0) for day, key, total in rows.order_by()}
    focus.read["days"] = (slots, days)
    return [
        {k: sum(v for (day, key), v in days.items() if key == k and since <= day <= until) for k in keys}
        for keys, since, until in slots
    ]


def cockpit_months(*, actor: Actor, focus: Focus, on: dt.date) -> dict[tuple[dt.date, str], int]:
    """The monthly sums the cockpit reads for ``on``: every flow in its month and the month before (the
    headline), and the twelve-month charts' figures: one query per request (kept on its ``focus``)."""
    key = ("months", on)
    if key not in focus.read:
        this, before, first = month_first(on), month_first(on, 1), month_first(on, 11)
        span = Q(key__in=FLOW_KEYS, month__in=[this, before])
        span |= Q(key__in=TWELVE_MONTH_KEYS, month__gte=first, month__lte=this)
        rows = (
            FigureMonth.objects.filter(figure_scope_q(actor))
            .filter(focus.q)
            .filter(span)
            .values_list("month", "key")
            .annotate(total=Sum("value"))
            .order_by()
        )
        focus.read[key] = {(month, k): int(total or 0) for month, k, total in rows}
    found: dict[tuple[dt.date, str], int] = focus.read[key]
    return found


def month_totals(*, actor: Actor, focus: Focus, keys: list[str], month: dt.date) -> dict[str, int]:
    """Flow figures summed over the calendar month starting ``month``, from the monthly sums."""
    rows = (
        FigureMonth.objects.filter(figure_scope_q(actor))
        .filter(focus.q)
        .filter(key__in=keys, month=month)
        .values_list("key")
        .annotate(total=Sum("value"))
        .order_by()
    )
    found = dict(rows)
    return {k: int(found.get(k) or 0) for k in keys}


def stock_day(*, keys: list[str], on: dt.date, focus: Focus | None = None) -> dt.date | None:
    """The day of the last snapshot of these stocks at or before ``on`` (today's, once the refresh ran).
    With the request's ``focus``, from stock_days: the page asks for several sets of stocks, read once."""
    if focus is not None:
        days = [d for d in (stock_days(focus=focus, on=on).get(k, (None, None))[0] for k in keys) if d is not None]
        return max(days, default=None)
    return Figure.objects.filter(key__in=keys, day__lte=on).aggregate(day=Max("day"))["day"]


def stock_days(*, focus: Focus, on: dt.date) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """Per stock key: the day of its last snapshot at or before ``on``, and at or before the last day of the
    month before ``on``'s (the headline's comparison; a snapshot kept that day is one equal to it). One
    query per request (kept on its ``focus``), over the rows the widest single stock_day reads."""
    key = ("stock_days", on)
    if key not in focus.read:
        before_end = month_first(on) - dt.timedelta(days=1)
        rows = (
            Figure.objects.filter(key__in=STOCK_KEYS, day__lte=on)
            .values_list("key")
            .annotate(last=Max("day"), before=Max("day", filter=Q(day__lte=before_end)))
            .order_by()
        )
        focus.read[key] = {k: (day, before) for k, day, before in rows}
    found: dict[str, tuple[dt.date | None, dt.date | None]] = focus.read[key]
    return found


def stock_totals(*, actor: Actor, focus: Focus, keys: list[str], day: dt.date) -> dict[str, int] | None:
    """Stocks as they stood at the end of ``day``; None when no snapshot of that day was kept."""
    if not Figure.objects.filter(day=day, key__in=keys).exists():
        return None
    return flow_totals(actor=actor, focus=focus, keys=keys, since=day, until=day)


def _by(
    actor: Actor, focus: Focus, field_name: str, keys: list[str], since: dt.date, until: dt.date
) -> dict[Any, dict[str, int]]:
    rows = (
        _figures(actor, focus)
        .filter(key__in=keys, day__gte=since, day__lte=until)
        .values_list(field_name, "key")
        .annotate(total=Sum("value"))
        .order_by()
    )
    result: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(keys, 0))
    for group, key, total in rows:
        result[group][key] = int(total or 0)
    return dict(result)


def by_grid_slots(*, actor: Actor, focus: Focus, slots: list[Slot]) -> list[dict[int, dict[str, int]]]:
    """by_grid of several (keys, since, until) in one query: a grid is in a slot's result when a row of that
    slot lies in it, as by_grid would answer for each."""
    spans = [Q(key__in=keys, day__gte=since, day__lte=until) for keys, since, until in slots]
    sums = {f"s{i}": Sum("value", filter=span) for i, span in enumerate(spans)}
    rows = _figures(actor, focus).filter(reduce(or_, spans)).values_list("grid_id", "key").annotate(**sums).order_by()
    result: list[dict[int, dict[str, int]]] = [{} for _slot in slots]
    for grid_id, key, *totals in rows:
        for i, total in enumerate(totals):
            if total is not None:  # a sum over no row of the slot
                result[i].setdefault(grid_id, dict.fromkeys(slots[i][0], 0))[key] = int(total)
    return result


def by_grid(
    *, actor: Actor, focus: Focus, keys: list[str], since: dt.date, until: dt.date
) -> dict[int, dict[str, int]]:
    """Figures per grid (grid 0: what lies in no grid) for the map's layers."""
    return _by(actor, focus, "grid_id", keys, since, until)


def by_place(
    *, actor: Actor, focus: Focus, keys: list[str], since: dt.date, until: dt.date
) -> dict[str, dict[str, int]]:
    """Figures per stored place path (compound, or community for what lies in no compound)."""
    return _by(actor, focus, "path", keys, since, until)


def by_day(
    *, actor: Actor, focus: Focus, keys: list[str], since: dt.date, until: dt.date
) -> dict[dt.date, dict[str, int]]:
    """Figures per day from ``since`` to ``until``, every day present (zeros included), for the charts;
    from the days slot_totals kept on the ``focus`` when one of its slots covers them."""
    days = {since + dt.timedelta(days=i): dict.fromkeys(keys, 0) for i in range((until - since).days + 1)}
    slots, kept = focus.read.get("days", ([], {}))
    if any(set(keys) <= set(k) and s <= since and until <= u for k, s, u in slots):
        for (day, key), total in kept.items():
            if key in keys and since <= day <= until:
                days[day][key] = total
        return days
    rows = (
        _figures(actor, focus)
        .filter(key__in=keys, day__gte=since, day__lte=until)
        .values_list("day", "key")
        .annotate(total=Sum("value"))
        .order_by()
    )
    for day, key, total in rows:
        days[day][key] = int(total or 0)
    return days


def month_first(day: dt.date, back: int = 0) -> dt.date:
    """The first day of the month ``back`` months before ``day``'s."""
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def month_last(first: dt.date) -> dt.date:
    return month_first(first, -1) - dt.timedelta(days=1)


def by_month(
    *, actor: Actor, focus: Focus, keys: list[str], last: dt.date, months: int
) -> list[tuple[dt.date, dict[str, int]]]:
    """Flow figures summed per month, the ``months`` months up to ``last``'s, oldest first (from the
    monthly sums, FigureMonth; every month present, zeros included)."""
    first = month_first(last, months - 1)
    result: dict[dt.date, dict[str, int]] = {month_first(first, -i): dict.fromkeys(keys, 0) for i in range(months)}
    rows = (
        FigureMonth.objects.filter(figure_scope_q(actor))
        .filter(focus.q)
        .filter(key__in=keys, month__gte=first, month__lte=month_first(last))
        .values_list("month", "key")
        .annotate(total=Sum("value"))
        .order_by()
    )
    for month, key, total in rows:
        result[month][key] = int(total or 0)
    return list(result.items())


def ratio(values: dict[str, int], name: str) -> tuple[int, int]:
    numerator, denominator, _scale = RATIOS[name]
    return values.get(numerator, 0), values.get(denominator, 0)


def is_flow(key: str) -> bool:
    return DEFINITIONS[key].kind == FLOW


def source_marks() -> tuple[dt.datetime | None, int]:
    """The last refresh of any source and how many sources there are: the figures' freshness and version."""
    found = SourceMark.objects.aggregate(at=Max("refreshed_at"), n=Count("id"))
    return found["at"], found["n"]


def freshness(marks: tuple[dt.datetime | None, int] | None = None) -> dict[str, object]:
    """When the figures were last brought up to date and whether the last check found drift (``marks``:
    source_marks(), when the page has read them for the figures' version)."""
    refreshed = (marks or source_marks())[0]
    check = RecomputeRun.objects.filter(finished_at__isnull=False).first()
    return {"refreshed_at": refreshed, "check": check}


def report_list(*, actor: Actor) -> QuerySet[MonthlyReport]:
    """Monthly reports of the nodes the actor holds or lies below (a community worker sees their
    community's and, not the subdistrict's)."""
    q = Q(pk__in=[])
    for path in actor.paths(*NODE_ROLES):
        q |= subtree_q("node_path", path)
    if actor.is_system:
        q = Q()
    return MonthlyReport.objects.filter(q).defer("pdf", "xlsx")


def report_get(*, actor: Actor, report_id: int) -> MonthlyReport:
    report = report_list(actor=actor).filter(pk=report_id).defer(None).first()
    if report is None:
        raise Http404
    return report
