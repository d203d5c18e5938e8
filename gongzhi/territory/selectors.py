"""Reads of the territory tree and grids; every one starts from visible_nodes / visible_grids."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from gongzhi.core.actors import Actor, outermost_paths
from gongzhi.territory.models import Grid, Node
from gongzhi.territory.permissions import NODE_ROLES, visible_grids, visible_nodes


def node_get(*, actor: Actor, node_id: int) -> Node:
    return get_object_or_404(visible_nodes(actor), pk=node_id)


def node_top_list(*, actor: Actor) -> QuerySet[Node]:
    """The places an actor's Duties name (outermost first): where browsing starts. Grid roles start from grids."""
    return visible_nodes(actor).filter(path__in=outermost_paths(actor.paths(*NODE_ROLES))).order_by("path")


def node_children(*, actor: Actor, node: Node) -> QuerySet[Node]:
    lo, hi = Node._get_children_path_interval(node.path)
    return visible_nodes(actor).filter(path__gte=lo, path__lte=hi, depth=node.depth + 1).order_by("path")


def node_ancestors(*, node: Node) -> list[Node]:
    """The chain above a node, for breadcrumbs; names of places above a visible node are not secret."""
    paths = [node.path[: i * Node.steplen] for i in range(1, node.depth)]
    return list(Node.objects.filter(path__in=paths).order_by("depth"))


def node_visible_ids(*, actor: Actor, nodes: list[Node]) -> set[int]:
    return set(visible_nodes(actor).filter(pk__in=[n.pk for n in nodes]).values_list("pk", flat=True))


def grid_list(*, actor: Actor, community: Node | None = None, search: str = "") -> QuerySet[Grid]:
    grids = visible_grids(actor).select_related("community", "compound")
    if community is not None:
        grids = grids.filter(community=community)
    if search:
        grids = grids.filter(Q(name__icontains=search) | Q(code__startswith=search))
    return grids.order_by("code")


def grid_get(*, actor: Actor, grid_id: int) -> Grid:
    return get_object_or_404(visible_grids(actor).select_related("community", "compound"), pk=grid_id)


def grid_buildings(*, actor: Actor, grid: Grid) -> QuerySet[Node]:
    return visible_nodes(actor).filter(grid=grid, kind="building").order_by("path")


def grids_with_building_counts(*, actor: Actor, community: Node) -> QuerySet[Grid]:
    return grid_list(actor=actor, community=community).annotate(
        building_count=Count("nodes", filter=Q(nodes__kind="building"))
    )


# Depth of a compound in the tree: subdistrict 1, community 2, area 3, compound 4.
COMPOUND_DEPTH = 4


def place_labels(*, paths: Iterable[str]) -> dict[str, str]:
    """ "X小区 1号楼 1单元" for each unit (or building) path, in one query for a whole page of rows."""
    paths = {p for p in paths if p}
    wanted = {p[: depth * Node.steplen] for p in paths for depth in range(COMPOUND_DEPTH, len(p) // Node.steplen + 1)}
    names = dict(Node.objects.filter(path__in=wanted).values_list("path", "name"))
    return {
        p: " ".join(
            names.get(p[: depth * Node.steplen], "") for depth in range(COMPOUND_DEPTH, len(p) // Node.steplen + 1)
        )
        for p in paths
    }


def compound_grids(*, actor: Actor, compound: Node) -> QuerySet[Grid]:
    return visible_grids(actor).filter(compound=compound).order_by("code")


def node_list(*, actor: Actor, kinds: list[str]) -> QuerySet[Node]:
    return visible_nodes(actor).filter(kind__in=kinds).order_by("path")


def holding_grid_ids() -> set[int]:
    """The communities' holding cells (未划网格): aggregates count what lies in them as in no grid."""
    return set(Grid.objects.filter(is_holding=True).values_list("pk", flat=True))


def place_prefix_length() -> int:
    """Characters of a path down to compound depth: aggregates count a row below a compound at its compound."""
    return COMPOUND_DEPTH * Node.steplen
