"""Who sees which volunteers, activities, hours, points and orders, and who may do what.

The only module that reads roles for volunteering. The volunteer-association manager (志愿者协会管理员)
runs everything under the node their Duty names; community workers and party secretaries organise
activities in their community or compound; a team leader organises their team's activities; whoever
organises an activity keeps its roster and certifies its hours (「谁组织谁记录」). A resident sees their own
volunteer record, and those of the minors they registered as guardian.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty
from gongzhi.core.actors import Actor, any_subtree_q
from gongzhi.registry.models import Person
from gongzhi.territory.models import Node
from gongzhi.volunteering.models import (
    Activity,
    Certificate,
    Order,
    PointsAdjustment,
    PointsEntry,
    ServiceRecord,
    ShopItem,
    SignUp,
    Team,
    Volunteer,
)

MANAGER_ROLES = (Role.VOLUNTEER_MANAGER,)
# Staff who may organise activities in their own area, besides the managers.
ORGANISER_ROLES = (Role.VOLUNTEER_MANAGER, Role.COMMUNITY_WORKER, Role.PARTY_SECRETARY)
# Staff who see the activities of their area (the subdistrict officer oversees them) without organising.
ACTIVITY_VIEWER_ROLES = (*ORGANISER_ROLES, Role.SUBDISTRICT_OFFICER)


def ancestor_paths(paths: Iterable[str]) -> set[str]:
    """Every path on the way down to each of ``paths``, the paths included."""
    step = Node.steplen
    return {path[:end] for path in paths for end in range(step, len(path) + 1, step)}


def _manager_paths(actor: Actor) -> list[str]:
    return actor.paths(*MANAGER_ROLES)


def _within(path: str, paths: Iterable[str]) -> bool:
    return any(path.startswith(p) for p in paths)


def own_volunteer_q(actor: Actor, prefix: str = "") -> Q | None:
    """The actor's own volunteer record and their wards', as a predicate (None for someone with no Person)."""
    if actor.person_id is None:
        return None
    return Q(**{f"{prefix}person_id": actor.person_id}) | Q(**{f"{prefix}guardian_id": actor.person_id})


def _resident_paths(actor: Actor) -> list[str]:
    if actor.person_id is None:
        return []
    return [p for p in Person.objects.filter(pk=actor.person_id).values_list("org_path", flat=True) if p]


def _or(*parts: Q | None) -> Q | None:
    present = [p for p in parts if p is not None]
    if not present:
        return None
    q = present[0]
    for part in present[1:]:
        q |= part
    return q


# --- volunteers and teams -------------------------------------------------------------------------


def visible_volunteers(actor: Actor) -> QuerySet[Volunteer]:
    if actor.is_system:
        return Volunteer.objects.all()
    paths = _manager_paths(actor)
    q = _or(any_subtree_q("person__org_path", paths) if paths else None, own_volunteer_q(actor))
    return Volunteer.objects.filter(q) if q is not None else Volunteer.objects.none()


def can_register_volunteer(actor: Actor, person: Person) -> bool:
    """Residents register themselves; a guardian registers a minor of their own household (services check ages)."""
    if actor.is_system:
        return True
    if actor.person_id is None:
        return False
    return person.pk == actor.person_id or (
        actor.household_id is not None and person.household_id == actor.household_id
    )


def can_manage_volunteer(actor: Actor, volunteer: Volunteer) -> bool:
    """Suspend, reinstate, issue certificates for, and request point adjustments for a volunteer."""
    return actor.is_system or _within(volunteer.person.org_path, _manager_paths(actor))


def can_act_for_volunteer(actor: Actor, volunteer: Volunteer) -> bool:
    """The volunteer themselves, or the guardian who registered them (or the system, for paper records)."""
    if actor.is_system:
        return True
    return actor.person_id is not None and actor.person_id in (volunteer.person_id, volunteer.guardian_id)


def visible_teams(actor: Actor) -> QuerySet[Team]:
    if actor.is_system:
        return Team.objects.all()
    paths = actor.paths(*ORGANISER_ROLES)
    staff = Q(node__path__in=ancestor_paths(paths)) | any_subtree_q("node__path", paths) if paths else None
    own = own_volunteer_q(actor, "memberships__volunteer__")
    led = own_volunteer_q(actor, "leader__")
    q = _or(staff, own, led)
    return Team.objects.filter(q).distinct() if q is not None else Team.objects.none()


def can_manage_teams(actor: Actor, node: Node | None = None) -> bool:
    if actor.is_system:
        return True
    if node is None:
        return bool(_manager_paths(actor))
    return _within(node.path, _manager_paths(actor))


# --- activities -------------------------------------------------------------------------------------


def visible_activities(actor: Actor) -> QuerySet[Activity]:
    """Activities open to where the actor lives, in or above the area their duties name, or organised by them."""
    if actor.is_system:
        return Activity.objects.all()
    if not actor.is_authenticated:
        return Activity.objects.none()
    staff_paths = actor.paths(*ACTIVITY_VIEWER_ROLES)
    q = Q(organiser_id=actor.user_id) | Q(node__path__in=ancestor_paths([*staff_paths, *_resident_paths(actor)]))
    if staff_paths:
        q |= any_subtree_q("node__path", staff_paths)
    return Activity.objects.filter(q)


def led_team_ids(actor: Actor) -> set[int]:
    q = own_volunteer_q(actor, "leader__")
    if q is None:
        return set()
    return set(Team.objects.filter(q, is_active=True).values_list("pk", flat=True))


def can_create_activity(actor: Actor, *, node: Node | None = None, team: Team | None = None) -> bool:
    """Staff organisers in their area; a team leader for their own team within the team's area."""
    if actor.is_system:
        return True
    staff_paths = actor.paths(*ORGANISER_ROLES)
    if node is None:
        return bool(staff_paths) or bool(led_team_ids(actor))
    if _within(node.path, staff_paths):
        return True
    return team is not None and team.pk in led_team_ids(actor) and node.path.startswith(team.node.path)


def can_manage_activity(actor: Actor, activity: Activity) -> bool:
    """Keep the roster, check volunteers in and out, certify and correct hours, edit, close or cancel."""
    if actor.is_system:
        return True
    return activity.organiser_id == actor.user_id or _within(activity.node.path, _manager_paths(actor))


def can_sign_up(actor: Actor, volunteer: Volunteer) -> bool:
    return can_act_for_volunteer(actor, volunteer)


def visible_signups(actor: Actor) -> QuerySet[SignUp]:
    """Sign-ups of one's own volunteers, and the rosters of activities one manages."""
    if actor.is_system:
        return SignUp.objects.all()
    paths = _manager_paths(actor)
    q = _or(
        own_volunteer_q(actor, "volunteer__"),
        Q(activity__organiser_id=actor.user_id) if actor.user_id else None,
        any_subtree_q("activity__node__path", paths) if paths else None,
    )
    return SignUp.objects.filter(q) if q is not None else SignUp.objects.none()


# --- hours --------------------------------------------------------------------------------------------


def visible_service_records(actor: Actor) -> QuerySet[ServiceRecord]:
    if actor.is_system:
        return ServiceRecord.objects.all()
    paths = _manager_paths(actor)
    q = _or(
        own_volunteer_q(actor, "volunteer__"),
        Q(activity__organiser_id=actor.user_id) if actor.user_id else None,
        any_subtree_q("volunteer__person__org_path", paths) if paths else None,
    )
    return ServiceRecord.objects.filter(q) if q is not None else ServiceRecord.objects.none()


def can_correct_record(actor: Actor, record: ServiceRecord) -> bool:
    """Whoever may certify the activity's hours may correct them (民政部令第67号: the recorder corrects)."""
    return can_manage_activity(actor, record.activity)


# --- points, shop, orders -----------------------------------------------------------------------------


def visible_points_entries(actor: Actor) -> QuerySet[PointsEntry]:
    if actor.is_system:
        return PointsEntry.objects.all()
    paths = _manager_paths(actor)
    q = _or(
        own_volunteer_q(actor, "volunteer__"),
        any_subtree_q("volunteer__person__org_path", paths) if paths else None,
    )
    return PointsEntry.objects.filter(q) if q is not None else PointsEntry.objects.none()


def manager_user_ids() -> list[int]:
    """Everyone who holds the manager role today: who hears when the ledger check finds drift."""
    duties = Duty.objects.filter(Duty.current_q(timezone.localdate()), role__in=MANAGER_ROLES)
    return sorted(set(duties.values_list("user_id", flat=True)))


def can_view_ledger(actor: Actor) -> bool:
    """The manager's ledger, hours and orders pages and their Excel exports."""
    return actor.is_system or bool(_manager_paths(actor))


def visible_shop_items(actor: Actor) -> QuerySet[ShopItem]:
    """A resident sees the shops of the places they live in; a manager the shops in or above their area."""
    if actor.is_system:
        return ShopItem.objects.all()
    paths = _manager_paths(actor)
    q = Q(node__path__in=ancestor_paths([*paths, *_resident_paths(actor)]))
    if paths:
        q |= any_subtree_q("node__path", paths)
    return ShopItem.objects.filter(q)


def can_manage_shop(actor: Actor, item: ShopItem | None = None, *, node: Node | None = None) -> bool:
    if actor.is_system:
        return True
    place = item.node if item is not None else node
    if place is None:
        return bool(_manager_paths(actor))
    return _within(place.path, _manager_paths(actor))


def visible_orders(actor: Actor) -> QuerySet[Order]:
    if actor.is_system:
        return Order.objects.all()
    paths = _manager_paths(actor)
    q = _or(own_volunteer_q(actor, "volunteer__"), any_subtree_q("item__node__path", paths) if paths else None)
    return Order.objects.filter(q) if q is not None else Order.objects.none()


def can_hand_over_order(actor: Actor, order: Order) -> bool:
    """Staff of the shop hand items over against the pickup code."""
    return can_manage_shop(actor, order.item)


def can_cancel_order(actor: Actor, order: Order) -> bool:
    return can_act_for_volunteer(actor, order.volunteer) or can_manage_shop(actor, order.item)


def visible_adjustments(actor: Actor) -> QuerySet[PointsAdjustment]:
    if actor.is_system:
        return PointsAdjustment.objects.all()
    paths = _manager_paths(actor)
    if not paths:
        return PointsAdjustment.objects.none()
    return PointsAdjustment.objects.filter(any_subtree_q("volunteer__person__org_path", paths))


def can_request_adjustment(actor: Actor, volunteer: Volunteer) -> bool:
    return can_manage_volunteer(actor, volunteer)


def can_decide_adjustment(actor: Actor, adjustment: PointsAdjustment) -> bool:
    """A second manager: never the one who asked (four eyes; the database checks it again)."""
    if adjustment.requested_by_id == actor.user_id:
        return False
    return can_manage_volunteer(actor, adjustment.volunteer)


def can_manage_rules(actor: Actor) -> bool:
    """Points rules apply to everyone, so only a manager over the whole subdistrict sets them."""
    if actor.is_system:
        return True
    return any(g.role in MANAGER_ROLES and g.node_kind == "subdistrict" for g in actor.grants)


# --- certificates ---------------------------------------------------------------------------------------


def visible_certificates(actor: Actor) -> QuerySet[Certificate]:
    if actor.is_system:
        return Certificate.objects.all()
    paths = _manager_paths(actor)
    q = _or(
        own_volunteer_q(actor, "volunteer__"),
        any_subtree_q("volunteer__person__org_path", paths) if paths else None,
    )
    return Certificate.objects.filter(q) if q is not None else Certificate.objects.none()


def can_issue_certificate(actor: Actor, volunteer: Volunteer) -> bool:
    """On the volunteer's request (《志愿服务条例》 Art. 19: free of charge, from the records), or by a manager."""
    return can_act_for_volunteer(actor, volunteer) or can_manage_volunteer(actor, volunteer)
