"""Who sees which places and grids. The only module that reads roles for territory."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongzhi.accounts.choices import Role
from gongzhi.core.actors import Actor, any_subtree_q
from gongzhi.territory.models import Grid, Node

# Roles whose Duty names a node and who see the places below it.
NODE_ROLES = (
    Role.SUBDISTRICT_OFFICER,
    Role.COMMUNITY_WORKER,
    Role.LEAD_CADRE,
    Role.RESPONSIBLE_CADRE,
    Role.BUILDING_HEAD,
    Role.PROPERTY_STAFF,
    Role.COMMITTEE_MEMBER,
    Role.PARTY_SECRETARY,
    Role.VOLUNTEER_MANAGER,
)
GRID_ROLES = (Role.GRID_HEAD, Role.GRID_WORKER)
# Roles that manage territory: create nodes and grids, assign buildings, change codes.
TERRITORY_ADMIN_ROLES = (Role.SUBDISTRICT_OFFICER,)


def visible_nodes(actor: Actor) -> QuerySet[Node]:
    if actor.is_system:
        return Node.objects.all()
    if not actor.is_authenticated:
        return Node.objects.none()
    q = any_subtree_q("path", actor.paths(*NODE_ROLES))
    grid_ids = actor.grid_ids(*GRID_ROLES)
    if grid_ids:
        q |= Q(grid_id__in=grid_ids)
    return Node.objects.filter(q)


def visible_grids(actor: Actor) -> QuerySet[Grid]:
    """Real grids the actor sees; a community's holding cell (is_holding) is the campaigns' own, never listed."""
    grids = Grid.objects.filter(is_holding=False)
    if actor.is_system:
        return grids
    if not actor.is_authenticated:
        return Grid.objects.none()
    # A grid is visible to whoever holds its community (grid.org_path) or a node above it.
    q = any_subtree_q("org_path", actor.paths(Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_WORKER, Role.VOLUNTEER_MANAGER))
    compound_ids = actor.node_ids(
        Role.LEAD_CADRE, Role.RESPONSIBLE_CADRE, Role.PROPERTY_STAFF, Role.COMMITTEE_MEMBER, Role.PARTY_SECRETARY
    )
    if compound_ids:
        q |= Q(compound_id__in=compound_ids)
    grid_ids = actor.grid_ids(*GRID_ROLES)
    if grid_ids:
        q |= Q(pk__in=grid_ids)
    building_ids = actor.node_ids(Role.BUILDING_HEAD)
    if building_ids:
        q |= Q(pk__in=Node.objects.filter(pk__in=building_ids).values("grid_id"))
    return grids.filter(q)


def can_manage_territory(actor: Actor, node: Node | None = None) -> bool:
    if actor.is_system:
        return True
    if node is None:
        return actor.has_role(*TERRITORY_ADMIN_ROLES)
    return any(node.path.startswith(path) for path in actor.paths(*TERRITORY_ADMIN_ROLES))
