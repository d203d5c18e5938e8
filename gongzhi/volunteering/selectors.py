"""Reads of volunteering; every one starts from a visible_* scope in volunteering.permissions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gongzhi.core.actors import Actor
from gongzhi.registry.models import Person
from gongzhi.volunteering.choices import (
    ActivityStatus,
    AdjustmentStatus,
    EntryKind,
    OrderStatus,
    RecordKind,
    SignUpStatus,
    VolunteerStatus,
)
from gongzhi.volunteering.ledger import pickup_code_normalise
from gongzhi.volunteering.models import (
    Activity,
    Certificate,
    Order,
    PointsAdjustment,
    PointsEntry,
    PointsRule,
    ServiceRecord,
    ShopItem,
    SignUp,
    StockMovement,
    Team,
    TeamMembership,
    Volunteer,
)
from gongzhi.volunteering.permissions import (
    own_volunteer_q,
    visible_activities,
    visible_adjustments,
    visible_certificates,
    visible_orders,
    visible_points_entries,
    visible_service_records,
    visible_shop_items,
    visible_signups,
    visible_teams,
    visible_volunteers,
)
from gongzhi.volunteering.services import ADULT_AGE

# --- volunteers ---------------------------------------------------------------------------------------


def own_volunteers(*, actor: Actor) -> list[Volunteer]:
    """The actor's own volunteer record first, then the minors they registered as guardian."""
    q = own_volunteer_q(actor)
    if q is None:
        return []
    rows = Volunteer.objects.filter(q).select_related("person").order_by("id")
    return sorted(rows, key=lambda v: v.person_id != actor.person_id)


def own_volunteer_get(*, actor: Actor, volunteer_id: int | None = None) -> Volunteer:
    """One of the actor's own volunteers: the one asked for, else their own record. 404 for anyone else's."""
    mine = own_volunteers(actor=actor)
    for volunteer in mine:
        if volunteer_id is None or volunteer.pk == volunteer_id:
            return volunteer
    raise Http404


def registrable_people(*, actor: Actor, today: dt.date | None = None) -> list[Person]:
    """Whom the actor may register: themselves, and the minors of their household (as guardian); never
    someone already registered, unless they withdrew and may come back."""
    if actor.person_id is None:
        return []
    today = today or timezone.localdate()
    adult_born_by = _years_before(today, ADULT_AGE)
    q = Q(pk=actor.person_id)
    if actor.household_id is not None:
        q |= Q(household_id=actor.household_id, born_on__gt=adult_born_by)
    not_yet = Q(volunteer__isnull=True) | Q(volunteer__status=VolunteerStatus.WITHDRAWN)
    people = Person.objects.filter(q).filter(not_yet).order_by("born_on", "id")
    return sorted(people, key=lambda p: p.pk != actor.person_id)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def volunteer_list(*, actor: Actor, search: str = "", status: str = "") -> QuerySet[Volunteer]:
    volunteers = visible_volunteers(actor).select_related("person")
    if search.strip():
        text = search.strip()
        volunteers = volunteers.filter(Q(number=text.upper()) | Q(person__name__startswith=text))
    if status:
        volunteers = volunteers.filter(status=status)
    return volunteers.order_by("number")


def volunteer_get(*, actor: Actor, volunteer_id: int) -> Volunteer:
    return get_object_or_404(visible_volunteers(actor).select_related("person", "guardian"), pk=volunteer_id)


def volunteer_get_by_number(*, actor: Actor, number: str) -> Volunteer | None:
    return visible_volunteers(actor).select_related("person").filter(number=number.strip().upper()).first()


# --- teams --------------------------------------------------------------------------------------------


def team_list(*, actor: Actor) -> QuerySet[Team]:
    current = Count("memberships", filter=Q(memberships__left_on__isnull=True), distinct=True)
    return (
        visible_teams(actor)
        .select_related("node", "leader__person")
        .annotate(member_count=current)
        .order_by("node__path", "name")
    )


def team_get(*, actor: Actor, team_id: int) -> Team:
    return get_object_or_404(visible_teams(actor).select_related("node", "leader__person"), pk=team_id)


def team_members(*, team: Team) -> QuerySet[TeamMembership]:
    return team.memberships.filter(left_on__isnull=True).select_related("volunteer__person").order_by("joined_on", "id")


# --- activities ---------------------------------------------------------------------------------------


def _with_counts(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    return activities.annotate(
        confirmed_count=Count("signups", filter=Q(signups__status=SignUpStatus.CONFIRMED)),
        waitlist_count=Count("signups", filter=Q(signups__status=SignUpStatus.WAITLISTED)),
    )


def activity_list(
    *, actor: Actor, when: str = "upcoming", organised_only: bool = False, now: dt.datetime | None = None
) -> QuerySet[Activity]:
    """``when``: "upcoming" (not yet over, still open), "past" or "all"."""
    now = now or timezone.now()
    activities = visible_activities(actor).select_related("node", "team", "organiser")
    if organised_only:
        activities = activities.filter(organiser_id=actor.user_id)
    if when == "upcoming":
        activities = activities.filter(ends_at__gt=now, status=ActivityStatus.OPEN).order_by("starts_at", "id")
    elif when == "past":
        activities = activities.filter(Q(ends_at__lte=now) | ~Q(status=ActivityStatus.OPEN)).order_by(
            "-starts_at", "-id"
        )
    else:
        activities = activities.order_by("-starts_at", "-id")
    return _with_counts(activities)


def activity_get(*, actor: Actor, activity_id: int) -> Activity:
    return get_object_or_404(
        _with_counts(visible_activities(actor).select_related("node", "team", "organiser")), pk=activity_id
    )


def activity_roster(*, activity: Activity) -> QuerySet[SignUp]:
    """Everyone on an activity the caller manages (checked by the view), with their certified time."""
    records = ServiceRecord.objects.order_by("id")
    return (
        activity.signups.exclude(status=SignUpStatus.CANCELLED)
        .select_related("volunteer__person")
        .prefetch_related(Prefetch("service_records", queryset=records))
        .order_by("status", "queued_at", "id")
    )


def signup_get(*, actor: Actor, signup_id: int) -> SignUp:
    return get_object_or_404(visible_signups(actor).select_related("activity__node", "volunteer__person"), pk=signup_id)


def own_signups(*, actor: Actor, volunteers: list[Volunteer]) -> dict[int, SignUp]:
    """The actor's volunteers' live sign-ups, keyed by activity id (to show "已报名" on lists)."""
    rows = SignUp.objects.filter(volunteer__in=volunteers).exclude(status=SignUpStatus.CANCELLED)
    return {s.activity_id: s for s in rows}


def own_signups_for(*, activity: Activity, volunteers: list[Volunteer]) -> QuerySet[SignUp]:
    """The live sign-ups of the actor's own volunteers (from own_volunteers) on one activity."""
    return activity.signups.filter(volunteer__in=volunteers).exclude(status=SignUpStatus.CANCELLED)


def signup_list_for(*, volunteer: Volunteer, upcoming: bool = True) -> QuerySet[SignUp]:
    rows = volunteer.signups.exclude(status=SignUpStatus.CANCELLED).select_related("activity")
    if upcoming:
        return rows.filter(activity__ends_at__gt=timezone.now(), activity__status=ActivityStatus.OPEN).order_by(
            "activity__starts_at"
        )
    return rows.order_by("-activity__starts_at")


# --- hours --------------------------------------------------------------------------------------------


def service_record_list(
    *,
    actor: Actor,
    volunteer: Volunteer | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[ServiceRecord]:
    records = visible_service_records(actor).select_related("volunteer__person", "activity", "corrects")
    if volunteer is not None:
        records = records.filter(volunteer=volunteer)
    if date_from is not None:
        records = records.filter(service_on__gte=date_from)
    if date_to is not None:
        records = records.filter(service_on__lte=date_to)
    return records.order_by("-service_on", "-id")


def service_record_get(*, actor: Actor, record_id: int) -> ServiceRecord:
    return get_object_or_404(
        visible_service_records(actor).select_related("activity__node", "volunteer__person", "signup"),
        pk=record_id,
        kind=RecordKind.CERTIFIED,
    )


def record_corrections(*, record: ServiceRecord) -> QuerySet[ServiceRecord]:
    """The corrections of a certified record the caller already got through service_record_get, oldest first."""
    return record.corrections.order_by("id")


# --- points -------------------------------------------------------------------------------------------


def points_entry_list(*, actor: Actor, volunteer: Volunteer | None = None, kind: str = "") -> QuerySet[PointsEntry]:
    entries = visible_points_entries(actor).select_related("volunteer__person")
    if volunteer is not None:
        entries = entries.filter(volunteer=volunteer)
    if kind:
        entries = entries.filter(kind=kind)
    return entries.order_by("-id")


def points_rule_list() -> QuerySet[PointsRule]:
    """The rules are public to every signed-in user: they say how points are earned."""
    return PointsRule.objects.select_related("created_by").order_by("-starts_on")


def points_rule_current(on: dt.date | None = None) -> PointsRule | None:
    return PointsRule.objects.filter(starts_on__lte=on or timezone.localdate()).order_by("-starts_on").first()


def adjustment_list(*, actor: Actor, status: str = "") -> QuerySet[PointsAdjustment]:
    rows = visible_adjustments(actor).select_related("volunteer__person", "requested_by", "decided_by")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")


def adjustment_get(*, actor: Actor, adjustment_id: int) -> PointsAdjustment:
    return get_object_or_404(
        visible_adjustments(actor).select_related("volunteer__person", "requested_by"), pk=adjustment_id
    )


# --- shop ---------------------------------------------------------------------------------------------


def shop_item_list(*, actor: Actor, active_only: bool = True) -> QuerySet[ShopItem]:
    items = visible_shop_items(actor).select_related("node")
    if active_only:
        items = items.filter(is_active=True)
    return items.order_by("points_price", "name", "id")


def shop_item_get(*, actor: Actor, item_id: int) -> ShopItem:
    return get_object_or_404(visible_shop_items(actor).select_related("node"), pk=item_id)


def stock_movement_list(*, item: ShopItem) -> QuerySet[StockMovement]:
    return item.stock_movements.select_related("order").order_by("-id")


def order_list(
    *, actor: Actor, volunteer: Volunteer | None = None, status: str = "", volunteers: list[Volunteer] | None = None
) -> QuerySet[Order]:
    orders = visible_orders(actor).select_related("item", "volunteer__person")
    if volunteer is not None:
        orders = orders.filter(volunteer=volunteer)
    if volunteers is not None:
        orders = orders.filter(volunteer__in=volunteers)
    if status:
        orders = orders.filter(status=status)
    return orders.order_by("-created_at", "-id")


def order_get(*, actor: Actor, order_id: int) -> Order:
    return get_object_or_404(visible_orders(actor).select_related("item__node", "volunteer__person"), pk=order_id)


def order_find_by_code(*, actor: Actor, code: str) -> Order | None:
    """An order in the actor's scope by its pickup code (typed or scanned), or None."""
    code = pickup_code_normalise(code)
    if not code:
        return None
    return visible_orders(actor).select_related("item__node", "volunteer__person").filter(pickup_code=code).first()


# --- certificates ---------------------------------------------------------------------------------------


def certificate_list(*, actor: Actor, volunteer: Volunteer | None = None) -> QuerySet[Certificate]:
    rows = visible_certificates(actor)
    if volunteer is not None:
        rows = rows.filter(volunteer=volunteer)
    return rows.order_by("-created_at", "-id")


def certificate_get(*, actor: Actor, certificate_id: int) -> Certificate:
    return get_object_or_404(visible_certificates(actor).select_related("volunteer__person"), pk=certificate_id)


# --- the manager's overview -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    volunteers: int
    active_volunteers: int
    minutes_this_month: int
    points_outstanding: int
    open_orders: int
    pending_adjustments: int
    upcoming_activities: int
    low_stock_items: int


LOW_STOCK = 5


def volunteering_overview(*, actor: Actor, today: dt.date | None = None) -> Overview:
    today = today or timezone.localdate()
    volunteers = visible_volunteers(actor)
    totals = volunteers.aggregate(
        n=Count("id"),
        active=Count("id", filter=Q(status=VolunteerStatus.ACTIVE)),
        points=Sum("points_balance"),
    )
    minutes = visible_service_records(actor).filter(service_on__gte=today.replace(day=1), service_on__lte=today)
    return Overview(
        volunteers=totals["n"] or 0,
        active_volunteers=totals["active"] or 0,
        minutes_this_month=int(minutes.aggregate(m=Sum("minutes"))["m"] or 0),
        points_outstanding=int(totals["points"] or 0),
        open_orders=visible_orders(actor).filter(status=OrderStatus.PLACED).count(),
        pending_adjustments=visible_adjustments(actor).filter(status=AdjustmentStatus.PENDING).count(),
        upcoming_activities=visible_activities(actor)
        .filter(status=ActivityStatus.OPEN, ends_at__gt=timezone.now())
        .count(),
        low_stock_items=visible_shop_items(actor).filter(is_active=True, stock__lt=LOW_STOCK).count(),
    )


# --- the cockpit's figures (dashboards.sources.volunteering) --------------------------------------------
# A volunteer's place is their person's (the household's grid and org_path). One grouped query each.


def cockpit_day_minutes(*, since: dt.date, until: dt.date, prefix: int) -> list[tuple[dt.date, int | None, str, int]]:
    """Certified minutes per (service day, grid_id, place), corrections included: the sum of every
    ServiceRecord, as a volunteer's certified time is."""
    rows = (
        ServiceRecord.objects.filter(service_on__gte=since, service_on__lte=until)
        .values_list("service_on", "volunteer__person__grid_id", Substr("volunteer__person__org_path", 1, prefix))
        .annotate(n=Sum("minutes"))
        .order_by()
    )
    return [(day, grid_id, place, int(n or 0)) for day, grid_id, place, n in rows]


def cockpit_day_points(
    *, since: dt.date, until: dt.date, prefix: int
) -> list[tuple[dt.date, int | None, str, int, int]]:
    """Points per (day the entry belongs to, grid_id, place): earned (service points, a correction's negative
    entry included) and redeemed (spent on orders, less what cancelled orders refunded)."""
    rows = (
        PointsEntry.objects.filter(
            occurred_on__gte=since,
            occurred_on__lte=until,
            kind__in=[EntryKind.EARNED, EntryKind.REDEEMED, EntryKind.REFUNDED],
        )
        .values_list("occurred_on", "volunteer__person__grid_id", Substr("volunteer__person__org_path", 1, prefix))
        .annotate(
            earned=Sum("amount", filter=Q(kind=EntryKind.EARNED)),
            spent=Sum("amount", filter=Q(kind__in=[EntryKind.REDEEMED, EntryKind.REFUNDED])),
        )
        .order_by()
    )
    return [(day, grid_id, place, int(earned or 0), -int(spent or 0)) for day, grid_id, place, earned, spent in rows]


def cockpit_volunteers(*, prefix: int) -> list[tuple[int | None, str, int]]:
    """Volunteers in the register (在册) per (grid_id, place)."""
    rows = (
        Volunteer.objects.filter(status=VolunteerStatus.ACTIVE)
        .values_list("person__grid_id", Substr("person__org_path", 1, prefix))
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(grid_id, place, n) for grid_id, place, n in rows]


def cockpit_mark() -> tuple[int, int]:
    """The last service record and the last points entry: both tables are append-only."""
    record = ServiceRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    entry = PointsEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return record, entry


def cockpit_days_after(*, record_after: int, entry_after: int) -> set[dt.date]:
    """The days the records and entries written after these ids count on."""
    days = set(ServiceRecord.objects.filter(pk__gt=record_after).values_list("service_on", flat=True).distinct())
    days |= set(PointsEntry.objects.filter(pk__gt=entry_after).values_list("occurred_on", flat=True).distinct())
    return days


def cockpit_first_day() -> dt.date | None:
    first = [
        ServiceRecord.objects.order_by("service_on").values_list("service_on", flat=True).first(),
        PointsEntry.objects.order_by("occurred_on").values_list("occurred_on", flat=True).first(),
    ]
    return min((d for d in first if d is not None), default=None)
