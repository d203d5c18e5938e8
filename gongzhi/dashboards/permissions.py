"""Who opens the cockpit and which figures they see: their own subtree, never more. The only module that
reads roles for dashboards."""

from __future__ import annotations

from django.db.models import Q

from gongzhi.accounts.choices import Role
from gongzhi.core.actors import Actor, any_subtree_q

# Roles whose Duty names a node: they see the figures of every place below it.
NODE_ROLES = (Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_WORKER, Role.LEAD_CADRE, Role.RESPONSIBLE_CADRE)
# Roles whose Duty names a grid: they see that grid's figures.
GRID_ROLES = (Role.GRID_HEAD, Role.GRID_WORKER)
# Who may generate a monthly report on demand (the scheduled one is generated for everyone).
REPORT_ROLES = (Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_WORKER)


def can_view_cockpit(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(*NODE_ROLES, *GRID_ROLES)


def figure_scope_q(actor: Actor) -> Q:
    """Stored figures (dashboards.Figure) the actor may see."""
    if actor.is_system:
        return Q()
    q = any_subtree_q("path", actor.paths(*NODE_ROLES))
    grids = actor.grid_ids(*GRID_ROLES)
    if grids:
        q |= Q(grid_id__in=sorted(grids))
    return q


def sees_whole_node(actor: Actor, path: str) -> bool:
    """Whether a node's figures are all in the actor's scope (else only their grids' part is)."""
    return actor.is_system or any(path.startswith(p) for p in actor.paths(*NODE_ROLES))


def can_generate_report(actor: Actor, path: str) -> bool:
    return actor.is_system or any(path.startswith(p) for p in actor.paths(*REPORT_ROLES))
