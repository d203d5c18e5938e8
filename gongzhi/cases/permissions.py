"""Who sees which cases and who may move them. The only module that reads roles for cases.

Staff see the cases in their places: the officer the subdistrict, a community worker the community,
包保 cadres their compounds, grid workers their grids, a building head their building. Property
staff see only the cases dispatched to the property company or manager of their compound — never
the rest of the compound. A reporter sees their own cases; a resident also sees the public cases of
their compound (to say "me too"). The reporting side (grid workers, community, officer) accepts,
dispatches and verifies; the handler handles; a handler never verifies its own work.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongzhi.accounts.choices import Role
from gongzhi.cases.choices import CaseStatus, HandlerKind
from gongzhi.cases.models import Case
from gongzhi.core.actors import Actor, any_subtree_q
from gongzhi.registry.models import Household
from gongzhi.territory.models import Node

PLACE_ROLES = (Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_WORKER, Role.LEAD_CADRE, Role.RESPONSIBLE_CADRE)
GRID_ROLES = (Role.GRID_HEAD, Role.GRID_WORKER)
# The 监督 side: files, dispatches, verifies and closes. Approvals (extension, return, parking) are
# for the officer and community workers, as the 指挥中心.
APPROVER_ROLES = (Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_WORKER)
PROPERTY_KINDS = (HandlerKind.PROPERTY, HandlerKind.THIRD_PARTY)


def compound_path(path: str) -> str:
    """The compound's path within a building, unit or dwelling path (depth 4 in the territory tree)."""
    return path[: 4 * Node.steplen]


def _home_paths(actor: Actor) -> list[str]:
    if actor.household_id is None:
        return []
    return [
        compound_path(p)
        for p in Household.objects.filter(pk=actor.household_id).values_list("org_path", flat=True)
        if len(p) >= 4 * Node.steplen
    ]


def visible_cases_q(actor: Actor) -> Q:
    q = Q(pk__in=[])
    paths = actor.paths(*PLACE_ROLES) + actor.paths(Role.BUILDING_HEAD)
    if paths:
        q |= any_subtree_q("org_path", paths)
    grids = actor.grid_ids(*GRID_ROLES)
    if grids:
        q |= Q(grid_id__in=sorted(grids))
    companies = actor.node_ids(Role.PROPERTY_STAFF)
    if companies:
        q |= Q(handler_kind__in=PROPERTY_KINDS, handler_node_id__in=sorted(companies))
    if actor.user_id is not None:
        q |= Q(reporter_id=actor.user_id)
    homes = _home_paths(actor)
    if homes:
        q |= any_subtree_q("org_path", homes) & public_q()
    return q


def public_q() -> Q:
    return Q(is_private=False, category__is_public=True) & ~Q(status__in=[CaseStatus.REJECTED, CaseStatus.MERGED])


def visible_cases(actor: Actor) -> QuerySet[Case]:
    if actor.is_system:
        return Case.objects.all()
    if not actor.is_authenticated:
        return Case.objects.none()
    return Case.objects.filter(visible_cases_q(actor))


def public_cases() -> QuerySet[Case]:
    """What anyone may read (Open311 GET): public categories, not private, never rejected or merged."""
    return Case.objects.filter(public_q())


# --- who may do what to a visible case ---------------------------------------------------------


def _covers(actor: Actor, case: Case, roles: tuple[str, ...]) -> bool:
    return any(case.org_path.startswith(p) for p in actor.paths(*roles))


def is_reporting_side(actor: Actor, case: Case) -> bool:
    """The 监督 side of this case: its grid's workers, the community and the officer above it."""
    if actor.is_system:
        return True
    if case.grid_id is not None and case.grid_id in actor.grid_ids(*GRID_ROLES):
        return True
    return _covers(actor, case, APPROVER_ROLES)


def is_handler(actor: Actor, case: Case) -> bool:
    if case.handler_node_id is None:
        return False
    if case.handler_kind in PROPERTY_KINDS:
        return case.handler_node_id in actor.node_ids(Role.PROPERTY_STAFF)
    if case.handler_kind == HandlerKind.COMMUNITY:
        return case.handler_node_id in actor.node_ids(Role.COMMUNITY_WORKER)
    return case.handler_node_id in actor.node_ids(Role.SUBDISTRICT_OFFICER)


def is_approver(actor: Actor, case: Case) -> bool:
    return actor.is_system or _covers(actor, case, APPROVER_ROLES)


def is_reporter(actor: Actor, case: Case) -> bool:
    return actor.user_id is not None and case.reporter_id == actor.user_id


def may_report(actor: Actor) -> bool:
    return actor.is_authenticated and (
        actor.is_resident or actor.has_role(*GRID_ROLES, Role.BUILDING_HEAD, *APPROVER_ROLES)
    )


def may_dispatch(actor: Actor) -> bool:
    return actor.has_role(*GRID_ROLES, *APPROVER_ROLES)


def may_handle(actor: Actor) -> bool:
    return actor.has_role(Role.PROPERTY_STAFF, Role.COMMUNITY_WORKER, Role.SUBDISTRICT_OFFICER)


def may_see_measures(actor: Actor) -> bool:
    return actor.has_role(*PLACE_ROLES, *GRID_ROLES)


def may_edit_calendar(actor: Actor) -> bool:
    return actor.has_role(Role.SUBDISTRICT_OFFICER)


def may_manage_keys(actor: Actor) -> bool:
    return actor.has_role(Role.SUBDISTRICT_OFFICER)
