"""Who sees which compounds' stewardship, and who may register managers, keep ledgers and comment.

The only module that reads roles for stewardship:
- the subdistrict officer registers managers, contracts and committees, and files committee terms;
- community workers and the 包保 cadres see the compounds of their node and comment on ledgers;
- a manager's staff (物业人员, a Duty on each compound served) keep the manager side of those compounds'
  ledgers; committee members (业委会成员, a Duty on their compound) keep the committee side and read both;
- a resident sees who manages their own compound, the contract's term and the committee.

The monthly evaluation: the subdistrict opens, reviews and publishes months, edits rubrics and decides
appeals; it rates as 街道, community workers rate their community's subjects as 社区, committee members
rate their compound's manager as 业委会, residents rate through the satisfaction poll. Staff see scores
in every state; a manager's staff and the committee see their own subjects only once published, and
may appeal; everyone signed in sees the published red and black lists.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongzhi.accounts.choices import Role
from gongzhi.core.actors import Actor, any_subtree_q
from gongzhi.registry.models import Household
from gongzhi.stewardship.choices import LedgerSide, MonthStatus, RaterKind, SubjectKind
from gongzhi.stewardship.models import Evaluation, LedgerEntry, Manager, ManagerStaff
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


# --- the monthly evaluation ---------------------------------------------------------------------------


def may_run_evaluation(actor: Actor) -> bool:
    """Open, review, publish months; edit rubrics; decide appeals: the subdistrict."""
    return actor.is_system or bool(actor.paths(*REGISTRAR_ROLES))


def _covers(actor: Actor, path: str, *roles: str) -> bool:
    return any(path.startswith(p) for p in actor.paths(*roles))


def rater_kinds_of(actor: Actor, evaluation: Evaluation) -> list[str]:
    """The rating sheets of this subject the actor may fill (residents rate through their poll)."""
    path = evaluation.compound.path
    kinds: list[str] = []
    if _covers(actor, path, Role.COMMUNITY_WORKER):
        kinds.append(RaterKind.COMMUNITY)
    if _covers(actor, path, Role.SUBDISTRICT_OFFICER):
        kinds.append(RaterKind.SUBDISTRICT)
    if evaluation.subject_kind != SubjectKind.COMMITTEE and evaluation.compound_id in actor.node_ids(
        Role.COMMITTEE_MEMBER
    ):
        kinds.append(RaterKind.COMMITTEE)
    return kinds


def rateable_evaluations(actor: Actor) -> QuerySet[Evaluation]:
    """The subjects of months being rated that the actor has a sheet for (rater_kinds_of, as a query):
    a committee member rates their compound's manager without seeing the running scores."""
    rows = Evaluation.objects.filter(month__status=MonthStatus.RATING)
    if actor.is_system:
        return rows.none()
    q = any_subtree_q("compound__path", actor.paths(Role.COMMUNITY_WORKER, Role.SUBDISTRICT_OFFICER))
    committee_ids = actor.node_ids(Role.COMMITTEE_MEMBER)
    if committee_ids:
        q |= Q(compound_id__in=committee_ids) & ~Q(subject_kind=SubjectKind.COMMITTEE)
    return rows.filter(q)


def _manager_ids(actor: Actor) -> set[int]:
    if actor.user_id is None:
        return set()
    return set(
        ManagerStaff.objects.filter(user_id=actor.user_id, ends_on__isnull=True).values_list("manager_id", flat=True)
    )


def _own_subjects_q(actor: Actor) -> Q | None:
    """The subjects that are the actor's own: their company at the compounds they serve, their committee."""
    q: Q | None = None
    property_ids = actor.node_ids(Role.PROPERTY_STAFF)
    managers = _manager_ids(actor) if property_ids else set()
    if managers:
        q = Q(compound_id__in=property_ids, manager_id__in=managers)
    committee_ids = actor.node_ids(Role.COMMITTEE_MEMBER)
    if committee_ids:
        own = Q(compound_id__in=committee_ids)
        q = own if q is None else q | own
    return q


def sees_drafts(actor: Actor, evaluation: Evaluation) -> bool:
    """Staff over the compound see a subject's scores and sheets in every state of the month."""
    return actor.is_system or _covers(actor, evaluation.compound.path, *STAFF_ROLES)


def visible_evaluations(actor: Actor) -> QuerySet[Evaluation]:
    """Every page, export and API that shows a score starts here: unpublished months reach staff only."""
    rows = Evaluation.objects.all()
    if actor.is_system:
        return rows
    if actor.user_id is None:
        return rows.none()
    q = any_subtree_q("compound__path", actor.paths(*STAFF_ROLES))
    own = _own_subjects_q(actor)
    if own is not None:
        q |= own & Q(month__status=MonthStatus.PUBLISHED)
    return rows.filter(q)


def may_appeal(actor: Actor, evaluation: Evaluation) -> bool:
    """The manager's staff serving the compound, or a member of the committee rated."""
    if evaluation.subject_kind == SubjectKind.COMMITTEE:
        return evaluation.compound_id in actor.node_ids(Role.COMMITTEE_MEMBER)
    return evaluation.compound_id in actor.node_ids(Role.PROPERTY_STAFF) and evaluation.manager_id in _manager_ids(
        actor
    )
