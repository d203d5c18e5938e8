"""Demo data for volunteering: volunteers, teams, two months of activities with certified hours, a stocked
points shop with orders, a certificate and an adjustment awaiting its second approver.

Tier S goes through the services (every row is what the pages would have written). Larger tiers add bulk
volunteers with service records and points entries written with bulk_create, consistent with the cached
balances (points_check finds no drift).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from itertools import islice
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty, User
from gongzhi.core.actors import Actor, subtree_q
from gongzhi.registry.choices import PersonStatus
from gongzhi.registry.models import Person
from gongzhi.territory.models import Node
from gongzhi.volunteering import certificates, ledger, services
from gongzhi.volunteering.choices import (
    ActivityStatus,
    Availability,
    EntryKind,
    RecordKind,
    SignUpStatus,
    Skill,
    TeamKind,
    VolunteerStatus,
)
from gongzhi.volunteering.models import (
    Activity,
    PointsEntry,
    PointsRule,
    ServiceRecord,
    ShopItem,
    SignUp,
    Team,
    Volunteer,
)
from gongzhi.volunteering.services import ActivityData, Consent

SYSTEM = Actor.system("seed_demo volunteering")
T = TypeVar("T")
VOLUNTEERS = {"S": 60, "M": 20_000, "L": 200_000}
PAST_ACTIVITIES = 16
UPCOMING_ACTIVITIES = 4

ACTIVITIES = [
    ("楼道杂物清理", "环境整治", "{compound}各楼栋"),
    ("独居老人上门探访", "助老服务", "{compound}"),
    ("夜间安全巡逻", "治安巡逻", "{compound}南门"),
    ("垃圾分类桶前值守", "环境整治", "{compound}垃圾分类亭"),
    ("反诈宣传进小区", "宣传引导", "{compound}小广场"),
    ("义务理发", "助老服务", "社区党群服务中心"),
    ("小家电义务维修", "便民服务", "社区党群服务中心"),
    ("暑期青少年课业辅导", "课业辅导", "社区活动室"),
    ("文明交通劝导", "文明劝导", "小区门口路口"),
    ("广场舞队排练演出", "文体活动", "{compound}小广场"),
]
ITEMS = [
    ("洗衣液 2kg", 40, 30, "爱心商家：惠民超市", None),
    ("食用油 5L", 120, 15, "街道志愿者协会", 1),
    ("大米 5kg", 80, 20, "爱心商家：粮油店", 2),
    ("抽纸 10包", 30, 40, "爱心商家：惠民超市", None),
    ("保温杯", 60, 12, "街道志愿者协会", 1),
    ("理发券", 20, 50, "爱心商家：阿强理发", 2),
    ("雨伞", 35, 25, "爱心商家：五金店", 1),
    ("牙膏牙刷套装", 15, 60, "爱心商家：惠民超市", None),
]


def _persona(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _persona_compound() -> Node | None:
    duty = (
        Duty.objects.filter(user__username="baobao", role=Role.RESPONSIBLE_CADRE, node__isnull=False)
        .select_related("node")
        .first()
    )
    return duty.node if duty else None


def _adults_in(node: Node, today: dt.date, limit: int) -> list[Person]:
    adult_by = today.replace(year=today.year - 18, day=min(today.day, 28))
    rows = Person.objects.filter(
        subtree_q("org_path", node.path), status=PersonStatus.RESIDENT, born_on__lte=adult_by, volunteer__isnull=True
    ).order_by("id")
    return list(rows[:limit])


def _ensure_rule() -> None:
    if not PointsRule.objects.exists():
        PointsRule.objects.create(
            starts_on=dt.date(2000, 1, 1), points_per_hour=10, daily_cap=80, monthly_cap=400, note="默认规则"
        )


def seed_demo_data(*, rng: random.Random, today: dt.date, tier: str) -> str:
    zhiyuan, jumin = _persona("zhiyuan"), _persona("jumin")
    compound = _persona_compound()
    if zhiyuan is None or compound is None:
        return "volunteering: skipped (no zhiyuan persona or no compound of baobao)"
    _ensure_rule()
    manager = actor_for_user(zhiyuan)
    community = Node.objects.get(path=compound.path[: 2 * Node.steplen])
    subdistrict = Node.objects.get(path=compound.path[: Node.steplen])
    with transaction.atomic():
        volunteers = _volunteers(rng, today, compound, jumin)
        teams = _teams(rng, manager, compound, community, volunteers)
        activities, records = _activities(rng, today, manager, compound, community, volunteers, teams)
        items = _shop(manager, subdistrict)
        orders = _orders(rng, manager, volunteers, items)
        extra = _certificate_and_adjustment(manager, volunteers, jumin)
    bulk = _bulk(rng, today, subdistrict, VOLUNTEERS.get(tier, 0)) if tier != "S" else 0
    return (
        f"volunteering: {len(volunteers) + bulk} volunteers, {len(teams)} teams, {activities} activities, "
        f"{records} certified records, {len(items)} shop items, {orders} orders{extra}"
    )


def _volunteers(rng: random.Random, today: dt.date, compound: Node, jumin: User | None) -> list[Volunteer]:
    people = _adults_in(compound, today, VOLUNTEERS["S"])
    own = Person.objects.filter(user=jumin, volunteer__isnull=True).first() if jumin is not None else None
    if own is not None:  # the resident persona first: the journey and the certificate are theirs
        people = [own, *(p for p in people if p.pk != own.pk)]
    volunteers = []
    for person in people:
        volunteers.append(
            services.volunteer_register(
                actor=SYSTEM,
                person=person,
                consent=Consent(volunteer=True),
                skills=rng.sample(Skill.values, rng.randint(1, 3)),
                availability=rng.sample(Availability.values, rng.randint(1, 2)),
                today=today,
            )
        )
    return volunteers


def _teams(
    rng: random.Random, manager: Actor, compound: Node, community: Node, volunteers: list[Volunteer]
) -> list[Team]:
    specs = [
        (f"{compound.name}爱心服务队", TeamKind.CARE, compound),
        (f"{community.name}文体队", TeamKind.CULTURE, community),
        (f"{compound.name}党员先锋服务队", TeamKind.PARTY, compound),
    ]
    teams = []
    for name, kind, node in specs:
        team = services.team_create(actor=manager, node=node, name=name, kind=kind)
        members = rng.sample(volunteers, min(len(volunteers), rng.randint(6, 14)))
        for index, volunteer in enumerate(members):
            services.team_member_add(actor=manager, team=team, volunteer=volunteer, as_leader=index == 0)
        teams.append(team)
    return teams


def _activities(
    rng: random.Random,
    today: dt.date,
    manager: Actor,
    compound: Node,
    community: Node,
    volunteers: list[Volunteer],
    teams: list[Team],
) -> tuple[int, int]:
    tz = timezone.get_current_timezone()
    records = 0
    created = 0
    for index in range(PAST_ACTIVITIES + UPCOMING_ACTIVITIES):
        title, content, place = ACTIVITIES[index % len(ACTIVITIES)]
        day = today + dt.timedelta(days=(index - PAST_ACTIVITIES) * 4 + (3 if index >= PAST_ACTIVITIES else 0))
        starts_at = dt.datetime.combine(day, dt.time(rng.choice([8, 9, 14, 15, 19])), tzinfo=tz)
        hours = rng.choice([2, 2, 3, 3, 4])
        team = rng.choice([None, *teams]) if index % 3 == 0 else None
        activity = services.activity_create(
            actor=manager,
            data=ActivityData(
                title=title,
                service_content=content,
                node=team.node if team is not None else rng.choice([compound, community]),
                place=place.format(compound=compound.name),
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(hours=hours),
                slots=rng.choice([8, 10, 12, 15]),
                team=team,
                description="请穿志愿者马甲，提前10分钟到场签到。",
            ),
        )
        created += 1
        eligible = [v for v in volunteers if v.person.org_path.startswith(activity.node.path)]
        people = rng.sample(eligible, min(len(eligible), rng.randint(4, activity.slots)))
        if (index < 3 or index == PAST_ACTIVITIES) and volunteers and volunteers[0] in eligible:
            people = [volunteers[0], *(v for v in people if v != volunteers[0])][: activity.slots]
        past = index < PAST_ACTIVITIES
        for volunteer in people:
            signup = services.signup_create(
                actor=SYSTEM, activity=activity, volunteer=volunteer, at=starts_at - dt.timedelta(days=2)
            )
            if not past or signup.status != SignUpStatus.CONFIRMED:
                continue
            services.attendance_check_in(actor=SYSTEM, signup=signup, at=starts_at - dt.timedelta(minutes=10))
            services.attendance_check_out(actor=SYSTEM, signup=signup, at=activity.ends_at)
            minutes = activity.duration_minutes - rng.choice([0, 0, 0, 30])
            services.hours_certify(actor=manager, signup=signup, minutes=minutes)
            records += 1
        if past:
            services.activity_close(actor=manager, activity=activity)
    return created, records


def _shop(manager: Actor, subdistrict: Node) -> list[ShopItem]:
    return [
        ledger.shop_item_create(
            actor=manager,
            node=subdistrict,
            data=ledger.ItemData(name=name, points_price=price, donor=donor, limit_per_person=limit),
            stock=stock,
        )
        for name, price, stock, donor, limit in ITEMS
    ]


def _orders(rng: random.Random, manager: Actor, volunteers: list[Volunteer], items: list[ShopItem]) -> int:
    placed = 0
    for index, volunteer in enumerate(volunteers):
        volunteer.refresh_from_db()
        item = rng.choice(items)
        if index == 0 or volunteer.points_balance < item.points_price or rng.random() < 0.4:
            continue  # the first volunteer (jumin, when present) keeps their points for the journey
        order, _created = ledger.points_redeem(
            actor=SYSTEM, volunteer=volunteer, item=item, client_key=f"demo-{volunteer.pk}-{item.pk}"
        )
        placed += 1
        roll = rng.random()
        if roll < 0.6:
            ledger.order_hand_over(actor=manager, order=order)
        elif roll < 0.7:
            ledger.order_cancel(actor=manager, order=order, reason="超过领取期限未领取")
    return placed


def _certificate_and_adjustment(manager: Actor, volunteers: list[Volunteer], jumin: User | None) -> str:
    notes = ""
    first = volunteers[0] if volunteers else None
    if first is not None and first.certified_minutes > 0:
        certificates.certificate_issue(actor=SYSTEM, volunteer=first)
        notes += ", 1 certificate"
    if len(volunteers) > 1:
        ledger.adjustment_request(
            actor=manager, volunteer=volunteers[1], amount=20, reason="补记3月份线下敬老活动积分（纸质签到表）"
        )
        notes += ", 1 adjustment awaiting a second manager"
    return notes


# --- bulk (tiers M and L) -------------------------------------------------------------------------------


def _chunks(rows: list[T], size: int = 5000) -> Iterator[list[T]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _bulk(rng: random.Random, today: dt.date, subdistrict: Node, count: int) -> int:
    """Many volunteers, each with a few certified hours and their earned points, written in bulk.

    One activity per week carries the records (a bulk import of paper records); every cached column equals its
    sum, as the services would have left it.
    """
    people = list(
        Person.objects.filter(
            subtree_q("org_path", subdistrict.path), status=PersonStatus.RESIDENT, volunteer__isnull=True
        )
        .order_by("id")
        .values_list("id", "org_path")[:count]
    )
    if not people:
        return 0
    organiser = User.objects.get(username="zhiyuan")
    tz = timezone.get_current_timezone()
    now = timezone.now()
    rule = PointsRule.objects.order_by("-starts_on").first()
    rate = rule.points_per_hour if rule else 10
    weeks = [today - dt.timedelta(days=7 * w + 2) for w in range(1, 13)]
    activities = []
    for day in weeks:
        starts_at = dt.datetime.combine(day, dt.time(9), tzinfo=tz)
        activities.append(
            Activity(
                title="社区志愿服务（纸质记录导入）",
                service_content="社区服务",
                organiser=organiser,
                node=subdistrict,
                place="各社区",
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(hours=4),
                slots=1000,
                status=ActivityStatus.CLOSED,
            )
        )
    Activity.objects.bulk_create(activities)
    volunteers = [
        Volunteer(
            person_id=pk,
            consent_version=services.CONSENT_VERSION,
            consented_at=now,
            skills=[rng.choice(Skill.values)],
            status=VolunteerStatus.ACTIVE,
        )
        for pk, _path in people
    ]
    for batch in _chunks(volunteers):
        Volunteer.objects.bulk_create(batch)
    for volunteer in volunteers:
        volunteer.number = services.volunteer_number(volunteer.pk)
    for batch in _chunks(volunteers):
        Volunteer.objects.bulk_update(batch, ["number"])
    signups, plans = [], []
    for volunteer in volunteers:
        for activity in rng.sample(activities, rng.randint(1, 3)):
            minutes = rng.choice([60, 120, 180, 240])
            signups.append(
                SignUp(
                    activity=activity,
                    volunteer=volunteer,
                    status=SignUpStatus.CONFIRMED,
                    queued_at=activity.starts_at - dt.timedelta(days=1),
                    checked_in_at=activity.starts_at,
                    checked_out_at=activity.starts_at + dt.timedelta(minutes=minutes),
                )
            )
            plans.append(minutes)
    for signups_batch in _chunks(signups):
        SignUp.objects.bulk_create(signups_batch)
    records = [
        ServiceRecord(
            volunteer=s.volunteer,
            activity=s.activity,
            signup=s,
            kind=RecordKind.CERTIFIED,
            minutes=minutes,
            service_on=timezone.localdate(s.activity.starts_at),
            content="社区服务",
            recorded_by=organiser,
            recorded_by_name=organiser.full_name or organiser.username,
        )
        for s, minutes in zip(signups, plans, strict=True)
    ]
    for records_batch in _chunks(records):
        ServiceRecord.objects.bulk_create(records_batch)
    balances: dict[int, int] = {}
    minutes_by: dict[int, int] = {}
    entries = []
    for record in records:
        points = record.minutes * rate // 60
        balance = balances.get(record.volunteer.pk, 0) + points
        balances[record.volunteer.pk] = balance
        minutes_by[record.volunteer.pk] = minutes_by.get(record.volunteer.pk, 0) + record.minutes
        entries.append(
            PointsEntry(
                volunteer=record.volunteer,
                kind=EntryKind.EARNED,
                amount=points,
                balance_after=balance,
                occurred_on=record.service_on,
                actor=organiser,
                actor_name=organiser.full_name or organiser.username,
                source_type="volunteering.servicerecord",
                source_id=record.pk,
                reason=record.content,
                key=f"record:{record.pk}",
            )
        )
    for entries_batch in _chunks(entries):
        PointsEntry.objects.bulk_create(entries_batch)
    for volunteer in volunteers:
        volunteer.points_balance = balances.get(volunteer.pk, 0)
        volunteer.certified_minutes = minutes_by.get(volunteer.pk, 0)
    for batch in _chunks(volunteers):
        Volunteer.objects.bulk_update(batch, ["points_balance", "certified_minutes"])
    return len(volunteers)
