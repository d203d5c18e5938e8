"""Who sees which dwellings, households and people, and who may change them.

The only module that reads roles for the registry. Property staff, owners' committee members, party
secretaries, volunteer managers, platform administrators and auditors see no resident registry; a
resident sees their own household; everyone else sees the subtree or grids their Duties name.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongzhi.accounts.choices import Role
from gongzhi.accounts.security import needs_two_factor
from gongzhi.core.actors import Actor, any_subtree_q
from gongzhi.registry.models import Dwelling, Household, ImportJob, Person

# Roles that see the registry below the node their Duty names.
REGISTRY_NODE_ROLES = (
    Role.SUBDISTRICT_OFFICER,
    Role.COMMUNITY_WORKER,
    Role.LEAD_CADRE,
    Role.RESPONSIBLE_CADRE,
    Role.BUILDING_HEAD,
)
REGISTRY_GRID_ROLES = (Role.GRID_HEAD, Role.GRID_WORKER)
# Roles that may register, move and edit people in their scope.
REGISTRY_EDIT_NODE_ROLES = (Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_WORKER)
REGISTRY_EDIT_GRID_ROLES = (Role.GRID_HEAD, Role.GRID_WORKER)


def _staff_scope_q(actor: Actor, *, node_roles: tuple[str, ...], grid_roles: tuple[str, ...]) -> Q | None:
    paths = actor.paths(*node_roles)
    grid_ids = actor.grid_ids(*grid_roles)
    if not paths and not grid_ids:
        return None
    q = any_subtree_q("org_path", paths)
    if grid_ids:
        q |= Q(grid_id__in=grid_ids)
    return q


def registry_scope_q(actor: Actor) -> Q | None:
    """The staff part of registry scope as a predicate over org_path and grid_id, or None for no staff scope."""
    return _staff_scope_q(actor, node_roles=REGISTRY_NODE_ROLES, grid_roles=REGISTRY_GRID_ROLES)


def visible_households(actor: Actor) -> QuerySet[Household]:
    if actor.is_system:
        return Household.objects.all()
    q = registry_scope_q(actor)
    if actor.household_id is not None:
        own = Q(pk=actor.household_id)
        q = own if q is None else q | own
    return Household.objects.filter(q) if q is not None else Household.objects.none()


def visible_people(actor: Actor) -> QuerySet[Person]:
    if actor.is_system:
        return Person.objects.all()
    q = registry_scope_q(actor)
    if actor.household_id is not None:
        own = Q(household_id=actor.household_id)
        q = own if q is None else q | own
    return Person.objects.filter(q) if q is not None else Person.objects.none()


def visible_dwellings(actor: Actor) -> QuerySet[Dwelling]:
    if actor.is_system:
        return Dwelling.objects.all()
    q = registry_scope_q(actor)
    if actor.household_id is not None:
        own = Q(pk__in=Household.objects.filter(pk=actor.household_id).values("dwelling_id"))
        q = own if q is None else q | own
    return Dwelling.objects.filter(q) if q is not None else Dwelling.objects.none()


def can_edit_registry_at(actor: Actor, *, org_path: str, grid_id: int | None) -> bool:
    """May the actor register, move or edit people living at this place?"""
    if actor.is_system:
        return True
    if any(org_path.startswith(path) for path in actor.paths(*REGISTRY_EDIT_NODE_ROLES)):
        return True
    return grid_id is not None and grid_id in actor.grid_ids(*REGISTRY_EDIT_GRID_ROLES)


def can_edit_household(actor: Actor, household: Household) -> bool:
    return can_edit_registry_at(actor, org_path=household.org_path, grid_id=household.grid_id)


def can_edit_person(actor: Actor, person: Person) -> bool:
    return can_edit_registry_at(actor, org_path=person.org_path, grid_id=person.grid_id)


# Roles that may see a resident's full ID number and phone, by an explicit reveal with a reason.
REVEAL_NODE_ROLES = (Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_WORKER)
REVEAL_GRID_ROLES = (Role.GRID_HEAD, Role.GRID_WORKER)


def can_reveal_person(actor: Actor, person: Person) -> bool:
    """Reveal needs a reveal role over the person's place and, where TOTP is required, a verified session."""
    if needs_two_factor(actor) and not actor.is_verified:
        return False
    if any(person.org_path.startswith(path) for path in actor.paths(*REVEAL_NODE_ROLES)):
        return True
    return person.grid_id is not None and person.grid_id in actor.grid_ids(*REVEAL_GRID_ROLES)


def can_export_unmasked(actor: Actor) -> bool:
    if needs_two_factor(actor) and not actor.is_verified:
        return False
    return actor.has_role(*REVEAL_NODE_ROLES, *REVEAL_GRID_ROLES)


def can_import_registry(actor: Actor) -> bool:
    """Importing writes people, so it needs an editing role; each row is still checked against its place."""
    return actor.is_system or actor.has_role(*REGISTRY_EDIT_NODE_ROLES, *REGISTRY_EDIT_GRID_ROLES)


def visible_import_jobs(actor: Actor) -> QuerySet[ImportJob]:
    """A job is seen only by the person who started it: its file holds personal data."""
    if actor.user_id is None:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(created_by_id=actor.user_id)


def can_export_registry(actor: Actor) -> bool:
    """Exports are for the roles that see the registry as staff (not residents)."""
    return actor.has_role(*REGISTRY_NODE_ROLES, *REGISTRY_GRID_ROLES)
