"""Who sees and does what with notices. Composers are the subdistrict's officers and the community workers,
each within their territory; grid workers and grid heads see the recipients of their grids (to tell in
person those who have not read); every user reads the notices addressed to them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongzhi.accounts.choices import Role
from gongzhi.core.actors import Actor, any_subtree_q
from gongzhi.publicity.models import Notice, PublicityActivity, Recipient
from gongzhi.territory.models import Grid, Node

COMPOSER_ROLES = (Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_WORKER)
GRID_ROLES = (Role.GRID_WORKER, Role.GRID_HEAD)


def composer_paths(actor: Actor) -> list[str]:
    return actor.paths(*COMPOSER_ROLES)


def can_compose(actor: Actor, node: Node | None = None) -> bool:
    """Publishing from a node: the actor composes over it (a community worker from their community)."""
    if actor.is_system:
        return True
    paths = composer_paths(actor)
    if node is None:
        return bool(paths)
    return any(node.path.startswith(p) for p in paths)


def can_target_grid(actor: Actor, grid: Grid) -> bool:
    return actor.is_system or any(grid.org_path.startswith(p) for p in composer_paths(actor))


def visible_notices(actor: Actor) -> QuerySet[Notice]:
    """Notices the actor keeps: published from inside their territory."""
    rows = Notice.objects.all()
    if actor.is_system:
        return rows
    paths = composer_paths(actor)
    if not paths:
        return rows.none()
    return rows.filter(any_subtree_q("node__path", paths))


def can_manage_notice(actor: Actor, notice: Notice) -> bool:
    return can_compose(actor, notice.node)


def followed_notices(actor: Actor) -> QuerySet[Notice]:
    """Notices whose read rate the actor follows: those they keep, and for a grid worker those with
    recipients in their grids."""
    grids = actor.grid_ids(*GRID_ROLES)
    keeps = visible_notices(actor)
    if not grids:
        return keeps
    in_grids = Recipient.objects.filter(grid_id__in=grids).values("notice_id")
    return Notice.objects.filter(Q(pk__in=keeps.values("pk")) | Q(pk__in=in_grids))


def visible_recipients(actor: Actor, notice: Notice) -> QuerySet[Recipient]:
    """Who a notice went to, as far as the actor may see: all of them for its keeper; a grid worker the
    residents of their grids; a community worker also the residents of their community in no grid."""
    rows = Recipient.objects.filter(notice=notice)
    if actor.is_system or can_manage_notice(actor, notice):
        return rows
    grids = actor.grid_ids(*GRID_ROLES)
    return rows.filter(grid_id__in=grids) if grids else rows.none()


def can_tell(actor: Actor, recipient: Recipient) -> bool:
    """Marking a resident told in person: the worker of their grid, or the community's workers (who walk
    the residents in no grid, and may help in any grid of theirs)."""
    if recipient.person_id is None:
        return False
    if actor.is_system:
        return True
    if recipient.grid_id is not None and recipient.grid_id in actor.grid_ids(*GRID_ROLES):
        return True
    return any(recipient.org_path.startswith(p) for p in actor.paths(Role.COMMUNITY_WORKER))


def inbox_q(actor: Actor) -> Q:
    """The recipient rows of the actor: as a resident (their person) and as staff (their user)."""
    q = Q(pk__in=[])
    if actor.person_id is not None:
        q |= Q(person_id=actor.person_id)
    if actor.user_id is not None:
        q |= Q(user_id=actor.user_id)
    return q


# --- Offline publicity activities (宣传活动) ------------------------------------------------------------


def _grid_paths(actor: Actor) -> list[str]:
    """Where a grid worker works: the compounds of their grids (or the community, for a grid in none)."""
    grids = Grid.objects.filter(pk__in=actor.grid_ids(*GRID_ROLES)).select_related("compound")
    return [g.compound.path if g.compound is not None else g.org_path for g in grids]


def activity_paths(actor: Actor) -> list[str]:
    return composer_paths(actor) + _grid_paths(actor)


def can_record_activity(actor: Actor, node: Node) -> bool:
    """Community workers and officers in their territory; grid workers in their grids' compounds."""
    return actor.is_system or any(node.path.startswith(p) for p in activity_paths(actor))


def visible_activities(actor: Actor) -> QuerySet[PublicityActivity]:
    rows = PublicityActivity.objects.all()
    if actor.is_system:
        return rows
    paths = activity_paths(actor)
    return rows.filter(any_subtree_q("node__path", paths)) if paths else rows.none()
