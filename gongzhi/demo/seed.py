"""seed_demo: write a tier's territory, registry and personas in one transaction.

Determinism: every random draw comes from ``random.Random`` streams seeded from the --seed number (one
stream per concern, so that the layout does not shift when the population code changes), and every date
from REFERENCE_DATE. Plaintext data, paths, codes and primary keys are the same on every run with the
same seed on an empty database; ciphertexts differ (random nonces) while blind indexes do not.

Every person's columns come from registry.services.person_fields, as for one typed into the registry
form. Like any bulk load, the seed writes no simple_history rows: a row's history starts with its first
edit through a service.
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from gongzhi.core.bulk import Ids, Row, bulk_load_cache, insert_rows, reset_sequences
from gongzhi.core.identity import DocumentType
from gongzhi.demo.layout import (
    TIERS,
    BuildingPlan,
    CommunityPlan,
    CompoundPlan,
    GridPlan,
    Style,
    SubdistrictPlan,
    build_plan,
)
from gongzhi.demo.personas import existing_persona_usernames, write_personas
from gongzhi.demo.population import (
    DEVELOPER_NAME,
    REFERENCE_DATE,
    HouseholdDraft,
    Occupancy,
    PopulationMaker,
    years_ago,
)
from gongzhi.registry.choices import DwellingKind, HolderKind, PersonStatus
from gongzhi.registry.models import (
    CareTag,
    Dwelling,
    Household,
    Membership,
    Ownership,
    Person,
    PersonCareTag,
    Residence,
)
from gongzhi.registry.services import PersonData, person_fields
from gongzhi.territory.choices import CodeScheme, NodeKind
from gongzhi.territory.models import CodeRecord, Grid, Node

DEFAULT_SEED = 2026
CODES_VALID_FROM = dt.date(2020, 1, 1)
NODE_BATCH_SIZE = 2000

Log = Callable[[str], None]


class DemoDataExists(Exception):
    """The database already holds territory or registry data; the seed never writes over it."""


@dataclass
class SeedReport:
    tier: str
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    peak_rss_mib: float = 0.0
    app_summaries: list[str] = field(default_factory=list)


def database_has_data() -> bool:
    return any(model.objects.exists() for model in (Node, Grid, Dwelling, Household, Person))


def seed_demo(*, tier: str = "S", seed: int = DEFAULT_SEED, log: Log | None = None) -> SeedReport:
    """Build tier T, S or M on an empty database. Raises DemoDataExists rather than mixing with data."""
    say = log or (lambda _message: None)
    if tier not in TIERS:
        raise ValueError(f"Unknown tier {tier!r}: choose one of {', '.join(TIERS)}.")
    started = time.perf_counter()
    report = SeedReport(tier=tier, seed=seed)
    with transaction.atomic(), bulk_load_cache():
        if database_has_data():
            raise DemoDataExists("The database already has territory or registry data.")
        taken = existing_persona_usernames()
        if taken:
            raise DemoDataExists(f"Demo usernames already exist: {', '.join(taken)}. Use an empty database.")
        plan = build_plan(TIERS[tier], random.Random(f"{seed}:layout"))
        ids = Ids()
        report.counts.update(write_territory(plan, ids))
        say(f"territory: {report.counts['nodes']} nodes, {report.counts['grids']} grids")
        registry = RegistryWriter(plan, ids, random.Random(f"{seed}:people"), say)
        report.counts.update(registry.write())
        report.counts.update(write_personas(plan, registry.jumin, random.Random(f"{seed}:staff")))
        reset_sequences(
            [Node, Grid, CodeRecord, Dwelling, Household, Residence, Person, PersonCareTag, Membership, Ownership]
        )
    # Each app adds its own demo data through its own services, after the territory and registry exist.
    # Their "today" is the real one: their workflows have deadlines that services check against now.
    for module in settings.GONGZHI_DEMO_MODULES:
        with transaction.atomic():
            summary = import_module(module).seed_demo_data(
                rng=random.Random(f"{seed}:{module}"), today=timezone.localdate(), tier=tier
            )
        say(f"{module}: {summary}")
        report.app_summaries.append(summary)
    report.seconds = time.perf_counter() - started
    report.peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return report


# --- territory ------------------------------------------------------------------------------------


def write_territory(plan: SubdistrictPlan, ids: Ids) -> dict[str, int]:
    """The tree, grids and code records, with materialized paths computed here instead of per-node
    treebeard calls (each add_child reads and updates its parent: tens of thousands of round trips)."""
    nodes: list[Node] = []
    codes: list[CodeRecord] = []

    def add(parent_path: str, index: int, *, kind: str, name: str, numchild: int, **details: object) -> Node:
        depth = len(parent_path) // Node.steplen + 1
        node = Node(
            id=ids.take(Node),
            path=Node._get_path(parent_path, depth, index),
            depth=depth,
            numchild=numchild,
            kind=kind,
            name=name,
            **details,
        )
        nodes.append(node)
        if node.code:
            scheme = CodeScheme.STATISTICAL if kind == NodeKind.COMMUNITY else CodeScheme.LOCAL
            codes.append(CodeRecord(node_id=node.id, scheme=scheme, value=node.code, valid_from=CODES_VALID_FROM))
        return node

    grids: list[Grid] = []
    root = add(
        "",
        1,
        kind=NodeKind.SUBDISTRICT,
        name=plan.name,
        numchild=len(plan.communities),
        code=plan.code,
        boundary=plan.rect.geojson() if plan.rect else None,
    )
    plan.node_id = root.id
    for c_index, community in enumerate(plan.communities, start=1):
        c_node = add(
            root.path,
            c_index,
            kind=NodeKind.COMMUNITY,
            name=community.name,
            numchild=len(community.areas),
            code=community.code,
            boundary=community.rect.geojson(),
        )
        community.node_id, community.path = c_node.id, c_node.path
        for a_index, area in enumerate(community.areas, start=1):
            a_node = add(
                c_node.path,
                a_index,
                kind=NodeKind.AREA,
                name=area.name,
                numchild=len(area.compounds),
                code=area.code,
                boundary=area.rect.geojson(),
            )
            area.node_id = a_node.id
            for k_index, compound in enumerate(area.compounds, start=1):
                k_node = add(
                    a_node.path,
                    k_index,
                    kind=NodeKind.COMPOUND,
                    name=compound.spec.name,
                    numchild=sum(len(g.buildings) for g in compound.grids),
                    code=compound.code,
                    management_mode=compound.spec.management_mode,
                    is_old_compound=compound.spec.style in (Style.OLD, Style.SINGLE),
                    is_single_building=compound.spec.style is Style.SINGLE,
                    boundary=compound.rect.geojson(),
                )
                compound.node_id = k_node.id
                for grid in compound.grids:
                    grids.append(_grid_row(grid, community, compound, ids))
                    codes.append(
                        CodeRecord(
                            grid_id=grid.grid_id, scheme=CodeScheme.GRID, value=grid.code, valid_from=CODES_VALID_FROM
                        )
                    )
                    for building in grid.buildings:
                        _add_building(add, k_node.path, building, grid.grid_id)
    Node.objects.bulk_create(nodes, batch_size=NODE_BATCH_SIZE)
    Grid.objects.bulk_create(grids, batch_size=NODE_BATCH_SIZE)
    CodeRecord.objects.bulk_create(codes, batch_size=NODE_BATCH_SIZE)
    return {"nodes": len(nodes), "grids": len(grids), "code_records": len(codes)}


def _grid_row(grid: GridPlan, community: CommunityPlan, compound: CompoundPlan, ids: Ids) -> Grid:
    grid.grid_id = ids.take(Grid)
    single = compound.spec.style is Style.SINGLE
    return Grid(
        id=grid.grid_id,
        community_id=community.node_id,
        compound_id=compound.node_id,
        name=f"{compound.spec.name}网格" if single else f"{compound.spec.name}第{grid.sequence}网格",
        sequence=grid.sequence,
        code=grid.code,
        boundary=grid.rect.geojson(),
        org_path=community.path,
        min_lon=grid.rect.west,
        min_lat=grid.rect.south,
        max_lon=grid.rect.east,
        max_lat=grid.rect.north,
    )


def _add_building(add: Callable[..., Node], compound_path: str, building: BuildingPlan, grid_id: int) -> None:
    b_node = add(
        compound_path,
        building.number,
        kind=NodeKind.BUILDING,
        name=f"{building.number}号楼",
        numchild=building.units,
        code=str(building.number),
        grid_id=grid_id,
        floors=building.floors,
        longitude=building.longitude,
        latitude=building.latitude,
    )
    building.node_id = b_node.id
    for unit in range(1, building.units + 1):
        u_node = add(
            b_node.path, unit, kind=NodeKind.UNIT, name=f"{unit}单元", numchild=0, code=str(unit), grid_id=grid_id
        )
        building.units_written.append((u_node.id, u_node.path))


# --- registry -------------------------------------------------------------------------------------


@dataclass
class Jumin:
    """The resident persona: head and sole owner of a household in louzhang's building in grid A."""

    person_id: int = 0
    household_id: int = 0
    name: str = ""


@dataclass
class _Rows:
    """One community's registry rows, as {column: value} dicts (see bulk.py for why not instances)."""

    dwellings: list[Row] = field(default_factory=list)
    households: list[Row] = field(default_factory=list)
    people: list[Row] = field(default_factory=list)
    memberships: list[Row] = field(default_factory=list)
    residences: list[Row] = field(default_factory=list)
    ownerships: list[Row] = field(default_factory=list)
    care_tags: list[Row] = field(default_factory=list)

    def write(self) -> dict[str, int]:
        order: list[tuple[str, type[models.Model], list[Row]]] = [
            ("dwellings", Dwelling, self.dwellings),
            ("households", Household, self.households),
            ("people", Person, self.people),
            ("memberships", Membership, self.memberships),
            ("residences", Residence, self.residences),
            ("ownerships", Ownership, self.ownerships),
            ("person_care_tags", PersonCareTag, self.care_tags),
        ]
        return {name: insert_rows(model, rows) for name, model, rows in order}


class RegistryWriter:
    """Dwellings, households and people, community by community so that memory stays bounded."""

    def __init__(self, plan: SubdistrictPlan, ids: Ids, rng: random.Random, log: Log) -> None:
        self.plan = plan
        self.ids = ids
        self.rng = rng
        self.log = log
        self.population = PopulationMaker(rng)
        self.tag_ids = dict(CareTag.objects.filter(is_active=True).values_list("code", "id"))
        self.jumin = Jumin()
        self._jumin_building = plan.persona_compound.grids[0].buildings[0]
        # Owners who live in the community and let a second flat: a rented flat's landlord is often one.
        self._landlords: list[int] = []

    def write(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        started = time.perf_counter()
        for community in self.plan.communities:
            rows = _Rows()
            self._landlords = []
            for area in community.areas:
                for compound in area.compounds:
                    for grid in compound.grids:
                        for building in grid.buildings:
                            self._building(rows, compound, grid, building)
            for name, count in rows.write().items():
                totals[name] = totals.get(name, 0) + count
            self.log(
                f"{community.name}: {len(rows.households)} households, {len(rows.people)} people"
                f" ({time.perf_counter() - started:.1f} s)"
            )
        return totals

    def _building(self, rows: _Rows, compound: CompoundPlan, grid: GridPlan, building: BuildingPlan) -> None:
        style = compound.spec.style
        pop = self.population
        for unit_id, unit_path in building.units_written:
            # Flats stacked above each other have the same plan, so the same area on every floor.
            flat_areas = [pop.area_dm2(style, is_shop=False) for _ in range(building.flats_per_floor)]
            for floor in range(1, building.floors + 1):
                is_shop = floor == 1 and building.shops_per_unit > 0
                for position in range(1, (building.shops_per_unit if is_shop else building.flats_per_floor) + 1):
                    dwelling = {
                        "id": self.ids.take(Dwelling),
                        "unit_id": unit_id,
                        "room": f"{floor}{position:02d}",
                        "floor": floor,
                        "kind": DwellingKind.COMMERCIAL if is_shop else DwellingKind.RESIDENTIAL,
                        "exclusive_area_dm2": pop.area_dm2(style, is_shop=True)
                        if is_shop
                        else flat_areas[position - 1],
                        "org_path": unit_path,
                        "grid_id": grid.grid_id,
                    }
                    rows.dwellings.append(dwelling)
                    if building is self._jumin_building and not self.jumin.person_id and not is_shop:
                        self._jumin_household(rows, compound, dwelling)
                    else:
                        self._occupy(rows, compound, dwelling, is_shop=is_shop)

    def _occupy(self, rows: _Rows, compound: CompoundPlan, dwelling: Row, *, is_shop: bool) -> None:
        pop = self.population
        built_on = dt.date(compound.built_year, 6, 1)
        occupancy = pop.occupancy(compound.spec.style, is_shop=is_shop)
        if occupancy is Occupancy.OWNER:
            draft = pop.household(compound.spec.style, tenant=False, built_year=compound.built_year)
            self._landlords.append(self._household(rows, dwelling, draft))
            return
        ownership: dict[str, Any] = {"id": self.ids.take(Ownership), "dwelling_id": dwelling["id"]}
        if occupancy is Occupancy.DEVELOPER:
            ownership.update(holder_kind=HolderKind.DEVELOPER, holder_name=DEVELOPER_NAME, acquired_on=built_on)
        elif occupancy is Occupancy.ORGANISATION:
            ownership.update(
                holder_kind=HolderKind.ORGANISATION,
                holder_name=pop.organisation_name(),
                acquired_on=pop.date_between(built_on, years_ago(0.5)),
            )
        else:
            # Rented out or empty: the owner lives elsewhere, often in the same community.
            if occupancy is Occupancy.TENANT:
                draft = pop.household(compound.spec.style, tenant=True, built_year=compound.built_year)
                self._household(rows, dwelling, draft)
            if occupancy is Occupancy.TENANT and self._landlords and self.rng.random() < 0.4:
                owner_id = self.rng.choice(self._landlords)
            else:
                owner_id = self._non_resident_owner(rows, dwelling, pop.non_resident_owner())
            ownership.update(person_id=owner_id, acquired_on=pop.date_between(built_on, years_ago(1)))
        rows.ownerships.append(ownership)

    def _jumin_household(self, rows: _Rows, compound: CompoundPlan, dwelling: Row) -> None:
        """A family whose head holds an 18-digit citizen ID and a phone, and owns the flat alone."""
        while True:
            draft = self.population.household(
                compound.spec.style, tenant=False, built_year=compound.built_year, shape="couple_child"
            )
            head = draft.members[0].data
            if head.id_type == DocumentType.CITIZEN_ID and len(head.id_number) == 18 and head.phone:
                break
        for member in draft.members[1:]:
            member.is_owner = False
        head_id = self._household(rows, dwelling, draft)
        self.jumin = Jumin(person_id=head_id, household_id=rows.households[-1]["id"], name=head.name)

    def _person(self, data: PersonData, **columns: Any) -> Row:
        return {"id": self.ids.take(Person), **person_fields(data, today=REFERENCE_DATE), **columns}

    def _household(self, rows: _Rows, dwelling: Row, draft: HouseholdDraft) -> int:
        """Write a household with its members, memberships, residence, care tags and, for owners, ownership."""
        household_id = self.ids.take(Household)
        place = {"org_path": dwelling["org_path"], "grid_id": dwelling["grid_id"]}
        people = [self._person(member.data, household_id=household_id, **place) for member in draft.members]
        head_id = people[0]["id"]
        rows.households.append(
            {
                "id": household_id,
                "number": f"H{household_id:08d}",  # as registry.services numbers them
                "dwelling_id": dwelling["id"],
                "head_id": head_id,
                "registered_on": draft.moved_in_on,
                **place,
            }
        )
        rows.residences.append(
            {
                "id": self.ids.take(Residence),
                "household_id": household_id,
                "dwelling_id": dwelling["id"],
                "moved_in_on": draft.moved_in_on,
            }
        )
        rows.people.extend(people)
        owners = [person["id"] for person, member in zip(people, draft.members, strict=True) if member.is_owner]
        for member, person in zip(draft.members, people, strict=True):
            rows.memberships.append(
                {
                    "id": self.ids.take(Membership),
                    "person_id": person["id"],
                    "household_id": household_id,
                    "relation": member.relation,
                    "joined_on": member.joined_on,
                }
            )
            for code in member.tags:
                if code in self.tag_ids:
                    rows.care_tags.append(
                        {"id": self.ids.take(PersonCareTag), "person_id": person["id"], "tag_id": self.tag_ids[code]}
                    )
        for owner_id in owners:
            rows.ownerships.append(
                {
                    "id": self.ids.take(Ownership),
                    "dwelling_id": dwelling["id"],
                    "person_id": owner_id,
                    "share_numerator": 1,
                    "share_denominator": len(owners),  # co-owners hold equal shares
                    "acquired_on": draft.moved_in_on,
                }
            )
        return head_id

    def _non_resident_owner(self, rows: _Rows, dwelling: Row, data: PersonData) -> int:
        # Recorded where their property is, as person_move_out leaves a person's last place.
        person = self._person(
            data,
            status=PersonStatus.MOVED_OUT,
            household_id=None,
            org_path=dwelling["org_path"],
            grid_id=dwelling["grid_id"],
        )
        rows.people.append(person)
        return int(person["id"])
