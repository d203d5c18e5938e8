"""Who sees which honour campaigns and who may do what in them. The only module that reads roles for honour.

- The subdistrict officer and the community workers above a campaign's scope run it: create, review,
  open and close the vote, decide, write citations, publish, print certificates.
- Residents living in the scope, and the staff who follow polls there (votes.permissions), see the
  campaign once nominations open; residents in scope nominate; voting is the engine's roll.
- Judges (users named on the campaign's panel) see it and score its finalists while judging.
- The honour roll of a published campaign is for everyone signed in who lives or works in the same
  subdistrict; outside it, it is 404 like every other row.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongzhi.accounts.choices import Role
from gongzhi.core.actors import Actor, any_subtree_q
from gongzhi.publicity.choices_honour import CampaignPhase, NominationStatus
from gongzhi.publicity.models_honour import HonourCampaign, HonourJudge, HonourNomination
from gongzhi.registry.models import Household
from gongzhi.territory.models import Node
from gongzhi.votes.permissions import GRID_ROLES, POLL_VIEWER_ROLES, actor_places, prefixes

HONOUR_MANAGER_ROLES = (Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_WORKER)


def _manager_paths(actor: Actor) -> list[str]:
    return actor.paths(*HONOUR_MANAGER_ROLES)


def home_paths(actor: Actor) -> list[str]:
    """Where the actor lives (their household), for nominating: owners living elsewhere do not nominate."""
    if actor.household_id is None:
        return []
    return list(Household.objects.filter(pk=actor.household_id, is_active=True).values_list("org_path", flat=True))


def visible_campaigns(actor: Actor) -> QuerySet[HonourCampaign]:
    rows = HonourCampaign.objects.all()
    if actor.is_system:
        return rows
    if not actor.is_authenticated:
        return rows.none()
    places = actor_places(actor, staff_roles=POLL_VIEWER_ROLES)
    q = any_subtree_q("scope_path", _manager_paths(actor))
    others = Q(scope_path__in=prefixes([*places.staff, *places.homes, *home_paths(actor)]))
    others |= Q(pk__in=HonourJudge.objects.filter(user_id=actor.user_id or 0).values("campaign_id"))
    q |= others & ~Q(phase=CampaignPhase.DRAFT)
    return rows.filter(q)


def may_create_campaigns(actor: Actor) -> bool:
    return actor.is_system or bool(_manager_paths(actor))


def can_manage_campaign(actor: Actor, campaign: HonourCampaign) -> bool:
    if actor.is_system:
        return True
    return any(campaign.scope_path.startswith(p) for p in _manager_paths(actor))


def can_create_campaign_at(actor: Actor, scope: Node) -> bool:
    return actor.is_system or any(scope.path.startswith(p) for p in _manager_paths(actor))


def lives_in_scope(actor: Actor, campaign: HonourCampaign) -> bool:
    return any(path.startswith(campaign.scope_path) for path in home_paths(actor))


def can_nominate(actor: Actor, campaign: HonourCampaign) -> bool:
    if campaign.phase != CampaignPhase.NOMINATING:
        return False
    return can_manage_campaign(actor, campaign) or lives_in_scope(actor, campaign)


def is_judge(actor: Actor, campaign: HonourCampaign) -> bool:
    """Asked by the view, its selectors and can_score on one page: answered once per campaign object (one
    request's), not once per asking."""
    if actor.user_id is None:
        return False
    asked: dict[int, bool] = campaign.__dict__.setdefault("_is_judge", {})
    if actor.user_id not in asked:
        asked[actor.user_id] = HonourJudge.objects.filter(campaign=campaign, user_id=actor.user_id).exists()
    return asked[actor.user_id]


def can_score(actor: Actor, campaign: HonourCampaign) -> bool:
    return campaign.phase == CampaignPhase.JUDGING and is_judge(actor, campaign)


def can_see_nomination(actor: Actor, nomination: HonourNomination) -> bool:
    """Finalists are public in the campaign; pending and rejected ones only to staff and their nominator."""
    if can_manage_campaign(actor, nomination.campaign):
        return True
    return nomination.status == NominationStatus.APPROVED or nomination.nominated_by_id == actor.user_id


def honour_roll_roots(actor: Actor) -> list[str]:
    """The subdistricts the actor lives or works in: the honour roll is theirs to read."""
    if actor.is_system:
        return list(Node.objects.filter(depth=1).values_list("path", flat=True))
    if not actor.is_authenticated:
        return []
    places = actor_places(actor, staff_roles=(*POLL_VIEWER_ROLES, Role.VOLUNTEER_MANAGER, Role.PROPERTY_STAFF))
    step = Node.steplen
    return sorted({p[:step] for p in [*places.staff, *places.homes, *home_paths(actor)] if p})


def visible_honour_roll(actor: Actor, roots: list[str] | None = None) -> QuerySet[HonourCampaign]:
    """``roots``: honour_roll_roots(actor) when the caller has them already (a page reads them once)."""
    roots = honour_roll_roots(actor) if roots is None else roots
    return HonourCampaign.objects.filter(any_subtree_q("scope_path", roots), phase=CampaignPhase.PUBLISHED)


def sees_honour(actor: Actor) -> bool:
    """The nav entry, decided without a query (it is on every page): residents and staff with a place."""
    if not actor.is_authenticated:
        return False
    return (
        actor.is_resident
        or actor.person_id is not None
        or actor.has_role(*HONOUR_MANAGER_ROLES, *POLL_VIEWER_ROLES, *GRID_ROLES)
    )


def is_any_judge(actor: Actor) -> bool:
    return actor.user_id is not None and HonourJudge.objects.filter(user_id=actor.user_id).exists()
