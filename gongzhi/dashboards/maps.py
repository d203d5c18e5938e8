"""The cockpit's grid map: the GeoJSON of the real grids inside a focus that the actor sees, each with its
value on every layer (from the stored figures, never raw rows) and where a click on it leads (one level
below the focus). The map's data is served as JSON (views.map_data), not inlined in the page.

The table under the map lists the same values per grid while the focus holds at most TABLE_GRIDS grids;
above that it lists the focus's child places (a subdistrict's communities, a community's areas, an area's
compounds), each the exact sum of the stored figures under it, with what lies in no grid as its own row."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Substr
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.numbers import ratio_text
from gongzhi.dashboards import selectors
from gongzhi.dashboards.models import Figure, SourceMark
from gongzhi.dashboards.permissions import GRID_ROLES, figure_scope_q, sees_whole_node
from gongzhi.dashboards.selectors import Focus
from gongzhi.stewardship import selectors as stewardship
from gongzhi.territory.models import Grid, Node
from gongzhi.territory.permissions import visible_grids

STOCK_KEYS = ["households", "campaign_households", "campaign_households_reached", "cases_overdue"]
FLOW_KEYS = ["cases_reported"]
AREA_PATH = 3 * Node.steplen  # subdistrict → community → area
TABLE_GRIDS = 200  # above this many grids the table lists the focus's child places instead


@dataclass(frozen=True)
class Layer:
    key: str
    label: str | Promise
    help: str | Promise
    unit: str | Promise = ""


LAYERS = (
    Layer(
        "coverage",
        gettext_lazy("户覆盖率"),
        gettext_lazy("进行中的入户活动：该网格已走访户数 ÷ 应走访户数（截至最近一次更新），四舍五入到 0.1%。"),
        "%",
    ),
    Layer("overdue", gettext_lazy("超期在办"), gettext_lazy("该网格在办且已过处置时限的案件数（截至最近一次更新）。")),
    Layer(
        "density",
        gettext_lazy("案件密度"),
        gettext_lazy("本月 1 日至今该网格上报的案件数 ÷ 在册户数 × 100，即每百户上报件数，四舍五入到 0.1。"),
    ),
    Layer(
        "grade",
        gettext_lazy("管理评价"),
        gettext_lazy(
            "网格所在小区的物业或托管方在最近一次公示的月度评比中的等级（按现行评价细则的等级，如 AAA … C）；"
            "没有评价时为“暂无”。"
        ),
    ),
)
LAYER_KEYS = tuple(layer.key for layer in LAYERS)


def layer_of(value: str | None) -> str:
    return value if value in LAYER_KEYS else LAYER_KEYS[0]


def grade_labels() -> dict[int, str]:
    """The manager rubric's grades by code (1 the best), as stewardship names them."""
    return stewardship.grade_labels()


def _in_focus(actor: Actor, focus: Focus) -> Any:
    grids = visible_grids(actor).annotate(
        on_map=ExpressionWrapper(Q(boundary__isnull=False), output_field=BooleanField())
    )
    if focus.grid is not None:
        return grids.filter(pk=focus.grid.pk)
    if focus.node is not None and focus.node.depth >= 3:
        return grids.filter(compound__path__startswith=focus.node.path)
    if focus.node is not None:
        return grids.filter(org_path__startswith=focus.node.path)
    return grids


def _sees(actor: Actor, own: set[int], pk: int, place_path: str) -> bool:
    return pk in own or sees_whole_node(actor, place_path)


def focus_grids(actor: Actor, focus: Focus, *, geometry: bool = True) -> list[Grid]:
    """The real grids inside the focus whose figures the actor may see (their grid, or a place they hold);
    without their boundaries unless ``geometry``."""
    fields = [f"{n}__{f}" for n in ("community", "compound") for f in NODE_FIELDS]
    grids = (
        _in_focus(actor, focus)
        .annotate(area_id=_area_id())
        .select_related("community", "compound")
        .only("name", "code", "community", "compound", *fields, *(["boundary"] if geometry else []))
    )
    own = actor.grid_ids(*GRID_ROLES)
    return [g for g in grids.order_by("code") if _sees(actor, own, g.pk, _place_path(g))]


NODE_FIELDS = ("path", "name", "depth", "kind")


def _area_id() -> Subquery:
    """The area a grid's compound lies in (its path's first three steps), for drill_query: read with it."""
    return Subquery(Node.objects.filter(path=Substr(OuterRef("compound__path"), 1, AREA_PATH)).values("pk")[:1])


def focus_grid_table(actor: Actor, focus: Focus) -> tuple[list[tuple[int, str, bool]], list[Grid]]:
    """focus_grid_places and focus_grids without the boundaries, from one query of values: the places of
    every grid, and the grids themselves (built from the values) while there are at most TABLE_GRIDS."""
    nodes = [f"{n}__{f}" for n in ("community", "compound") for f in ("id", *NODE_FIELDS)]
    rows = (
        _in_focus(actor, focus)
        .annotate(area_id=_area_id())
        .values_list("pk", "name", "code", "on_map", "area_id", *nodes)
        .order_by("code")
    )
    own = actor.grid_ids(*GRID_ROLES)
    seen = [r for r in rows if _sees(actor, own, r[0], r[11] or r[6])]  # compound__path, else community__path
    places = [(r[0], r[11] or r[6], bool(r[3])) for r in seen]
    if len(seen) > TABLE_GRIDS:
        return places, []
    grids = []
    for pk, name, code, on_map, area_id, *node in seen:
        community = Node(pk=node[0], **dict(zip(NODE_FIELDS, node[1:5], strict=True)))
        compound = Node(pk=node[5], **dict(zip(NODE_FIELDS, node[6:10], strict=True))) if node[5] else None
        grid = Grid(pk=pk, name=name, code=code, community=community, compound=compound)
        grid.on_map, grid.area_id = on_map, area_id  # type: ignore[attr-defined]  # as focus_grids annotates
        grids.append(grid)
    return places, grids


def focus_grid_places(actor: Actor, focus: Focus) -> list[tuple[int, str, bool]]:
    """(grid id, place path, drawn) of the same grids as focus_grids, without building them."""
    rows = _in_focus(actor, focus).values_list("pk", "compound__path", "community__path", "on_map")
    own = actor.grid_ids(*GRID_ROLES)
    places = [(pk, compound or community, bool(drawn)) for pk, compound, community, drawn in rows]
    return [p for p in places if _sees(actor, own, p[0], p[1])]


def _place_path(grid: Grid) -> str:
    return grid.compound.path if grid.compound is not None else grid.community.path


def drill_query(actor: Actor, focus: Focus, grid: Grid) -> str:
    """Where a click on the grid leads: the first level below the focus the actor can look at
    (community → area → compound), else the grid itself; nothing at a grid focus."""
    if focus.grid is not None:
        return ""
    depth = focus.node.depth if focus.node is not None else 0
    compound, community = grid.compound, grid.community
    area_id = grid.area_id  # type: ignore[attr-defined]  # annotated by focus_grids
    chain = [(community.pk, community.depth, community.path)]
    if compound is not None:
        if area_id is not None:
            chain.append((area_id, 3, compound.path[:AREA_PATH]))
        chain.append((compound.pk, compound.depth, compound.path))
    for pk, node_depth, path in chain:
        if node_depth > depth and sees_whole_node(actor, path):
            return f"node={pk}"
    return f"grid={grid.pk}"


def _number(text: str) -> float | None:
    """The rounded text as a number for the colour scale (the text itself is what people read)."""
    return None if text == "—" else float(text)


def _layers() -> list[dict[str, str]]:
    return [{"key": la.key, "label": str(la.label), "help": str(la.help)} for la in LAYERS]


def _grade_cell(code: int | None, labels: dict[int, str], none: str) -> dict[str, Any]:
    return {"value": code, "text": labels.get(code, str(code)) if code else none, "detail": ""}


def grid_rows(
    *, actor: Actor, focus: Focus, today: dt.date, grids: list[Grid], labels: dict[int, str] | None = None
) -> tuple[list[dict[str, Any]], str]:
    """Per grid {name, grid_id, label, place, query, on_map, layer cells}, then what lies in no grid; and
    the stocks' day. ``labels``: grade_labels(), read here only when a grid has a grade to name."""
    day = selectors.stock_day(keys=STOCK_KEYS, on=today, focus=focus)
    month = (FLOW_KEYS, selectors.month_first(today), today)
    # The stocks' snapshot and the month's flows in one query.
    if day is not None:
        stocks, flows = selectors.by_grid_slots(actor=actor, focus=focus, slots=[(STOCK_KEYS, day, day), month])
    else:
        stocks, (flows,) = {}, selectors.by_grid_slots(actor=actor, focus=focus, slots=[month])
    grades = _grades(actor, focus, today)
    if labels is None:
        labels = grade_labels() if grades else {}
    empty = dict.fromkeys(STOCK_KEYS, 0)
    none = _("暂无")
    rows = []
    for grid in grids:
        grade = grades.get(grid.compound.path) if grid.compound is not None else None
        rows.append(
            {
                "name": f"{grid.name}#{grid.pk}",
                "grid_id": grid.pk,
                "label": grid.name,
                "place": grid.compound.name if grid.compound is not None else grid.community.name,
                "query": drill_query(actor, focus, grid),
                "on_map": bool(grid.on_map),  # type: ignore[attr-defined]  # annotated by _in_focus
                **_cells(stocks.get(grid.pk, empty), flows.get(grid.pk, {}).get("cases_reported", 0)),
                "grade": _grade_cell(grade, labels, none),
            }
        )
    if focus.grid is None and (0 in stocks or 0 in flows):
        rows.append(_outside_row(stocks.get(0, empty), flows.get(0, {}).get("cases_reported", 0)))
    return rows, day.isoformat() if day else ""


def grid_map(*, actor: Actor, focus: Focus, today: dt.date, geometry: bool = True) -> dict[str, Any]:
    """{"geo": FeatureCollection, "rows": per grid {name, label, query, layer values}, "layers": [...],
    "day", "grades": the legend}; without "geo" unless ``geometry`` (the big screen's refresh)."""
    grids = focus_grids(actor, focus, geometry=geometry)
    labels = grade_labels()
    rows, day = grid_rows(actor=actor, focus=focus, today=today, grids=grids, labels=labels)
    data: dict[str, Any] = {
        "rows": rows,
        "layers": _layers(),
        "day": day,
        "grades": [{"value": k, "label": v} for k, v in labels.items()],
    }
    if geometry:
        features = [
            {"type": "Feature", "properties": {"name": f"{g.name}#{g.pk}"}, "geometry": g.boundary}
            for g in grids
            if g.boundary is not None
        ]
        data["geo"] = {"type": "FeatureCollection", "features": features}
    return data


def map_etag(*, actor: Actor, focus: Focus, today: dt.date) -> str:
    """The map JSON's version: the focus, the actor's grants, the day (the month's flows), the language, the
    figures' last refresh and the grids' last change — without reading a figure."""
    refreshed = SourceMark.objects.aggregate(at=Max("refreshed_at"))["at"]
    grids = Grid.objects.aggregate(at=Max("updated_at"), n=Count("pk"))
    parts = [
        focus.param or "all",
        "system" if actor.is_system else "",
        *sorted(repr(g) for g in actor.grants),
        today.isoformat(),
        get_language() or "",
        refreshed.isoformat() if refreshed else "",
        grids["at"].isoformat() if grids["at"] else "",
        str(grids["n"]),
    ]
    return '"' + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32] + '"'


def table(*, actor: Actor, focus: Focus, today: dt.date) -> dict[str, Any]:
    """The table under the map (and what the page needs to know of the map): {"rows", "grids": how many,
    "drawn": how many have a boundary, "rolled": whether the rows are places, "day"}."""
    places, grids = focus_grid_table(actor, focus)
    drawn = sum(1 for _pk, _path, on_map in places if on_map)
    if len(places) <= TABLE_GRIDS or focus.node is None or focus.node.depth >= 4:
        if len(places) > TABLE_GRIDS:  # more grids than focus_grid_table builds, at a compound or below
            grids = focus_grids(actor, focus, geometry=False)
        rows, day = grid_rows(actor=actor, focus=focus, today=today, grids=grids)
        return {
            "rows": rows,
            "grids": len(grids),
            "grids_text": f"{len(grids):,}",
            "drawn": drawn,
            "rolled": False,
            "day": day,
        }
    rows, day = place_rows(actor=actor, focus=focus, today=today, places=places)
    return {
        "rows": rows,
        "grids": len(places),
        "grids_text": f"{len(places):,}",
        "drawn": drawn,
        "rolled": True,
        "day": day,
    }


def screen_map(*, actor: Actor, focus: Focus) -> dict[str, Any]:
    places = focus_grid_places(actor, focus)
    return {"grids": len(places), "drawn": sum(1 for p in places if p[2]), "rows": []}


def _split_sums(
    actor: Actor, focus: Focus, keys: list[str], since: dt.date, until: dt.date
) -> dict[str, dict[str, tuple[int, int | None]]]:
    """Figures per stored place path and key: (all, the part in no grid or None when no row lies in none)
    — by_place's sums, split."""
    rows = (
        Figure.objects.filter(figure_scope_q(actor))
        .filter(focus.q)
        .filter(key__in=keys, day__gte=since, day__lte=until)
        .values_list("path", "key")
        .annotate(total=Sum("value"), outside=Sum("value", filter=Q(grid_id=0)))
        .order_by()
    )
    result: dict[str, dict[str, tuple[int, int | None]]] = {}
    for path, key, total, outside in rows:
        result.setdefault(path, {})[key] = (int(total or 0), None if outside is None else int(outside))
    return result


def place_rows(
    *, actor: Actor, focus: Focus, today: dt.date, places: list[tuple[int, str, bool]]
) -> tuple[list[dict[str, Any]], str]:
    """One row per child place of a node focus (each the sum of what lies in its grids), a row for the grids
    right under the focus in no child (a community's grids in no compound), then what lies in no grid."""
    node = focus.node
    if node is None:  # table() rolls up node foci only
        return [], ""
    cut = (node.depth + 1) * Node.steplen
    day = selectors.stock_day(keys=STOCK_KEYS, on=today, focus=focus)
    sums = _split_sums(actor, focus, STOCK_KEYS, day, day) if day else {}
    flows = _split_sums(actor, focus, FLOW_KEYS, selectors.month_first(today), today)
    keys = [*STOCK_KEYS, *FLOW_KEYS]
    inside: dict[str, dict[str, int]] = {}
    outside = dict.fromkeys(keys, 0)
    any_outside = False
    for source in (sums, flows):
        for path, values in source.items():
            child = path[:cut] if len(path) >= cut else ""
            row = inside.setdefault(child, dict.fromkeys(keys, 0))
            for key, (total, none) in values.items():
                row[key] += total - (none or 0)
                outside[key] += none or 0
                any_outside = any_outside or none is not None
    counts: dict[str, int] = {}
    for _pk, path, _drawn in places:
        child = path[:cut] if len(path) >= cut else ""
        counts[child] = counts.get(child, 0) + 1
    grades = _grades(actor, focus, today) if cut == 4 * Node.steplen else {}
    labels = grade_labels() if grades else {}
    children = Node.objects.filter(path__in=[p for p in set(inside) | set(counts) if p]).order_by("path")
    rows = []
    for child in children:
        rows.append(
            _place_row(
                child.name,
                _("%(n)s 个网格") % {"n": f"{counts.get(child.path, 0):,}"},
                f"node={child.pk}" if sees_whole_node(actor, child.path) else "",
                inside.get(child.path, dict.fromkeys(keys, 0)),
                _grade_cell(grades.get(child.path), labels, "—"),
                child.path,
            )
        )
    if "" in inside or "" in counts:
        rows.append(
            _place_row(
                _("直属%(place)s的网格") % {"place": node.name},
                _("%(n)s 个网格") % {"n": f"{counts.get('', 0):,}"},
                "",
                inside.get("", dict.fromkeys(keys, 0)),
                _grade_cell(None, labels, "—"),
                "",
            )
        )
    if any_outside:
        rows.append(_outside_row(outside, outside["cases_reported"]))
    return rows, day.isoformat() if day else ""


def _place_row(
    label: str, place: str, query: str, values: dict[str, int], grade: dict[str, Any], path: str
) -> dict[str, Any]:
    return {
        "name": "",
        "grid_id": None,
        "path": path,
        "label": label,
        "place": place,
        "query": query,
        "on_map": False,
        **_cells(values, values["cases_reported"]),
        "grade": grade,
    }


def _cells(s: dict[str, int], reported: int) -> dict[str, dict[str, Any]]:
    """A place's coverage, overdue and density cells: the number the colour scale reads, the exact text."""
    coverage = ratio_text(s["campaign_households_reached"], s["campaign_households"])
    density = ratio_text(reported, s["households"])
    return {
        "coverage": {
            "value": _number(coverage),
            "text": coverage + ("%" if coverage != "—" else ""),
            "detail": f"{s['campaign_households_reached']:,}/{s['campaign_households']:,}",
        },
        "overdue": {"value": s["cases_overdue"], "text": f"{s['cases_overdue']:,}", "detail": ""},
        "density": {"value": _number(density), "text": density, "detail": f"{reported:,}/{s['households']:,}"},
    }


def _outside_row(s: dict[str, int], reported: int) -> dict[str, Any]:
    """What lies in no grid (buildings nobody assigned, a community's holding cell): in the table, so that
    its rows add up to the tiles, never on the map."""
    return {
        "name": "",
        "grid_id": 0,
        "path": "",
        "label": _("未划网格"),
        "place": "—",
        "query": "",
        "on_map": False,
        **_cells(s, reported),
        "grade": {"value": None, "text": "—", "detail": ""},
    }


def _grades(actor: Actor, focus: Focus, today: dt.date) -> dict[str, int]:
    """manager_grade per compound path (kept per compound, under no grid); none while nobody stores it.
    A grid focus reads its compound's row, so whoever sees the compound sees the grade."""
    day = selectors.stock_day(keys=["manager_grade"], on=today, focus=focus)
    if day is None:
        return {}
    place = focus
    if focus.grid is not None:
        above = focus.grid.compound
        if above is None:
            return {}
        place = Focus(label=above.name, node=above)
    rows = selectors.by_place(actor=actor, focus=place, keys=["manager_grade"], since=day, until=day)
    return {path: v["manager_grade"] for path, v in rows.items() if v.get("manager_grade")}
