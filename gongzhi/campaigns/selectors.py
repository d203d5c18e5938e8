"""Reads of door-to-door campaigns, each starting from a visible_* scope.

Coverage is read from the grid tallies (one per grid, thousands in a subdistrict), summed in SQL by the
prefix of each tally's path, one query per level; the snapshot rows are read only for one grid's lists.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, ExpressionWrapper, F, IntegerField, Max, Min, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce, Length, Substr
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty, User
from gongzhi.campaigns.choices import (
    CHECKED_STATES,
    DONE_STATES,
    CampaignStatus,
    FieldTarget,
    HouseholdState,
    PersonState,
)
from gongzhi.campaigns.models import (
    Campaign,
    CampaignDayTally,
    CampaignField,
    CampaignGridTally,
    CampaignHousehold,
    CampaignPerson,
    GridAssignment,
    Visit,
)
from gongzhi.campaigns.permissions import (
    sees_grid_counts,
    visible_campaign_households,
    visible_campaign_people,
    visible_campaigns,
    visible_tallies,
)
from gongzhi.core.actors import Actor, subtree_q
from gongzhi.core.pinyin import mask_name
from gongzhi.territory.chains import CompoundChain, compound_chains
from gongzhi.territory.models import Grid, Node

STEP = Node.steplen


def _permille(part: int, whole: int) -> int:
    return part * 1000 // whole if whole else 0


@dataclass
class Coverage:
    households_total: int = 0
    households_reached: int = 0
    persons_total: int = 0
    persons_checked: int = 0
    key: str = ""
    name: str = ""
    kind: str = ""
    node_id: int | None = None
    grid_id: int | None = None

    def add(self, h_total: int, h_reached: int, p_total: int, p_checked: int) -> None:
        self.households_total += h_total
        self.households_reached += h_reached
        self.persons_total += p_total
        self.persons_checked += p_checked

    @property
    def household_permille(self) -> int:
        return _permille(self.households_reached, self.households_total)

    @property
    def person_permille(self) -> int:
        return _permille(self.persons_checked, self.persons_total)

    @property
    def household_pct(self) -> str:
        return f"{self.household_permille // 10}.{self.household_permille % 10}%"

    @property
    def person_pct(self) -> str:
        return f"{self.person_permille // 10}.{self.person_permille % 10}%"

    @property
    def households_missing(self) -> int:
        return self.households_total - self.households_reached

    @property
    def persons_missing(self) -> int:
        return self.persons_total - self.persons_checked


def campaign_list(*, actor: Actor) -> QuerySet[Campaign]:
    return visible_campaigns(actor).order_by("-starts_on", "-id")


def campaign_get(*, actor: Actor, campaign_id: int) -> Campaign:
    return get_object_or_404(visible_campaigns(actor), pk=campaign_id)


def campaign_fields(*, campaign: Campaign, target: str) -> list[CampaignField]:
    return list(CampaignField.objects.filter(campaign=campaign, target=target).order_by("sort_order", "id"))


TALLY_COLUMNS = ("households_total", "households_reached", "persons_total", "persons_checked")
# The four TALLY_COLUMNS summed in SQL: a subdistrict's campaign has thousands of grids, and reading every
# tally into Python to add them up cost more than the rest of the campaign page together (issue 18).
TALLY_SUMS = {c: Coalesce(Sum(c), 0, output_field=IntegerField()) for c in TALLY_COLUMNS}
# The worst grids listed beside the drill-down: the officer's "where to push", not every grid.
WORST_GRIDS = 10


def campaign_tallies(*, actor: Actor, campaign: Campaign) -> QuerySet[CampaignGridTally]:
    """The campaign's grid tallies the actor sees, unordered: built once per page (the scope's Q costs more
    than compiling a query) and passed to the selectors below as ``tallies``."""
    return visible_tallies(actor).filter(campaign=campaign).order_by()


def campaign_coverage(
    *,
    actor: Actor,
    campaign: Campaign,
    node: Node | None = None,
    tallies: QuerySet[CampaignGridTally] | None = None,
) -> Coverage:
    """Households reached / registered and persons checked / registered over everything the actor sees."""
    if not sees_grid_counts(actor) or (node is not None and node.kind in ("building", "unit")):
        return _coverage_from_rows(actor=actor, campaign=campaign, node=node)
    if tallies is None:
        tallies = campaign_tallies(actor=actor, campaign=campaign)
    if node is not None:
        # The node's subtree, and the grids of a compound or community above it (a grid spans buildings).
        tallies = tallies.filter(subtree_q("org_path", node.path) | Q(org_path__in=_prefixes(node.path)))
    return Coverage(**tallies.aggregate(**TALLY_SUMS))


def summed(rows: list[Coverage]) -> Coverage:
    """The coverage of the whole from the top level's rows, which share out every visible tally between
    them (so the page does not sum the tallies twice)."""
    total = Coverage()
    for r in rows:
        total.add(r.households_total, r.households_reached, r.persons_total, r.persons_checked)
    return total


def _prefixes(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path), STEP)]


def _coverage_from_rows(*, actor: Actor, campaign: Campaign, node: Node | None) -> Coverage:
    """For building heads and buildings: counted from the snapshot rows (a building has a few hundred)."""
    households = visible_campaign_households(actor).filter(campaign=campaign)
    people = visible_campaign_people(actor).filter(campaign=campaign)
    if node is not None:
        households = households.filter(subtree_q("org_path", node.path))
        people = people.filter(subtree_q("household_row__org_path", node.path))
    return Coverage(
        households_total=households.count(),
        households_reached=households.filter(state__in=DONE_STATES).count(),
        persons_total=people.count(),
        persons_checked=people.filter(state__in=CHECKED_STATES).count(),
    )


def _common_depth(tallies: QuerySet[CampaignGridTally]) -> int | None:
    """The length of the path where the tallies part ways (None when there are none): the longest common
    prefix of all paths is that of the lowest and the highest, which the database finds without the rows."""
    bounds = tallies.aggregate(low=Min("org_path"), high=Max("org_path"))
    low, high = bounds["low"], bounds["high"]
    if low is None:
        return None
    common = 0
    while common < min(len(low), len(high)) and low[common] == high[common]:
        common += 1
    return common // STEP * STEP


def coverage_rows(
    *,
    actor: Actor,
    campaign: Campaign,
    node: Node | None = None,
    tallies: QuerySet[CampaignGridTally] | None = None,
) -> list[Coverage]:
    """One row per child of ``node`` (the top level when None) down to one row per grid under a compound.

    Summed in SQL, one query per level: a group per child path, and a row per grid for the grids that lie
    directly at ``node`` (or every grid, under a compound).
    """
    if tallies is None:
        tallies = campaign_tallies(actor=actor, campaign=campaign)
    if node is not None:
        tallies = tallies.filter(subtree_q("org_path", node.path))
        depth_len: int | None = len(node.path)
    else:
        # Start where the visible tallies part ways, one level further down.
        depth_len = _common_depth(tallies)
        if depth_len is None:
            return []
    child_len = depth_len + STEP
    # A grid whose path stops short of the child level (or any grid under a compound) is its own row.
    as_grid: Q = Q(path_len__lt=child_len) if node is None or node.kind != "compound" else Q(pk__isnull=False)
    grouped = (
        tallies.annotate(path_len=Length("org_path"))
        .values(prefix=Substr("org_path", 1, child_len), grid_ref=Case(When(as_grid, then=F("grid_id")), default=None))
        .annotate(**TALLY_SUMS)
    )
    groups: dict[str, Coverage] = {}
    grids: dict[int, Coverage] = {}
    for g in grouped:
        prefix, grid_id = g.pop("prefix"), g.pop("grid_ref")
        if grid_id is None:
            groups[prefix] = Coverage(key=prefix, **g)
        else:
            grids[grid_id] = Coverage(key=f"g{grid_id}", grid_id=grid_id, kind="grid", **g)
    if groups:
        nodes = Node.objects.filter(path__in=list(groups)).values_list("path", "pk", "name", "kind")
        for path, pk, name, kind in nodes:
            groups[path].node_id, groups[path].name, groups[path].kind = pk, name, kind
    if grids:
        for pk, name in Grid.objects.filter(pk__in=list(grids)).values_list("pk", "name"):
            grids[pk].name = name
    # Grids ordered by name (ties by id).
    return sorted(groups.values(), key=lambda c: c.key) + sorted(
        sorted(grids.values(), key=lambda c: c.grid_id or 0), key=lambda c: c.name
    )


def worst_grids(
    *,
    actor: Actor,
    campaign: Campaign,
    node: Node | None = None,
    limit: int = WORST_GRIDS,
    tallies: QuerySet[CampaignGridTally] | None = None,
) -> list[Coverage]:
    """The grids with the lowest share of households reached under ``node`` (ties: the most households
    missing first), ``limit`` of them: a subdistrict has thousands of grids, the page lists these."""
    if tallies is None:
        tallies = campaign_tallies(actor=actor, campaign=campaign)
    tallies = tallies.filter(households_total__gt=0)
    if node is not None:
        tallies = tallies.filter(subtree_q("org_path", node.path))
    share = ExpressionWrapper(F("households_reached") * 1000 / F("households_total"), output_field=IntegerField())
    missing = ExpressionWrapper(F("households_total") - F("households_reached"), output_field=IntegerField())
    rows = (
        tallies.filter(households_reached__lt=F("households_total"))
        .annotate(share=share, missing=missing)
        .order_by("share", "-missing", "grid_id")
        .values_list("grid_id", "grid__name", *TALLY_COLUMNS)[:limit]
    )
    return [
        Coverage(key=f"g{grid_id}", grid_id=grid_id, kind="grid", name=name, **dict(zip(TALLY_COLUMNS, c, strict=True)))
        for grid_id, name, *c in rows
    ]


def grid_coverage(*, actor: Actor, campaign: Campaign, grid_id: int) -> Coverage:
    tally = get_object_or_404(visible_tallies(actor).filter(campaign=campaign), grid_id=grid_id)
    return Coverage(**{c: getattr(tally, c) for c in TALLY_COLUMNS}, grid_id=grid_id, kind="grid")


def grid_get(*, actor: Actor, campaign: Campaign, grid_id: int) -> Grid:
    """A grid of the campaign the actor sees rows of (404 otherwise)."""
    if (
        not visible_campaign_households(actor).filter(campaign=campaign, grid_id=grid_id).exists()
        and not visible_tallies(actor).filter(campaign=campaign, grid_id=grid_id).exists()
    ):
        raise Http404
    return Grid.objects.select_related("compound", "community").get(pk=grid_id)


def my_grids(*, actor: Actor, campaign: Campaign) -> list[Grid]:
    """The grids whose households the actor walks: assigned, or held by duty."""
    held = actor.grid_ids()
    assigned = GridAssignment.objects.filter(campaign=campaign, worker_id=actor.user_id, ended_at__isnull=True)
    q = Q(pk__in=assigned.values("grid_id"))
    if held:
        q |= Q(pk__in=visible_tallies(actor).filter(campaign=campaign, grid_id__in=held).values("grid_id"))
    return list(Grid.objects.filter(q).order_by("code"))


@dataclass
class HouseholdLine:
    pk: int
    grid_id: int
    state: str
    visit_count: int
    address: str
    head: str

    @property
    def state_label(self) -> str:
        return str(HouseholdState(self.state).label)


@dataclass
class PersonLine:
    pk: int
    state: str
    is_found: bool
    name: str
    address: str

    @property
    def state_label(self) -> str:
        return str(PersonState(self.state).label)


# The columns the lists show, read as plain values: model instances of five joined tables cost more
# than the query, and whole Person rows would decrypt every ID number and phone.
HOUSEHOLD_VALUES = {
    "v_pk": F("pk"),
    "v_grid_ref": F("grid_id"),
    "v_st": F("state"),
    "v_visits": F("visit_count"),
    "v_number": F("household__number"),
    "v_room": F("household__dwelling__room"),
    "v_unit_path": F("household__dwelling__unit__path"),
    "v_unit_name": F("household__dwelling__unit__name"),
    "v_head_name": F("household__head__name"),
}


def household_rows(
    *, actor: Actor, campaign: Campaign, grid_id: int | None = None, state: str = ""
) -> QuerySet[CampaignHousehold, dict[str, Any]]:
    """The household rows in walking order (building, unit, floor, room), as values for household_lines."""
    rows = visible_campaign_households(actor).filter(campaign=campaign)
    if grid_id is not None:
        rows = rows.filter(grid_id=grid_id)
    if state == "missing":
        rows = rows.exclude(state__in=DONE_STATES)
    elif state:
        rows = rows.filter(state=state)
    return rows.order_by("walk_key", "pk").values(**HOUSEHOLD_VALUES)  # type: ignore[return-value]


def building_names(unit_paths: Iterable[str | None]) -> dict[str, str]:
    buildings = {p[:-STEP] for p in unit_paths if p}
    return dict(Node.objects.filter(path__in=buildings).values_list("path", "name")) if buildings else {}


def address_of(row: dict[str, Any], buildings: dict[str, str]) -> str:
    if not row["v_unit_path"]:
        return _("户号 %(n)s（未登记房屋）") % {"n": row.get("v_number") or "—"}
    return f"{buildings.get(row['v_unit_path'][:-STEP], '')}{row['v_unit_name']}{row['v_room']}"


def household_lines(rows: Iterable[dict[str, Any]]) -> list[HouseholdLine]:
    rows = list(rows)
    buildings = building_names(r["v_unit_path"] for r in rows)
    return [
        HouseholdLine(
            pk=r["v_pk"],
            grid_id=r["v_grid_ref"],
            state=r["v_st"],
            visit_count=r["v_visits"],
            address=address_of(r, buildings),
            head=mask_name(r["v_head_name"]) if r["v_head_name"] else "",
        )
        for r in rows
    ]


def household_line_people(*, row: CampaignHousehold) -> list[CampaignPerson]:
    return list(
        CampaignPerson.objects.filter(household_row=row)
        .select_related("person")
        .only("state", "is_found", "household_row_id", "person__name")
        .order_by("pk")
    )


def household_row_get(*, actor: Actor, campaign: Campaign, row_id: int) -> CampaignHousehold:
    return get_object_or_404(
        visible_campaign_households(actor)
        .filter(campaign=campaign)
        .select_related("household__dwelling__unit", "household__head", "campaign"),
        pk=row_id,
    )


def household_visits(*, row: CampaignHousehold) -> QuerySet[Visit]:
    return Visit.objects.filter(household_row=row).order_by("-visited_at")


def missing_people(*, actor: Actor, campaign: Campaign, grid_id: int) -> QuerySet[CampaignPerson, dict[str, Any]]:
    return (
        visible_campaign_people(actor)
        .filter(campaign=campaign, grid_id=grid_id)
        .exclude(state__in=CHECKED_STATES)
        .order_by("household_row__walk_key", "pk")
        .values(
            v_pk=F("pk"),
            v_st=F("state"),
            v_found=F("is_found"),
            v_name=F("person__name"),
            v_number=F("household_row__household__number"),
            v_room=F("household_row__household__dwelling__room"),
            v_unit_path=F("household_row__household__dwelling__unit__path"),
            v_unit_name=F("household_row__household__dwelling__unit__name"),
        )  # type: ignore[return-value]
    )


def people_lines(rows: Iterable[dict[str, Any]]) -> list[PersonLine]:
    rows = list(rows)
    buildings = building_names(r["v_unit_path"] for r in rows)
    return [
        PersonLine(
            pk=r["v_pk"],
            state=r["v_st"],
            is_found=r["v_found"],
            name=mask_name(r["v_name"]),
            address=address_of(r, buildings),
        )
        for r in rows
    ]


def daily_progress(
    *, actor: Actor, campaign: Campaign, tallies: QuerySet[CampaignGridTally] | None = None
) -> list[dict[str, Any]]:
    """Per day: households first covered and persons first checked, and the running totals."""
    days_q = CampaignDayTally.objects.filter(campaign=campaign)
    if not actor.is_system:
        if tallies is None:
            tallies = campaign_tallies(actor=actor, campaign=campaign)
        days_q = days_q.filter(grid_id__in=tallies.values("grid_id"))
    days = days_q.values("day").annotate(h=Sum("households_reached"), p=Sum("persons_checked")).order_by("day")
    out, h_run, p_run = [], 0, 0
    for d in days:
        h_run += d["h"]
        p_run += d["p"]
        day: dt.date = d["day"]
        out.append(
            {"day": day.isoformat(), "households": d["h"], "persons": d["p"], "h_total": h_run, "p_total": p_run}
        )
    return out


def map_data(*, actor: Actor, campaign: Campaign) -> dict[str, Any]:
    """GeoJSON of the visible grids with their household coverage in per-mille (the map page)."""
    tallies = {
        t["grid_id"]: t for t in visible_tallies(actor).filter(campaign=campaign).values("grid_id", *TALLY_COLUMNS)
    }
    features, values = [], []
    for grid in Grid.objects.filter(pk__in=list(tallies), boundary__isnull=False).only("pk", "name", "boundary"):
        t = tallies[grid.pk]
        name = f"{grid.name}#{grid.pk}"
        features.append({"type": "Feature", "properties": {"name": name}, "geometry": grid.boundary})
        values.append(
            {
                "name": name,
                "value": _permille(t["households_reached"], t["households_total"]) / 10,
                "label": grid.name,
                "households": f"{t['households_reached']}/{t['households_total']}",
                "persons": f"{t['persons_checked']}/{t['persons_total']}",
            }
        )
    return {"geo": {"type": "FeatureCollection", "features": features}, "values": values}


@dataclass
class GridHolders:
    grid: Grid
    workers: list[User]
    coverage: Coverage


def grid_holders(*, actor: Actor, campaign: Campaign, compound: Node) -> tuple[list[GridHolders], CompoundChain | None]:
    """Who walks each grid of a compound in this campaign, and the compound's responsibility chain."""
    tallies = {t.grid_id: t for t in visible_tallies(actor).filter(campaign=campaign, org_path=compound.path)}
    workers: dict[int, list[User]] = defaultdict(list)
    for a in (
        GridAssignment.objects.filter(campaign=campaign, grid_id__in=list(tallies), ended_at__isnull=True)
        .select_related("worker")
        .order_by("worker__username")
    ):
        workers[a.grid_id].append(a.worker)
    grids = Grid.objects.filter(pk__in=list(tallies)).order_by("code")
    holders = [
        GridHolders(
            grid=g,
            workers=workers[g.pk],
            coverage=Coverage(**{c: getattr(tallies[g.pk], c) for c in TALLY_COLUMNS}, grid_id=g.pk, name=g.name),
        )
        for g in grids
    ]
    chains = compound_chains(actor=actor, compound_ids=[compound.pk])
    return holders, (chains[0] if chains else None)


def reassign_candidates(*, grid: Grid, current: set[int], on: dt.date) -> list[User]:
    """Who may walk a grid: the grid heads and workers on duty in its community, and whoever holds it now."""
    on_duty = Duty.objects.filter(
        Duty.current_q(on), role__in=[Role.GRID_HEAD, Role.GRID_WORKER], grid__community=grid.community
    ).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=set(on_duty) | current).order_by("username"))


def assignment_history(*, actor: Actor, campaign: Campaign, grid: Grid) -> QuerySet[GridAssignment]:
    return GridAssignment.objects.filter(campaign=campaign, grid=grid).select_related("worker").order_by("-assigned_at")


def person_field_list(campaign: Campaign) -> list[CampaignField]:
    return campaign_fields(campaign=campaign, target=FieldTarget.PERSON)


def household_field_list(campaign: Campaign) -> list[CampaignField]:
    return campaign_fields(campaign=campaign, target=FieldTarget.HOUSEHOLD)


# --- For the cockpit (dashboards): the tallies of every campaign, by grid and place ---


def open_tallies() -> list[tuple[int, str, int, int, int, int]]:
    """(grid_id, place, households total, reached, persons total, checked) of the open campaigns' tallies,
    summed per grid (place: the tally's org_path, already the grid's compound or community path)."""
    rows = (
        CampaignGridTally.objects.filter(campaign__status=CampaignStatus.OPEN)
        .values_list("grid_id", "org_path")
        .annotate(
            households=Sum("households_total"),
            reached=Sum("households_reached"),
            persons=Sum("persons_total"),
            checked=Sum("persons_checked"),
        )
        .order_by()
    )
    return [(g, p, h or 0, r or 0, n or 0, c or 0) for g, p, h, r, n, c in rows]


def day_tallies(*, since: dt.date, until: dt.date) -> list[tuple[dt.date, int, str, int, int]]:
    """(day, grid_id, place, households first reached, persons first checked) over every campaign."""
    rows = (
        CampaignDayTally.objects.filter(day__gte=since, day__lte=until)
        .values_list("day", "grid_id", "org_path")
        .annotate(households=Sum("households_reached"), persons=Sum("persons_checked"))
        .order_by()
    )
    return [(d, g, p, h or 0, n or 0) for d, g, p, h, n in rows]


def visit_mark() -> int:
    return Visit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def first_tally_day() -> dt.date | None:
    return CampaignDayTally.objects.order_by("day").values_list("day", flat=True).first()
