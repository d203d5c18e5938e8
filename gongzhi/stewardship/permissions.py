"""Who sees which compounds' stewardship, and who may register managers, keep ledgers and comment.

The only module that reads roles for stewardship:
- the subdistrict officer registers managers, contracts and committees, and files committee terms;
- community workers and the 包保 cadres see the compounds of their node and comment on ledgers;
- a manager's staff (物业人员, a Duty on each compound served) keep the manager side of those compounds'
  ledgers; committee members (业委会成员, a Duty on their compound) keep the committee side and read both;
- a resident sees who manages their own compound, the contract's term and the committee.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongzhi.accounts.choices import Role
from gongzhi.core.actors import Actor, any_subtree_q
from gongzhi.registry.models import Household
from gongzhi.stewardship.choices import LedgerSide
from gongzhi.stewardship.models import LedgerEntry, Manager
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node

REGISTRAR_ROLES = (Role.SUBDISTRICT_OFFICER,)
STAFF_ROLES = (Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_WORKER, Role.LEAD_CADRE, Role.RESPONSIBLE_CADRE)
COMPOUND_PATH_LENGTH = 4 * Node.steplen  # subdistrict → community → area → compound


def _resident_compound_paths(actor: Actor) -> list[str]:
    if actor.household_id is None:
        return []
    paths = Household.objects.filter(pk=actor.household_id).values_list("org_path", flat=True)
    return [p[:COMPOUND_PATH_LENGTH] for p in paths if len(p) >= COMPOUND_PATH_LENGTH]


def visible_compounds(actor: Actor) -> QuerySet[Node]:
    compounds = Node.objects.filter(kind=NodeKind.COMPOUND)
    if actor.is_system:
        return compounds
    if actor.user_id is None:
        return compounds.none()
    q = any_subtree_q("path", actor.paths(*STAFF_ROLES))
    ids = actor.node_ids(Role.PROPERTY_STAFF, Role.COMMITTEE_MEMBER)
    if ids:
        q |= Q(pk__in=ids)
    own = _resident_compound_paths(actor)
    if own:
        q |= Q(path__in=own)
    return compounds.filter(q)


def is_staff_for(actor: Actor, compound: Node) -> bool:
    return actor.is_system or any(compound.path.startswith(p) for p in actor.paths(*STAFF_ROLES))


def may_register(actor: Actor, compound: Node | None = None) -> bool:
    """Managers, contracts, committees and their filing: the subdistrict."""
    if actor.is_system:
        return True
    paths = actor.paths(*REGISTRAR_ROLES)
    return bool(paths) if compound is None else any(compound.path.startswith(p) for p in paths)


def ledger_side_of(actor: Actor, compound: Node) -> str | None:
    """The ledger side the actor keeps for this compound, or None."""
    if compound.pk in actor.node_ids(Role.PROPERTY_STAFF):
        return LedgerSide.MANAGER
    if compound.pk in actor.node_ids(Role.COMMITTEE_MEMBER):
        return LedgerSide.COMMITTEE
    return None


def may_comment(actor: Actor, compound: Node) -> bool:
    return actor.user_id is not None and is_staff_for(actor, compound)


def visible_entries(actor: Actor) -> QuerySet[LedgerEntry]:
    """Staff: their node's compounds; staff of a manager: that side of their compounds; committee: both."""
    if actor.is_system:
        return LedgerEntry.objects.all()
    if actor.user_id is None:
        return LedgerEntry.objects.none()
    q = any_subtree_q("compound__path", actor.paths(*STAFF_ROLES))
    property_ids = actor.node_ids(Role.PROPERTY_STAFF)
    if property_ids:
        q |= Q(compound_id__in=property_ids, side=LedgerSide.MANAGER)
    committee_ids = actor.node_ids(Role.COMMITTEE_MEMBER)
    if committee_ids:
        q |= Q(compound_id__in=committee_ids)
    return LedgerEntry.objects.filter(q)


def visible_managers(actor: Actor) -> QuerySet[Manager]:
    """Every manager is public record (name, credit code, contact); staff of a manager see theirs listed."""
    return Manager.objects.all()
