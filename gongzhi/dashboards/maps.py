"""The cockpit's grid map: the GeoJSON of the real grids inside a focus that the actor sees, each with its
value on every layer (from the stored figures, never raw rows) and where a click on it leads (one level
below the focus). The same rows make the table under the map."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.actors import Actor
from gongzhi.core.numbers import ratio_text
from gongzhi.dashboards import selectors
from gongzhi.dashboards.permissions import GRID_ROLES, sees_whole_node
from gongzhi.dashboards.selectors import Focus
from gongzhi.territory.models import Grid, Node
from gongzhi.territory.permissions import visible_grids

STOCK_KEYS = ["households", "campaign_households", "campaign_households_reached", "cases_overdue"]
GRADES = {1: gettext_lazy("优秀"), 2: gettext_lazy("良好"), 3: gettext_lazy("一般"), 4: gettext_lazy("差")}


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
        gettext_lazy("网格所在小区的管理方最近一次公布的月度评价等级（1 优秀 … 4 差）；没有评价时为“暂无”。"),
    ),
)
LAYER_KEYS = tuple(layer.key for layer in LAYERS)


def layer_of(value: str | None) -> str:
    return value if value in LAYER_KEYS else LAYER_KEYS[0]


def focus_grids(actor: Actor, focus: Focus) -> list[Grid]:
    """The real grids inside the focus whose figures the actor may see (their grid, or a place they hold)."""
    grids = visible_grids(actor).select_related("community", "compound")
    if focus.grid is not None:
        grids = grids.filter(pk=focus.grid.pk)
    elif focus.node is not None and focus.node.depth >= 3:
        grids = grids.filter(compound__path__startswith=focus.node.path)
    elif focus.node is not None:
        grids = grids.filter(org_path__startswith=focus.node.path)
    own = actor.grid_ids(*GRID_ROLES)
    return [g for g in grids.order_by("code") if g.pk in own or sees_whole_node(actor, _place_path(g))]


def _place_path(grid: Grid) -> str:
    return grid.compound.path if grid.compound is not None else grid.community.path


def drill_query(actor: Actor, focus: Focus, grid: Grid, areas: dict[str, Node]) -> str:
    """Where a click on the grid leads: the first level below the focus the actor can look at
    (community → area → compound), else the grid itself; nothing at a grid focus."""
    if focus.grid is not None:
        return ""
    depth = focus.node.depth if focus.node is not None else 0
    compound = grid.compound
    chain = [grid.community, areas.get(compound.path[: 3 * Node.steplen]) if compound else None, compound]
    for node in chain:
        if node is not None and node.depth > depth and sees_whole_node(actor, node.path):
            return f"node={node.pk}"
    return f"grid={grid.pk}"


def _number(text: str) -> float | None:
    """The rounded text as a number for the colour scale (the text itself is what people read)."""
    return None if text == "—" else float(text)


def grid_map(*, actor: Actor, focus: Focus, today: dt.date) -> dict[str, Any]:
    """{"geo": FeatureCollection, "rows": per grid {name, label, query, layer values}, "layers": [...]}."""
    grids = focus_grids(actor, focus)
    day = selectors.stock_day(keys=STOCK_KEYS, on=today)
    stocks = selectors.by_grid(actor=actor, focus=focus, keys=STOCK_KEYS, since=day, until=day) if day else {}
    flows = selectors.by_grid(
        actor=actor, focus=focus, keys=["cases_reported"], since=selectors.month_first(today), until=today
    )
    grades = _grades(actor, focus, today)
    area_paths = {g.compound.path[: 3 * Node.steplen] for g in grids if g.compound is not None}
    areas = {n.path: n for n in Node.objects.filter(path__in=area_paths)}
    empty = dict.fromkeys(STOCK_KEYS, 0)
    features, rows = [], []
    for grid in grids:
        s = stocks.get(grid.pk, empty)
        name = f"{grid.name}#{grid.pk}"
        grade = grades.get(grid.compound.path) if grid.compound is not None else None
        reported = flows.get(grid.pk, {}).get("cases_reported", 0)
        rows.append(
            {
                "name": name,
                "grid_id": grid.pk,
                "label": grid.name,
                "place": grid.compound.name if grid.compound is not None else grid.community.name,
                "query": drill_query(actor, focus, grid, areas),
                "on_map": grid.boundary is not None,
                **_cells(s, reported),
                "grade": {
                    "value": grade,
                    "text": f"{grade} {GRADES.get(grade, '')}".strip() if grade else _("暂无"),
                    "detail": "",
                },
            }
        )
        if grid.boundary is not None:
            features.append({"type": "Feature", "properties": {"name": name}, "geometry": grid.boundary})
    if focus.grid is None and (0 in stocks or 0 in flows):
        rows.append(_outside_row(stocks.get(0, empty), flows.get(0, {}).get("cases_reported", 0)))
    return {
        "geo": {"type": "FeatureCollection", "features": features},
        "rows": rows,
        "layers": [{"key": la.key, "label": str(la.label), "help": str(la.help)} for la in LAYERS],
        "day": day.isoformat() if day else "",
        "grades": [{"value": k, "label": f"{k} {v}"} for k, v in GRADES.items()],
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
    day = selectors.stock_day(keys=["manager_grade"], on=today)
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
