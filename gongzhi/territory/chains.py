"""The responsibility chain of a compound (包保领导 + 包保干部 + 网格长 + 责任人): who holds it, what is
missing, and who to tell next when something stays undone (escalation walks it upward)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.choices import CHAIN_ROLES, Role
from gongzhi.accounts.models import Duty, User
from gongzhi.core.actors import Actor, any_subtree_q
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Grid, Node
from gongzhi.territory.permissions import visible_nodes


@dataclass
class GridLink:
    grid: Grid
    heads: list[User] = field(default_factory=list)


@dataclass
class CompoundChain:
    compound: Node
    lead_cadres: list[User] = field(default_factory=list)
    responsible_cadres: list[User] = field(default_factory=list)
    grids: list[GridLink] = field(default_factory=list)
    building_count: int = 0
    buildings_with_head: int = 0
    building_heads: list[User] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        gaps = []
        if not self.lead_cadres:
            gaps.append(_("缺包保领导"))
        if not self.responsible_cadres:
            gaps.append(_("缺包保干部"))
        if not self.grids:
            gaps.append(_("未划网格"))
        gaps.extend(_("%(grid)s缺网格长") % {"grid": link.grid.name} for link in self.grids if not link.heads)
        if self.buildings_with_head < self.building_count:
            gaps.append(_("%(n)d栋楼缺责任人") % {"n": self.building_count - self.buildings_with_head})
        return gaps

    @property
    def is_complete(self) -> bool:
        return not self.missing


def compound_chains(*, actor: Actor, compound_ids: list[int] | None = None) -> list[CompoundChain]:
    """The chain of every visible compound (or the given ones), in four queries whatever their number."""
    on = timezone.localdate()
    compounds = visible_nodes(actor).filter(kind=NodeKind.COMPOUND).order_by("path")
    if compound_ids is not None:
        compounds = compounds.filter(pk__in=compound_ids)
    chains = {c.pk: CompoundChain(compound=c) for c in compounds}
    if not chains:
        return []
    by_path = {chain.compound.path: chain for chain in chains.values()}
    step = Node.steplen
    compound_depth = next(iter(chains.values())).compound.depth

    grids = Grid.objects.filter(compound_id__in=chains, is_active=True).order_by("code")
    links: dict[int, GridLink] = {}
    for grid in grids:
        links[grid.pk] = GridLink(grid=grid)
        if grid.compound_id is not None:
            chains[grid.compound_id].grids.append(links[grid.pk])

    buildings = (
        Node.objects.filter(kind=NodeKind.BUILDING, depth=compound_depth + 1)
        .filter(any_subtree_q("path", by_path))
        .values_list("pk", "path")
    )
    building_compound = {pk: by_path[path[: compound_depth * step]] for pk, path in buildings}
    for chain in building_compound.values():
        chain.building_count += 1

    duties = (
        Duty.objects.filter(Duty.current_q(on), role__in=CHAIN_ROLES)
        .filter(Q(node_id__in=chains) | Q(grid_id__in=links) | Q(node_id__in=building_compound))
        .select_related("user")
        .order_by("user__username")
    )
    headed_buildings: set[int] = set()
    for duty in duties:
        if duty.role == Role.LEAD_CADRE and duty.node_id in chains:
            chains[duty.node_id].lead_cadres.append(duty.user)
        elif duty.role == Role.RESPONSIBLE_CADRE and duty.node_id in chains:
            chains[duty.node_id].responsible_cadres.append(duty.user)
        elif duty.role == Role.GRID_HEAD and duty.grid_id in links:
            links[duty.grid_id].heads.append(duty.user)
        elif duty.role == Role.BUILDING_HEAD and duty.node_id is not None and duty.node_id in building_compound:
            building_compound[duty.node_id].building_heads.append(duty.user)
            headed_buildings.add(duty.node_id)
    for building_id in headed_buildings:
        building_compound[building_id].buildings_with_head += 1
    return list(chains.values())


@dataclass(frozen=True)
class ChainStep:
    role: str
    users: tuple[User, ...]


def escalation_steps(*, compound: Node, grid: Grid | None = None, building: Node | None = None) -> list[ChainStep]:
    """Who answers for a place, from the nearest to the most senior: 责任人 → 网格长 → 包保干部 → 包保领导.

    Steps with nobody on duty are left out, so the caller escalates past a gap rather than into it.
    This reads duties unscoped: it serves scheduled jobs (reminders, case escalation), not a user's view.
    """
    on = timezone.localdate()
    wanted = Q(role__in=[Role.LEAD_CADRE, Role.RESPONSIBLE_CADRE], node=compound)
    if grid is not None:
        wanted |= Q(role=Role.GRID_HEAD, grid=grid)
    if building is not None:
        wanted |= Q(role=Role.BUILDING_HEAD, node=building)
    found: dict[str, list[User]] = defaultdict(list)
    for duty in (
        Duty.objects.filter(Duty.current_q(on)).filter(wanted).select_related("user").order_by("user__username")
    ):
        if duty.user.is_active:
            found[duty.role].append(duty.user)
    return [ChainStep(role=role, users=tuple(found[role])) for role in CHAIN_ROLES if found.get(role)]
