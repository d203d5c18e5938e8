"""送服务: party members' service activities are volunteering activities an organisation tags 党员服务.

Sign-up, check-in and check-out, certified hours and points stay the volunteering module's (one rule, one
place). What is added here is the tag, and the reads that turn certified service records into a member's
service card (服务登记卡) and an organisation's totals. Hours are never typed into the party module: a card
shows what the activity's organiser certified, corrections included (民政部令第67号: corrections are new
rows, so a total is the sum of the original and its corrections).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.audit import audit_record
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.party.choices import MemberStatus
from gongzhi.party.models import Member, Need, Organisation, ServiceActivity
from gongzhi.party.permissions import may_keep
from gongzhi.volunteering.choices import SignUpStatus
from gongzhi.volunteering.models import Activity, ServiceRecord, SignUp
from gongzhi.volunteering.permissions import can_manage_activity
from gongzhi.volunteering.services import ActivityData, activity_create


def _check_need(organisation: Organisation, need: Need | None) -> None:
    if need is not None and need.organisation_id != organisation.pk:
        raise DomainError(_("该需求不是本组织发布的。"), field="need")


@transaction.atomic
def service_activity_create(
    *, actor: Actor, organisation: Organisation, data: ActivityData, need: Need | None = None
) -> ServiceActivity:
    """A new volunteering activity, tagged 党员服务 of ``organisation`` in the same transaction."""
    if not may_keep(actor, organisation):
        raise NotAllowed(_("您不能为该党组织发布党员服务活动。"))
    _check_need(organisation, need)
    activity = activity_create(actor=actor, data=data)
    return _tag(actor=actor, organisation=organisation, activity=activity, need=need)


@transaction.atomic
def service_activity_tag(
    *, actor: Actor, organisation: Organisation, activity: Activity, need: Need | None = None
) -> ServiceActivity:
    """Tag an existing activity 党员服务: the organisation's keeper who also manages the activity."""
    if not may_keep(actor, organisation) or not can_manage_activity(actor, activity):
        raise NotAllowed(_("只有活动组织者可以把自己的活动标记为党员服务。"))
    _check_need(organisation, need)
    return _tag(actor=actor, organisation=organisation, activity=activity, need=need)


def _tag(*, actor: Actor, organisation: Organisation, activity: Activity, need: Need | None) -> ServiceActivity:
    try:
        with transaction.atomic():
            tag = ServiceActivity.objects.create(
                activity=activity,
                organisation=organisation,
                need=need,
                tagged_at=timezone.now(),
                tagged_by_id=actor.user_id,
            )
    except IntegrityError as exc:
        raise DomainError(_("该活动已标记为党员服务。"), field="activity") from exc
    audit_record(actor=actor, action="party.service_activity_tag", target=tag, label=activity.title)
    return tag


def _party_records(since: dt.date | None, until: dt.date | None) -> Q:
    q = Q(activity__party_service__isnull=False)
    if since is not None:
        q &= Q(service_on__gte=since)
    if until is not None:
        q &= Q(service_on__lte=until)
    return q


def member_service_minutes(
    members: Iterable[Member], *, since: dt.date | None = None, until: dt.date | None = None
) -> dict[int, int]:
    """Certified minutes of party service per member id, between two dates inclusive. The caller has
    scoped the members already (visible_members); one query whatever their number."""
    by_person = {m.person_id: m.pk for m in members}
    if not by_person:
        return {}
    rows = (
        ServiceRecord.objects.filter(_party_records(since, until), volunteer__person_id__in=list(by_person))
        .values("volunteer__person_id")
        .annotate(minutes=Sum("minutes"))
    )
    totals = dict.fromkeys(by_person.values(), 0)
    for row in rows:
        totals[by_person[row["volunteer__person_id"]]] = max(0, int(row["minutes"] or 0))
    return totals


@dataclass(frozen=True)
class CardRow:
    service_on: dt.date
    activity_id: int
    title: str
    content: str
    organisation: str
    minutes: int


@dataclass
class ServiceCard:
    """服务登记卡: one row per activity served, hours as certified (corrections applied)."""

    member: Member
    rows: list[CardRow] = field(default_factory=list)

    @property
    def total_minutes(self) -> int:
        return sum(row.minutes for row in self.rows)

    @property
    def activity_count(self) -> int:
        return len(self.rows)


def service_card(*, member: Member, since: dt.date | None = None, until: dt.date | None = None) -> ServiceCard:
    """The member's card. The caller decides who may see it (the member, or a keeper who sees the member)."""
    records = (
        ServiceRecord.objects.filter(_party_records(since, until), volunteer__person_id=member.person_id)
        .values_list(
            "activity_id",
            "activity__title",
            "content",
            "activity__party_service__organisation__name",
            "service_on",
            "minutes",
        )
        .order_by("activity_id", "id")
    )
    # An original record and its corrections share the activity and the date; their minutes add up.
    by_activity: dict[int, CardRow] = {}
    for activity_id, title, content, organisation, service_on, minutes in records:
        row = by_activity.get(activity_id)
        total = (row.minutes if row else 0) + minutes
        by_activity[activity_id] = CardRow(service_on, activity_id, title, content, organisation, total)
    card = ServiceCard(member=member, rows=[row for row in by_activity.values() if row.minutes > 0])
    card.rows.sort(key=lambda r: (r.service_on, r.activity_id), reverse=True)
    return card


@dataclass(frozen=True)
class ServiceTotals:
    activities: int  # tagged activities that took place in the period (not cancelled)
    members_served: int  # members with certified party service in the period
    minutes: int


def organisation_service_totals(
    *, organisation: Organisation, members: Iterable[Member], since: dt.date, until: dt.date
) -> ServiceTotals:
    """What an organisation's members served between two dates, from certified records: every tagged
    activity counts, whoever organised it. ``members`` is the organisation's member list as the caller sees it."""
    minutes = member_service_minutes(members, since=since, until=until)
    activities = (
        ServiceActivity.objects.filter(
            organisation=organisation,
            activity__starts_at__date__gte=since,
            activity__starts_at__date__lte=until,
        )
        .exclude(activity__status="cancelled")
        .aggregate(n=Count("pk"))["n"]
    )
    return ServiceTotals(
        activities=int(activities or 0),
        members_served=sum(1 for m in minutes.values() if m > 0),
        minutes=sum(minutes.values()),
    )


def service_activity_list(*, organisation: Organisation) -> QuerySet[ServiceActivity]:
    """The organisation's tagged activities, newest first, with places taken and certified minutes. Each
    figure is its own subquery: two aggregates over two joins would multiply each other."""
    here = {"activity_id": OuterRef("activity_id")}
    taken = (
        SignUp.objects.filter(**here, status=SignUpStatus.CONFIRMED)
        .values("activity_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    minutes = ServiceRecord.objects.filter(**here).values("activity_id").annotate(n=Sum("minutes")).values("n")[:1]
    return (
        ServiceActivity.objects.filter(organisation=organisation)
        .select_related("activity", "need")
        .annotate(
            taken=Coalesce(Subquery(taken, output_field=IntegerField()), Value(0)),
            certified_minutes=Coalesce(Subquery(minutes, output_field=IntegerField()), Value(0)),
        )
        .order_by("-activity__starts_at", "-pk")
    )


def party_activity_ids(activity_ids: Iterable[int]) -> set[int]:
    """Which of these volunteering activities are tagged 党员服务 (core.badges)."""
    return set(ServiceActivity.objects.filter(activity_id__in=list(activity_ids)).values_list("activity_id", flat=True))


# --- the cockpit's figures (dashboards.sources.party) ---------------------------------------------------


def cockpit_day_minutes(*, since: dt.date, until: dt.date, prefix: int) -> list[tuple[dt.date, int | None, str, int]]:
    """Certified minutes of party service per (service day, grid_id, place): what the members' service cards
    add up (records of activities tagged 党员服务, corrections included, served by a member on the roll),
    placed where the member lives (the person's grid and org_path). One grouped query."""
    on_roll = Member.objects.filter(person_id=OuterRef("volunteer__person_id"), status=MemberStatus.ACTIVE)
    rows = (
        ServiceRecord.objects.filter(_party_records(since, until))
        .filter(Exists(on_roll))
        .values_list("service_on", "volunteer__person__grid_id", Substr("volunteer__person__org_path", 1, prefix))
        .annotate(n=Sum("minutes"))
        .order_by()
    )
    return [(day, grid_id, place, int(n or 0)) for day, grid_id, place, n in rows]
