"""The territory plan of a demo tier: which communities, areas, compounds, grids and buildings, and where.

The seed subdistrict (tier S) is written out by hand below, because people look at it: 纬二路街道 of
蚌山区, 蚌埠市, with 12 old compounds, 7 single buildings and 磨玉市场小区. Tier M keeps one subdistrict
root and the same six communities, and adds 34 generated ones (newer high-rise compounds with property
companies among the old ones): about 1,850 grids, 400,000 households and a million people under one
officer, the worst case for scoped queries. Tier T is the smallest world with every feature, for tests.

Geometry is a map of rectangles in WGS-84 longitude/latitude: communities side by side, each split into
area strips, each strip into compounds, each compound into grid cells. Every split reuses the parent's
edges exactly, so the grids of a community tile it with no gap and no overlap (a float edge computed twice
can differ in the last bit; an edge computed once and shared cannot).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from gongzhi.territory.choices import ManagementMode

COUNTY_CODE = "340303"  # 蚌山区
SUBDISTRICT_CODE = "340303001"  # 纬二路街道: community codes are this plus 3 digits
COORDINATE_DIGITS = 7  # about 1 cm
# North-west corner of the map, and the size of one community on it (about 700 m × 670 m).
MAP_WEST = 117.352
MAP_NORTH = 32.945
COMMUNITY_WIDTH = 0.0075
COMMUNITY_HEIGHT = 0.0060


class Style(StrEnum):
    """How a compound's buildings look: heights, flats per floor, sizes and when it was built."""

    OLD = "old"  # 老旧小区: walk-up blocks of the 1980s-90s
    SINGLE = "single"  # 单体楼: one building on its own, usually a former work-unit dormitory
    MARKET = "market"  # homes upstairs, shops on the ground floor
    NEW = "new"  # a newer high-rise compound with a property company


class ChainGap(StrEnum):
    """A hole left on purpose in a compound's responsibility chain, so the officer's list has entries."""

    NONE = ""
    NO_LEAD = "no_lead"
    NO_RESPONSIBLE = "no_responsible"
    GRID_HEAD_MISSING = "grid_head_missing"


@dataclass(frozen=True)
class CompoundSpec:
    name: str
    style: Style
    grids: int
    management_mode: str
    chain_gap: ChainGap = ChainGap.NONE


@dataclass(frozen=True)
class AreaSpec:
    name: str
    compounds: tuple[CompoundSpec, ...]


@dataclass(frozen=True)
class CommunitySpec:
    name: str
    areas: tuple[AreaSpec, ...]


@dataclass(frozen=True)
class TierSpec:
    code: str
    communities: tuple[CommunitySpec, ...]
    households_per_grid: int
    map_columns: int  # communities per row on the map


def _c(name: str, style: Style, grids: int, mode: ManagementMode, gap: ChainGap = ChainGap.NONE) -> CompoundSpec:
    return CompoundSpec(name, style, grids, str(mode), gap)


OLD, SINGLE, MARKET, NEW = Style.OLD, Style.SINGLE, Style.MARKET, Style.NEW
PROPERTY, THIRD, SELF, NO_MGMT = (
    ManagementMode.PROPERTY_COMPANY,
    ManagementMode.THIRD_PARTY,
    ManagementMode.SELF_MANAGED,
    ManagementMode.NONE,
)

# The first compound of the first community is compound X of DESIGN.md §1: the personas live there.
SEED_COMMUNITIES: tuple[CommunitySpec, ...] = (
    CommunitySpec(
        "华侨社区",
        (
            AreaSpec(
                "华侨片区",
                (
                    _c("华侨新村", OLD, 14, PROPERTY),
                    _c("健康里小区", OLD, 11, SELF),
                    _c("邮电宿舍", SINGLE, 1, NO_MGMT),
                ),
            ),
            AreaSpec("青年片区", (_c("青年街小区", OLD, 10, THIRD),)),
        ),
    ),
    CommunitySpec(
        "纬二路社区",
        (
            AreaSpec(
                "纬二路片区",
                (
                    _c("纬二路小区", OLD, 12, NO_MGMT),
                    _c("粮食局家属楼", SINGLE, 1, NO_MGMT, ChainGap.NO_LEAD),
                    _c("二中教工楼", SINGLE, 1, SELF),
                ),
            ),
            AreaSpec("大庆片区", (_c("大庆小区", OLD, 10, THIRD),)),
        ),
    ),
    CommunitySpec(
        "磨玉社区",
        (
            AreaSpec(
                "磨玉片区",
                (
                    _c("磨玉市场小区", MARKET, 8, THIRD),
                    _c("工农新村", OLD, 11, SELF, ChainGap.GRID_HEAD_MISSING),
                    _c("供电公司宿舍", SINGLE, 1, SELF),
                ),
            ),
            AreaSpec("中荣片区", (_c("中荣街小区", OLD, 11, THIRD),)),
        ),
    ),
    CommunitySpec(
        "南山社区",
        (
            AreaSpec(
                "南山片区",
                (
                    _c("南山新村", OLD, 12, NO_MGMT, ChainGap.NO_RESPONSIBLE),
                    _c("纺织厂宿舍", SINGLE, 1, NO_MGMT),
                ),
            ),
        ),
    ),
    CommunitySpec(
        "延安社区",
        (
            AreaSpec("延安片区", (_c("延安路小区", OLD, 11, SELF), _c("东市街23号楼", SINGLE, 1, NO_MGMT))),
            AreaSpec("淮河片区", (_c("淮河新村", OLD, 12, THIRD),)),
        ),
    ),
    CommunitySpec(
        "胜利社区",
        (
            AreaSpec(
                "胜利片区",
                (
                    _c("胜利西村", OLD, 11, NO_MGMT),
                    _c("国庆新村", OLD, 11, SELF),
                    _c("工商银行宿舍楼", SINGLE, 1, SELF),
                ),
            ),
        ),
    ),
)

TINY_COMMUNITIES: tuple[CommunitySpec, ...] = (
    CommunitySpec(
        "华侨社区",
        (
            AreaSpec(
                "华侨片区",
                (_c("华侨新村", OLD, 3, PROPERTY), _c("健康里小区", OLD, 2, SELF, ChainGap.NO_RESPONSIBLE)),
            ),
        ),
    ),
    CommunitySpec(
        "磨玉社区",
        (AreaSpec("磨玉片区", (_c("磨玉市场小区", MARKET, 2, THIRD), _c("邮电宿舍", SINGLE, 1, NO_MGMT))),),
    ),
)

_M_COMMUNITY_NAMES = (
    "朝阳", "新华", "幸福", "光明", "和平", "团结", "长青", "东升", "锦华", "安康", "兴业", "春晖", "富民",
    "清河", "翠园", "银河", "文化", "体育", "和顺", "龙华", "金山", "宝兴", "惠民", "东风", "红旗", "建设",
    "解放", "振兴", "前进", "永安", "宏业", "新城", "丰收", "滨河", "湖滨", "花园",
)  # fmt: skip
_M_PREFIXES = (
    "锦绣", "阳光", "和谐", "金色", "翠湖", "丽景", "东方", "学府", "滨河", "湖畔", "时代", "书香", "御景",
    "紫荆", "海棠", "梧桐", "银杏", "桂花", "荷塘", "春江", "秋实", "明珠", "嘉禾", "瑞景",
)  # fmt: skip
_M_NEW_SUFFIXES = ("花园", "华府", "名苑", "雅居", "公馆", "新城")
_M_OLD_SUFFIXES = ("新村", "小区", "里")
_M_WORK_UNITS = (
    "机械厂", "玻璃厂", "卷烟厂", "化肥厂", "水利局", "税务局", "人民医院", "第三中学", "邮政局",
    "自来水公司", "交通局", "棉纺厂", "粮食局", "电业局",
)  # fmt: skip
_M_OLD_MODES = (THIRD, SELF, NO_MGMT, PROPERTY)
# 6 + 34 = 40 communities on an 8 × 5 map, 50 grids in each generated one (limits.md's tier M shape).
M_EXTRA_COMMUNITIES = 34
M_GRIDS_PER_COMPOUND = 8


def _m_community(index: int) -> CommunitySpec:
    """A generated community of tier M: two areas, each a new compound, two old ones and a single building."""
    prefixes = [_M_PREFIXES[(index * 5 + k) % len(_M_PREFIXES)] for k in range(6)]
    grids = M_GRIDS_PER_COMPOUND
    areas = []
    for a in range(2):
        new_prefix, old1, old2 = prefixes[a * 3 : a * 3 + 3]
        work_unit = _M_WORK_UNITS[(index * 2 + a) % len(_M_WORK_UNITS)]
        areas.append(
            AreaSpec(
                f"{_M_COMMUNITY_NAMES[index]}{'东西'[a]}片区",
                (
                    _c(new_prefix + _M_NEW_SUFFIXES[(index + a) % len(_M_NEW_SUFFIXES)], NEW, grids, PROPERTY),
                    _c(old1 + _M_OLD_SUFFIXES[index % 3], OLD, grids, _M_OLD_MODES[(index + a) % 4]),
                    _c(old2 + _M_OLD_SUFFIXES[(index + 1) % 3], OLD, grids, _M_OLD_MODES[(index + a + 1) % 4]),
                    _c(f"{work_unit}宿舍楼", SINGLE, 1, (NO_MGMT, SELF)[a]),
                ),
            )
        )
    return CommunitySpec(f"{_M_COMMUNITY_NAMES[index]}社区", tuple(areas))


TIERS: dict[str, TierSpec] = {
    "T": TierSpec("T", TINY_COMMUNITIES, households_per_grid=30, map_columns=2),
    "S": TierSpec("S", SEED_COMMUNITIES, households_per_grid=205, map_columns=3),
    "M": TierSpec(
        "M",
        SEED_COMMUNITIES + tuple(_m_community(i) for i in range(M_EXTRA_COMMUNITIES)),
        households_per_grid=210,
        map_columns=8,
    ),
}


# --- geometry -------------------------------------------------------------------------------------


def _edges(low: float, high: float, weights: list[float]) -> list[float]:
    """Cut [low, high] in proportion to weights; the ends are the parent's own edges, untouched."""
    total = sum(weights)
    edges = [low]
    running = 0.0
    for weight in weights[:-1]:
        running += weight
        edges.append(round(low + (high - low) * running / total, COORDINATE_DIGITS))
    edges.append(high)
    return edges


@dataclass(frozen=True)
class Rect:
    west: float
    south: float
    east: float
    north: float

    def split_west_east(self, weights: list[float]) -> list[Rect]:
        xs = _edges(self.west, self.east, weights)
        return [Rect(xs[i], self.south, xs[i + 1], self.north) for i in range(len(weights))]

    def split_north_south(self, weights: list[float]) -> list[Rect]:
        ys = _edges(self.north, self.south, weights)
        return [Rect(self.west, ys[i + 1], self.east, ys[i]) for i in range(len(weights))]

    def point(self, fx: float, fy: float) -> tuple[float, float]:
        """The point at fractions (fx, fy) of the width and height, measured from the south-west corner."""
        return (
            round(self.west + (self.east - self.west) * fx, COORDINATE_DIGITS),
            round(self.south + (self.north - self.south) * fy, COORDINATE_DIGITS),
        )

    def geojson(self) -> dict[str, Any]:
        # Counter-clockwise exterior ring, as RFC 7946 asks.
        ring = [
            [self.west, self.south],
            [self.east, self.south],
            [self.east, self.north],
            [self.west, self.north],
            [self.west, self.south],
        ]
        return {"type": "Polygon", "coordinates": [ring]}


def grid_cells(rect: Rect, count: int) -> list[Rect]:
    """Split a compound into ``count`` cells: rows north to south, each row cut into near-square cells."""
    rows = max(1, round(math.sqrt(count)))
    per_row = [count // rows + (1 if r < count % rows else 0) for r in range(rows)]
    cells: list[Rect] = []
    for row_rect, n in zip(rect.split_north_south([float(n) for n in per_row]), per_row, strict=True):
        cells.extend(row_rect.split_west_east([1.0] * n))
    return cells


# --- the plan -------------------------------------------------------------------------------------


@dataclass
class BuildingPlan:
    number: int
    floors: int
    units: int
    flats_per_floor: int  # per unit
    shops_per_unit: int  # shops on the ground floor (then floor 1 has no flats)
    longitude: float = 0.0
    latitude: float = 0.0
    # Filled in by seed.write_territory: the building's node and its units' (id, path).
    node_id: int = 0
    units_written: list[tuple[int, str]] = field(default_factory=list)

    @property
    def residential_count(self) -> int:
        return (self.floors - (1 if self.shops_per_unit else 0)) * self.units * self.flats_per_floor


@dataclass
class GridPlan:
    sequence: int
    code: str  # community 12 + area 2 + compound 3 + sequence 3
    rect: Rect
    buildings: list[BuildingPlan] = field(default_factory=list)
    grid_id: int = 0  # filled in by seed.write_territory


@dataclass
class CompoundPlan:
    spec: CompoundSpec
    code: str
    rect: Rect
    built_year: int
    grids: list[GridPlan] = field(default_factory=list)
    node_id: int = 0


@dataclass
class AreaPlan:
    name: str
    code: str
    rect: Rect
    compounds: list[CompoundPlan] = field(default_factory=list)
    node_id: int = 0


@dataclass
class CommunityPlan:
    name: str
    code: str
    rect: Rect
    areas: list[AreaPlan] = field(default_factory=list)
    node_id: int = 0
    path: str = ""


@dataclass
class SubdistrictPlan:
    name: str
    code: str
    rect: Rect | None  # None when the communities do not fill the map's last row
    households_per_grid: int
    communities: list[CommunityPlan] = field(default_factory=list)
    node_id: int = 0

    @property
    def persona_compound(self) -> CompoundPlan:
        """Compound X of DESIGN.md §1; its grids 1 and 2 are grids A and B."""
        return self.communities[0].areas[0].compounds[0]


def _compound_weight(spec: CompoundSpec) -> float:
    # A single building gets a narrow strip rather than a full grid's width.
    return 0.6 if spec.style is Style.SINGLE else float(spec.grids)


def _built_year(rng: random.Random, style: Style) -> int:
    if style is Style.OLD:
        return rng.randint(1982, 1999)
    if style is Style.SINGLE:
        return rng.randint(1978, 2000)
    if style is Style.MARKET:
        return 2016
    return rng.randint(2006, 2021)


def _new_building(rng: random.Random, style: Style, number: int) -> BuildingPlan:
    def pick(values: tuple[int, ...], weights: tuple[int, ...]) -> int:
        return rng.choices(values, weights=weights)[0]

    if style is Style.OLD:
        high_rise = rng.random() < 0.06  # the odd later infill tower
        floors = rng.randint(11, 18) if high_rise else pick((5, 6, 7), (3, 6, 2))
        return BuildingPlan(number, floors, pick((1, 2, 3), (2, 5, 3)), pick((2, 3, 4), (6, 3, 1)), 0)
    if style is Style.SINGLE:
        floors = rng.randint(11, 18) if rng.random() < 0.3 else rng.randint(5, 7)
        return BuildingPlan(number, floors, pick((1, 2), (3, 2)), pick((2, 3, 4), (5, 3, 1)), 0)
    if style is Style.MARKET:
        return BuildingPlan(number, rng.randint(11, 18), pick((2, 3), (1, 1)), rng.randint(2, 4), rng.randint(2, 4))
    return BuildingPlan(number, rng.randint(11, 18), pick((1, 2, 3), (2, 4, 2)), rng.randint(2, 4), 0)


def _shrink_to(building: BuildingPlan, wanted: int, style: Style) -> None:
    """Make a building smaller while it is far bigger than the flats the grid still needs."""
    min_floors = 11 if building.floors >= 11 and style is not Style.OLD else 5
    while building.residential_count > max(wanted * 1.3, 12):
        if building.units > 1:
            building.units -= 1
        elif building.flats_per_floor > 2:
            building.flats_per_floor -= 1
        elif building.floors > min_floors:
            building.floors -= 1
        else:
            return


def _place_buildings(rng: random.Random, rect: Rect, buildings: list[BuildingPlan]) -> None:
    """Buildings on a jittered lattice well inside the cell: a building is in exactly one grid."""
    columns = math.ceil(math.sqrt(len(buildings)))
    rows = math.ceil(len(buildings) / columns)
    for index, building in enumerate(buildings):
        row, column = divmod(index, columns)
        fx = (column + 0.5 + rng.uniform(-0.2, 0.2)) / columns
        fy = 1 - (row + 0.5 + rng.uniform(-0.2, 0.2)) / rows
        building.longitude, building.latitude = rect.point(fx, fy)


def _plan_grid_buildings(
    rng: random.Random, compound: CompoundPlan, grid: GridPlan, target_flats: int, first_number: int
) -> int:
    style = compound.spec.style
    number = first_number
    if style is Style.SINGLE:
        grid.buildings.append(_new_building(rng, style, number))
        _place_buildings(rng, grid.rect, grid.buildings)
        return number + 1
    flats = 0
    while flats < target_flats:
        building = _new_building(rng, style, number)
        _shrink_to(building, target_flats - flats, style)
        grid.buildings.append(building)
        flats += building.residential_count
        number += 1
    _place_buildings(rng, grid.rect, grid.buildings)
    return number


def build_plan(tier: TierSpec, rng: random.Random) -> SubdistrictPlan:
    """Lay out the tier's communities on the map and draw every compound's buildings."""
    columns = tier.map_columns
    n = len(tier.communities)
    rows = math.ceil(n / columns)
    xs = [round(MAP_WEST + COMMUNITY_WIDTH * i, COORDINATE_DIGITS) for i in range(columns + 1)]
    ys = [round(MAP_NORTH - COMMUNITY_HEIGHT * j, COORDINATE_DIGITS) for j in range(rows + 1)]
    whole = Rect(xs[0], ys[-1], xs[-1], ys[0]) if n == rows * columns else None
    plan = SubdistrictPlan("纬二路街道", SUBDISTRICT_CODE, whole, tier.households_per_grid)
    # Flats wanted per grid: the households, plus the vacant ones (about 5%) and some slack.
    target_flats = round(tier.households_per_grid / 0.94)
    for index, community_spec in enumerate(tier.communities):
        row, column = divmod(index, columns)
        community_rect = Rect(xs[column], ys[row + 1], xs[column + 1], ys[row])
        community = CommunityPlan(community_spec.name, f"{SUBDISTRICT_CODE}{index + 1:03d}", community_rect)
        area_weights = [sum(_compound_weight(c) for c in a.compounds) for a in community_spec.areas]
        for a, (area_spec, area_rect) in enumerate(
            zip(community_spec.areas, community_rect.split_north_south(area_weights), strict=True)
        ):
            area = AreaPlan(area_spec.name, f"{a + 1:02d}", area_rect)
            compound_rects = area_rect.split_west_east([_compound_weight(c) for c in area_spec.compounds])
            for k, (spec, compound_rect) in enumerate(zip(area_spec.compounds, compound_rects, strict=True)):
                compound = CompoundPlan(spec, f"{k + 1:03d}", compound_rect, _built_year(rng, spec.style))
                number = 1
                for sequence, cell in enumerate(grid_cells(compound_rect, spec.grids), start=1):
                    grid = GridPlan(sequence, f"{community.code}{area.code}{compound.code}{sequence:03d}", cell)
                    wanted = round(target_flats * rng.uniform(0.9, 1.1))
                    number = _plan_grid_buildings(rng, compound, grid, wanted, number)
                    compound.grids.append(grid)
                area.compounds.append(compound)
            community.areas.append(area)
        plan.communities.append(community)
    return plan
