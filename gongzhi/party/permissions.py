"""Who sees which party organisations and members, and who may change them. The only module that reads
roles for party work.

Party membership is restricted data (domain-rules.md §7):
- the subdistrict officer (街道, for the 党工委) sees and keeps every organisation and member;
- a party secretary (党支部书记, a Duty on a compound) sees and keeps the organisations covering that
  compound — their branch or joint branch, with its building groups — and the members those hold or
  that live there with their membership held outside the subdistrict;
- nobody else sees any member list: not community workers, grid staff, the property company, the
  owners' committee or residents. The badge (亮身份) shows only where the member consented.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongzhi.accounts.choices import Role
from gongzhi.core.actors import Actor, any_subtree_q
from gongzhi.party.choices import OrgKind
from gongzhi.party.models import Member, Organisation
from gongzhi.territory.models import Node

OFFICER_ROLES = (Role.SUBDISTRICT_OFFICER,)
PARTY_ROLES = (Role.PARTY_SECRETARY,)


def is_officer(actor: Actor) -> bool:
    return actor.is_system or bool(actor.paths(*OFFICER_ROLES))


def sees_party(actor: Actor) -> bool:
    """The nav entry and the party pages: officers and party secretaries."""
    return actor.is_system or actor.has_role(*OFFICER_ROLES, *PARTY_ROLES)


def _secretary_org_ids(actor: Actor) -> set[int]:
    """The organisations covering the compounds (or buildings below them) of the actor's party duties,
    and the groups under those."""
    paths = actor.paths(*PARTY_ROLES)
    if not paths:
        return set()
    covering = set(
        Organisation.objects.filter(any_subtree_q("territory__path", paths), is_active=True).values_list(
            "pk", flat=True
        )
    )
    # A building group of a branch covering the compound is inside its range already; groups of a
    # covering branch that name no building yet are added by parent.
    covering |= set(
        Organisation.objects.filter(parent_id__in=covering, kind=OrgKind.GROUP).values_list("pk", flat=True)
    )
    return covering


def visible_organisations(actor: Actor) -> QuerySet[Organisation]:
    rows = Organisation.objects.all()
    if is_officer(actor):
        return rows
    if actor.user_id is None:
        return rows.none()
    return rows.filter(pk__in=_secretary_org_ids(actor))


def covered_compound_paths(org_ids: set[int]) -> list[str]:
    return list(Node.objects.filter(kind="compound", pk__in=_territory_ids(org_ids)).values_list("path", flat=True))


def _territory_ids(org_ids: set[int]) -> list[int]:
    return list(
        Organisation.territory.through.objects.filter(organisation_id__in=org_ids).values_list("node_id", flat=True)
    )


def visible_members(actor: Actor) -> QuerySet[Member]:
    """Every member list, count, export and reveal starts here."""
    rows = Member.objects.all()
    if is_officer(actor):
        return rows
    if actor.user_id is None:
        return rows.none()
    org_ids = _secretary_org_ids(actor)
    if not org_ids:
        return rows.none()
    # Members held outside the subdistrict who live in the compounds the branch covers (在职党员).
    living_here = any_subtree_q("person__org_path", covered_compound_paths(org_ids))
    return rows.filter(Q(organisation_id__in=org_ids) | (Q(organisation__isnull=True) & living_here))


def may_create_organisation(actor: Actor) -> bool:
    """Setting up and changing organisations (their kind, parent, territory): the subdistrict."""
    return is_officer(actor)


def may_keep(actor: Actor, organisation: Organisation) -> bool:
    """Members, committee, groups and consent of an organisation: the officer, or its secretary."""
    return is_officer(actor) or organisation.pk in _secretary_org_ids(actor)


def may_keep_member(actor: Actor, member: Member) -> bool:
    return is_officer(actor) or visible_members(actor).filter(pk=member.pk).exists()
