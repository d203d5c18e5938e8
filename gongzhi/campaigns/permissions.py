"""Who sees which campaigns, households and counts, and who may do what. The only module reading roles here.

- the subdistrict officer: every campaign, household and grid under the subdistrict;
- community workers: their community; 包保 cadres: their compound; building heads: their building;
- grid heads and grid workers: their grids, and any grid a campaign assigns to them;
- property staff, owners' committees, party secretaries, volunteer managers, residents: nothing.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from gongzhi.accounts.choices import Role
from gongzhi.campaigns.choices import CampaignStatus
from gongzhi.campaigns.models import Campaign, CampaignGridTally, CampaignHousehold, CampaignPerson, GridAssignment
from gongzhi.core.actors import Actor, any_subtree_q, outermost_paths

NODE_ROLES = (
    Role.SUBDISTRICT_OFFICER,
    Role.COMMUNITY_WORKER,
    Role.LEAD_CADRE,
    Role.RESPONSIBLE_CADRE,
    Role.BUILDING_HEAD,
)
GRID_ROLES = (Role.GRID_HEAD, Role.GRID_WORKER)
# Roles that plan, open, close and reassign campaigns over their node.
MANAGER_ROLES = (Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_WORKER)
# Roles that see counts per grid (the coverage pages); building heads see only their own building's rows.
TALLY_NODE_ROLES = (Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_WORKER, Role.LEAD_CADRE, Role.RESPONSIBLE_CADRE)


def _prefixes(path: str, step: int = 4) -> list[str]:
    return [path[:i] for i in range(step, len(path) + 1, step)]


def _assigned(actor: Actor, campaign_field: str = "campaign", grid_field: str = "grid") -> Exists:
    return Exists(
        GridAssignment.objects.filter(
            campaign=OuterRef(campaign_field),
            grid=OuterRef(grid_field),
            worker_id=actor.user_id,
            ended_at__isnull=True,
        )
    )


def visible_campaigns(actor: Actor) -> QuerySet[Campaign]:
    if actor.is_system:
        return Campaign.objects.all()
    if actor.user_id is None:
        return Campaign.objects.none()
    q = Q(pk__in=[])
    manager_paths = actor.paths(*MANAGER_ROLES)
    for path in outermost_paths(actor.paths(*NODE_ROLES)):
        # A campaign over the actor's node, inside it, or over a node above it.
        overlaps = Q(scopes__path__in=_prefixes(path)) | any_subtree_q("scopes__path", [path])
        if path not in manager_paths:
            overlaps &= ~Q(status=CampaignStatus.DRAFT)
        q |= overlaps
    grid_ids = actor.grid_ids(*GRID_ROLES)
    if grid_ids:
        q |= Q(tallies__grid_id__in=grid_ids)
    q |= Q(assignments__worker_id=actor.user_id, assignments__ended_at__isnull=True)
    ids = Campaign.objects.filter(q).values("pk")
    return Campaign.objects.filter(pk__in=ids)


def _row_scope_q(actor: Actor, *, node_roles: tuple[str, ...]) -> Q:
    q = any_subtree_q("org_path", actor.paths(*node_roles))
    grid_ids = actor.grid_ids(*GRID_ROLES)
    if grid_ids:
        q |= Q(grid_id__in=grid_ids)
    return q


def visible_campaign_households(actor: Actor) -> QuerySet[CampaignHousehold]:
    if actor.is_system:
        return CampaignHousehold.objects.all()
    if actor.user_id is None:
        return CampaignHousehold.objects.none()
    return CampaignHousehold.objects.filter(_row_scope_q(actor, node_roles=NODE_ROLES) | Q(_assigned(actor)))


def visible_campaign_people(actor: Actor) -> QuerySet[CampaignPerson]:
    if actor.is_system:
        return CampaignPerson.objects.all()
    if actor.user_id is None:
        return CampaignPerson.objects.none()
    q = any_subtree_q("household_row__org_path", actor.paths(*NODE_ROLES))
    grid_ids = actor.grid_ids(*GRID_ROLES)
    if grid_ids:
        q |= Q(grid_id__in=grid_ids)
    return CampaignPerson.objects.filter(q | Q(_assigned(actor)))


def visible_tallies(actor: Actor) -> QuerySet[CampaignGridTally]:
    """Grid counts: tally.org_path is the grid's compound (or community) path."""
    if actor.is_system:
        return CampaignGridTally.objects.all()
    if actor.user_id is None:
        return CampaignGridTally.objects.none()
    return CampaignGridTally.objects.filter(_row_scope_q(actor, node_roles=TALLY_NODE_ROLES) | Q(_assigned(actor)))


def sees_grid_counts(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(*TALLY_NODE_ROLES, *GRID_ROLES)


def may_create_campaigns(actor: Actor) -> bool:
    return actor.has_role(*MANAGER_ROLES)


def can_manage_campaign(actor: Actor, campaign: Campaign) -> bool:
    """Open, close, reassign: a manager whose node contains every node of the scope."""
    if actor.is_system:
        return True
    paths = actor.paths(*MANAGER_ROLES)
    scope = [s.path for s in campaign.scopes.all()]
    return bool(paths) and bool(scope) and all(any(sp.startswith(p) for p in paths) for sp in scope)


def can_manage_at(actor: Actor, *, path: str) -> bool:
    return actor.is_system or any(path.startswith(p) for p in actor.paths(*MANAGER_ROLES))


def can_record_visit(actor: Actor, row: CampaignHousehold) -> bool:
    """Anyone who sees the household row may record a visit to it (the row is already scoped)."""
    return actor.is_system or actor.user_id is not None


def can_see_health(actor: Actor) -> bool:
    """Health answers (temperature, symptoms) are for the campaign's own staff, not for building heads."""
    return actor.is_system or actor.has_role(*TALLY_NODE_ROLES, *GRID_ROLES)
