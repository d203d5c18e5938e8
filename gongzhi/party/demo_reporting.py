"""Demo 双报到: in-service members held outside report to the organisation where they live.

About 300 of the demo's outside-held members have accepted slips with the branch (or community committee)
``reporting.residence_organisation`` finds for their building, from about 40 work units (a third of them
registered as units, with a liaison); dangzhibu's branch has slips waiting; each organisation with
reported members has a needs list with claims and 党员服务 activities over the past year, with sign-ups,
check-in and -out and certified service records; last year's appraisals and past quarters' feedback.

Rows are bulk-written (the services would take minutes for a year of activities), keeping the
volunteering invariants: every certified record has its points entry, the running balances follow on
from each volunteer's current one, and the cached balance and minutes equal their sums (ledger_check).
The persona jumin is never pre-registered: a journey registers them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.party.choices import (
    AppraisalResult,
    MemberStatus,
    NeedStatus,
    OrgKind,
    RegistrationStatus,
    ServicePost,
)
from gongzhi.party.models import (
    Appraisal,
    Feedback,
    Member,
    Need,
    NeedClaim,
    Organisation,
    Registration,
    ServiceActivity,
    WorkUnit,
)
from gongzhi.party.reporting import BUILDING_PATH_LENGTH, quarter_of, quarter_span, residence_organisation
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node
from gongzhi.volunteering import services as volunteering
from gongzhi.volunteering.choices import ActivityStatus, EntryKind, RecordKind, SignUpStatus, Skill, VolunteerStatus
from gongzhi.volunteering.models import Activity, PointsEntry, PointsRule, ServiceRecord, SignUp, Volunteer

REGISTERED = {"T": 40, "S": 300, "M": 300, "L": 300}
WORK_UNITS = 40
PENDING = 5  # slips waiting in dangzhibu's branch
ORGANISATIONS = 20  # the organisations members report to
CANDIDATES = 1500  # outside-held members looked at (each building's organisation is looked up)
# Work units and the party organisation holding their members' memberships.
UNITS = (
    ("蚌埠市财政局", "蚌埠市财政局机关党支部"),
    ("蚌埠市第二中学", "蚌埠市第二中学党总支"),
    ("蚌埠医学院第一附属医院", "蚌埠医学院第一附属医院党委"),
    ("国网蚌埠供电公司", "国网蚌埠供电公司党委"),
    ("蚌山区人民法院", "蚌山区人民法院机关党支部"),
    ("蚌埠市税务局", "蚌埠市税务局机关党委"),
    ("中国银行蚌埠分行", "中国银行蚌埠分行党委"),
    ("蚌埠学院", "蚌埠学院党委"),
    ("蚌山区教育体育局", "蚌山区教育体育局机关党支部"),
    ("蚌埠市自然资源和规划局", "蚌埠市自然资源和规划局机关党委"),
    ("蚌埠市第一人民医院", "蚌埠市第一人民医院党委"),
    ("中国移动蚌埠分公司", "中国移动蚌埠分公司党委"),
)
POSTS = ("科员", "副科长", "教师", "医生", "护士", "工程师", "会计", "法官助理", "客户经理", "辅导员", "办事员")
LIAISONS = ("王主任", "李书记", "张干事", "刘委员", "陈主任")
NEEDS = (
    (ServicePost.LEGAL, "法律咨询进小区", "每月一次，在党群服务站解答居民法律问题。", 2),
    (ServicePost.HEALTH, "健康义诊", "测血压血糖，讲解慢病用药。", 3),
    (ServicePost.PATROL, "夜间安全巡逻", "每周五晚8点至10点，小区内巡逻。", 4),
    (ServicePost.ENVIRONMENT, "楼道杂物清理", "清理楼道堆放杂物，配合消防通道整治。", 6),
    (ServicePost.ELDER_CARE, "独居老人结对探访", "每月上门探访一次，了解生活困难。", 5),
    (ServicePost.PUBLICITY, "反诈宣传", "在小区广场发放宣传资料。", 3),
    (ServicePost.CULTURE, "青少年暑期课堂", "暑期为小区学生辅导功课。", 4),
    (ServicePost.GOVERNANCE, "小区议事会列席", "列席小区议事协商会议，反映居民意见。", 2),
)
ACTIVITY_MINUTES = (90, 120, 150, 180)
PLACES = ("小区党群服务站", "社区党群服务中心", "小区广场", "小区南门", "各楼栋")


def seed_reporting(*, rng: random.Random, today: dt.date, tier: str) -> str:
    users = {u.username: u for u in User.objects.filter(username__in=["jiedao", "dangzhibu", "zhiyuan"])}
    if len(users) < 3:
        return "双报到: skipped (no personas)"
    jumin_person = _person_id_of("jumin")
    candidates = list(
        Member.objects.filter(organisation__isnull=True, status=MemberStatus.ACTIVE)
        .exclude(person_id=jumin_person or 0)
        .select_related("person")
        .order_by("pk")
    )
    rng.shuffle(candidates)
    candidates = candidates[:CANDIDATES]
    buildings = {
        b.path: b
        for b in Node.objects.filter(
            kind=NodeKind.BUILDING, path__in={m.person.org_path[:BUILDING_PATH_LENGTH] for m in candidates}
        )
    }
    org_of = {path: residence_organisation(building=b) for path, b in buildings.items()}
    by_org: dict[int, list[Member]] = defaultdict(list)
    orgs: dict[int, Organisation] = {}
    for m in candidates:
        org = org_of.get(m.person.org_path[:BUILDING_PATH_LENGTH])
        if org is not None:
            by_org[org.pk].append(m)
            orgs[org.pk] = org
    # The members report to about twenty organisations, dangzhibu's first: its slips wait for them.
    persona = _persona_org_ids(orgs)
    ranked = sorted(by_org, key=lambda pk: (pk not in persona, -len(by_org[pk]), pk))[:ORGANISATIONS]
    pending = [(m, orgs[pk]) for pk in ranked if pk in persona for m in by_org[pk][:PENDING]][:PENDING]
    waiting = {m.pk for m, _o in pending}
    pool = [(m, orgs[pk]) for pk in ranked for m in by_org[pk] if m.pk not in waiting]
    # Who keeps each organisation's 双报到 (dangzhibu their branch, the officer the rest) and who organises its
    # activities (dangzhibu, or the volunteer association's manager).
    keepers = {pk: users["dangzhibu"] if pk in persona else users["jiedao"] for pk in ranked}
    organisers = {pk: users["dangzhibu"] if pk in persona else users["zhiyuan"] for pk in ranked}
    rng.shuffle(pool)
    placed = pool[: REGISTERED.get(tier, 300)] + pending
    units = _work_units(rng, today, {o.pk: o for _m, o in placed})
    registrations = _registrations(rng, today, placed, units, waiting, buildings, keepers)
    accepted = [r for r in registrations if r.status == RegistrationStatus.ACCEPTED]
    _groups(rng, accepted)
    needs, claims = _needs(rng, today, accepted, keepers)
    activities, records = _activities(rng, today, accepted, needs, organisers)
    appraisals = _appraisals(rng, today, accepted, keepers)
    feedbacks = _feedback(rng, today, accepted, keepers)
    return (
        f"双报到: {len(accepted)} 名在职党员报到, {len(registrations) - len(accepted)} 份待确认, "
        f"{len(set(units.values()))} 个单位, {len(needs)} 项需求（{claims} 人次认领）, {activities} 场党员服务, "
        f"{records} 条服务记录, {appraisals} 份评议, {feedbacks} 份季度反馈"
    )


def _name(user: User) -> str:
    return user.full_name or user.username


def _person_id_of(username: str) -> int | None:
    from gongzhi.registry.models import Person

    return Person.objects.filter(user__username=username).values_list("pk", flat=True).first()


def _persona_org_ids(orgs: dict[int, Organisation]) -> set[int]:
    """Of these organisations, those dangzhibu keeps."""
    from gongzhi.accounts.actors import actor_for_user
    from gongzhi.party.permissions import may_keep

    user = User.objects.filter(username="dangzhibu").first()
    if user is None:
        return set()
    actor = actor_for_user(user)
    return {pk for pk, org in orgs.items() if may_keep(actor, org)}


def _work_units(rng: random.Random, today: dt.date, orgs: dict[int, Organisation]) -> dict[tuple[int, str], WorkUnit]:
    """About forty units over the organisations: each draws a few of the units its members work at."""
    per_org = max(1, WORK_UNITS // max(1, len(orgs)))
    rows = []
    for org_id in sorted(orgs):
        for name, party in rng.sample(UNITS, min(len(UNITS), per_org)):
            as_unit = rng.random() < 0.35
            rows.append(
                WorkUnit(
                    organisation_id=org_id,
                    name=name,
                    party_organisation=party if as_unit else "",
                    liaison=rng.choice(LIAISONS) if as_unit else "",
                    liaison_phone=f"0552-{rng.randint(2000000, 4999999)}" if as_unit else "",
                    registered_on=today - dt.timedelta(days=rng.randint(200, 900)) if as_unit else None,
                )
            )
    written = WorkUnit.objects.bulk_create(rows)
    return {(u.organisation_id, u.name): u for u in written}


def _registrations(
    rng: random.Random,
    today: dt.date,
    placed: list[tuple[Member, Organisation]],
    units: dict[tuple[int, str], WorkUnit],
    pending_ids: set[int],
    buildings: dict[str, Node],
    keepers: dict[int, User],
) -> list[Registration]:
    by_org: dict[int, list[WorkUnit]] = defaultdict(list)
    for (org_id, _unit), unit in units.items():
        by_org[org_id].append(unit)
    parties = dict(UNITS)
    now = timezone.now()
    rows, members = [], []
    for member, org in placed:
        unit = rng.choice(by_org[org.pk])
        # The membership is held by the unit's party organisation: the member row says the same.
        member.outside_organisation = parties[unit.name]
        members.append(member)
        is_pending = member.pk in pending_ids
        submitted = now - dt.timedelta(days=rng.randint(1, 6) if is_pending else rng.randint(60, 720))
        rows.append(
            Registration(
                person_id=member.person_id,
                organisation=org,
                work_unit=unit,
                post=rng.choice(POSTS),
                holding_organisation=member.outside_organisation,
                member_kind=member.kind,
                joined_on=member.joined_on,
                residence=buildings[member.person.org_path[:BUILDING_PATH_LENGTH]],
                skills=rng.sample(Skill.values, rng.randint(1, 2)),
                service_posts=rng.sample(ServicePost.values, rng.randint(1, 3)),
                status=RegistrationStatus.SUBMITTED if is_pending else RegistrationStatus.ACCEPTED,
                submitted_at=submitted,
                decided_at=None if is_pending else submitted + dt.timedelta(days=rng.randint(1, 10)),
                decided_by=None if is_pending else keepers[org.pk],
                decided_by_name="" if is_pending else _name(keepers[org.pk]),
                member=None if is_pending else member,
            )
        )
    Member.objects.bulk_update(members, ["outside_organisation"], batch_size=1000)
    return Registration.objects.bulk_create(rows, batch_size=1000)


def _groups(rng: random.Random, accepted: list[Registration]) -> None:
    """Some reported members are placed in the group of their building, where their branch has one."""
    links = Organisation.territory.through.objects.filter(
        organisation__kind=OrgKind.GROUP, organisation__is_active=True
    ).values_list("node_id", "organisation_id", "organisation__parent_id")
    group_of = {(node_id, parent_id): group_id for node_id, group_id, parent_id in links}
    moved = []
    for r in accepted:
        group_id = group_of.get((r.residence_id, r.organisation_id))
        if group_id is not None and r.member is not None and rng.random() < 0.5:
            r.member.group_id = group_id
            moved.append(r.member)
    Member.objects.bulk_update(moved, ["group"], batch_size=1000)


def _needs(
    rng: random.Random, today: dt.date, accepted: list[Registration], keepers: dict[int, User]
) -> tuple[list[Need], int]:
    by_org: dict[int, list[Registration]] = defaultdict(list)
    for r in accepted:
        by_org[r.organisation_id].append(r)
    places = dict(
        Organisation.territory.through.objects.filter(organisation_id__in=list(by_org))
        .order_by("-node__path")  # the last wins: each organisation's first place in path order
        .values_list("organisation_id", "node_id")
    )
    needs = []
    for org_id in sorted(by_org):
        for category, title, description, wanted in rng.sample(NEEDS, 3):
            needs.append(
                Need(
                    organisation_id=org_id,
                    category=category,
                    title=title,
                    description=description,
                    node_id=places[org_id],
                    wanted=wanted,
                    status=NeedStatus.CLOSED if rng.random() < 0.2 else NeedStatus.OPEN,
                    created_by=keepers[org_id],
                )
            )
    needs = Need.objects.bulk_create(needs)
    claims = []
    now = timezone.now()
    for need in needs:
        takers = rng.sample(by_org[need.organisation_id], min(len(by_org[need.organisation_id]), need.wanted))
        for r in takers[: rng.randint(0, len(takers))]:
            claims.append(NeedClaim(need=need, registration=r, claimed_at=now - dt.timedelta(days=rng.randint(1, 200))))
    NeedClaim.objects.bulk_create(claims, batch_size=1000)
    return needs, len(claims)


def _activities(
    rng: random.Random, today: dt.date, accepted: list[Registration], needs: list[Need], organisers: dict[int, User]
) -> tuple[int, int]:
    """Party service over the past year for each organisation's reported members, and two to come for each.
    The members who serve become volunteers if they were not."""
    by_org: dict[int, list[Registration]] = defaultdict(list)
    for r in accepted:
        by_org[r.organisation_id].append(r)
    needs_of: dict[int, list[Need]] = defaultdict(list)
    for need in needs:
        needs_of[need.organisation_id].append(need)
    tz = timezone.get_current_timezone()
    now = timezone.now()
    plans: list[tuple[Activity, Need, list[Registration]]] = []
    for org_id in sorted(by_org):
        for index in range(10):
            need = rng.choice(needs_of[org_id])
            past = index < 8
            ahead = dt.timedelta(days=3 + 7 * (index - 8))
            day = today - dt.timedelta(days=rng.randint(7, 360)) if past else today + ahead
            starts = dt.datetime.combine(day, dt.time(rng.choice([9, 14, 19])), tzinfo=tz)
            activity = Activity(
                title=f"党员服务：{need.title}",
                service_content=str(ServicePost(need.category).label)[:40],
                organiser=organisers[org_id],
                node_id=need.node_id,
                place=rng.choice(PLACES),
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=3),
                slots=10,
                status=ActivityStatus.CLOSED if past else ActivityStatus.OPEN,
            )
            pool = by_org[org_id]
            served = rng.sample(pool, min(len(pool), rng.randint(3, 9))) if past else []
            plans.append((activity, need, served))
    Activity.objects.bulk_create([a for a, _n, _s in plans])
    ServiceActivity.objects.bulk_create(
        [
            ServiceActivity(
                activity=a,
                organisation_id=n.organisation_id,
                need=n,
                tagged_at=min(a.starts_at - dt.timedelta(days=7), now),
                tagged_by=a.organiser,
            )
            for a, n, _s in plans
        ]
    )
    volunteers = _volunteers_for({r.person_id for _a, _n, served in plans for r in served}, rng, now)
    return len(plans), _records(plans, volunteers)


def _volunteers_for(person_ids: set[int], rng: random.Random, now: dt.datetime) -> dict[int, Volunteer]:
    existing = {v.person_id: v for v in Volunteer.objects.filter(person_id__in=person_ids)}
    fresh = [
        Volunteer(
            person_id=pk,
            consent_version=volunteering.CONSENT_VERSION,
            consented_at=now - dt.timedelta(days=400),
            skills=[rng.choice(Skill.values)],
            status=VolunteerStatus.ACTIVE,
        )
        for pk in sorted(person_ids - set(existing))
    ]
    Volunteer.objects.bulk_create(fresh)
    for volunteer in fresh:
        volunteer.number = volunteering.volunteer_number(volunteer.pk)
    Volunteer.objects.bulk_update(fresh, ["number"])
    return {**existing, **{v.person_id: v for v in fresh}}


def _records(plans: list[tuple[Activity, Need, list[Registration]]], volunteers: dict[int, Volunteer]) -> int:
    signups, minutes = [], []
    rng = random.Random(len(plans))  # noqa: S311 - demo data
    for activity, _need, served in plans:
        for r in served:
            length = rng.choice(ACTIVITY_MINUTES)
            signups.append(
                SignUp(
                    activity=activity,
                    volunteer=volunteers[r.person_id],
                    status=SignUpStatus.CONFIRMED,
                    queued_at=activity.starts_at - dt.timedelta(days=2),
                    checked_in_at=activity.starts_at,
                    checked_out_at=activity.starts_at + dt.timedelta(minutes=length),
                )
            )
            minutes.append(length)
    SignUp.objects.bulk_create(signups, batch_size=1000)
    records = ServiceRecord.objects.bulk_create(
        [
            ServiceRecord(
                volunteer=s.volunteer,
                activity=s.activity,
                signup=s,
                kind=RecordKind.CERTIFIED,
                minutes=n,
                service_on=timezone.localdate(s.activity.starts_at),
                content=s.activity.service_content,
                recorded_by=s.activity.organiser,
                recorded_by_name=_name(s.activity.organiser),
            )
            for s, n in zip(signups, minutes, strict=True)
        ],
        batch_size=1000,
    )
    rule = PointsRule.objects.order_by("-starts_on").first()
    rate = rule.points_per_hour if rule else 10
    # Each volunteer's ledger continues from the balance they have now (the volunteering demo's entries).
    fresh = {v.pk: v for v in Volunteer.objects.filter(pk__in={r.volunteer.pk for r in records})}
    balances = {pk: v.points_balance for pk, v in fresh.items()}
    entries = []
    for record in sorted(records, key=lambda r: (r.service_on, r.pk)):
        points = record.minutes * rate // 60
        balances[record.volunteer.pk] += points
        fresh[record.volunteer.pk].certified_minutes += record.minutes
        entries.append(
            PointsEntry(
                volunteer_id=record.volunteer.pk,
                kind=EntryKind.EARNED,
                amount=points,
                balance_after=balances[record.volunteer.pk],
                occurred_on=record.service_on,
                actor=record.recorded_by,
                actor_name=record.recorded_by_name,
                source_type="volunteering.servicerecord",
                source_id=record.pk,
                reason=record.content,
                key=f"record:{record.pk}",
            )
        )
    PointsEntry.objects.bulk_create(entries, batch_size=1000)
    for pk, volunteer in fresh.items():
        volunteer.points_balance = balances[pk]
    Volunteer.objects.bulk_update(list(fresh.values()), ["points_balance", "certified_minutes"], batch_size=1000)
    return len(records)


def _appraisals(rng: random.Random, today: dt.date, accepted: list[Registration], keepers: dict[int, User]) -> int:
    year = today.year - 1
    results = [AppraisalResult.EXCELLENT] * 3 + [AppraisalResult.COMPETENT] * 6 + [AppraisalResult.BASIC]
    rows = [
        Appraisal(
            registration=r,
            year=year,
            result=rng.choice(results),
            comment="",
            appraised_by=keepers[r.organisation_id],
            appraised_by_name=_name(keepers[r.organisation_id]),
        )
        for r in accepted
        if r.decided_at is not None and timezone.localtime(r.decided_at).year <= year and rng.random() < 0.8
    ]
    Appraisal.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _feedback(rng: random.Random, today: dt.date, accepted: list[Registration], keepers: dict[int, User]) -> int:
    """The past four quarters' sheets sent to the units with members reported by then; the last quarter
    not yet for every unit, so the page has some to send."""
    this = quarter_span(today.year, quarter_of(today))[0]
    quarters = []
    end = this - dt.timedelta(days=1)
    for _i in range(4):
        quarters.append((end.year, quarter_of(end)))
        end = quarter_span(end.year, quarter_of(end))[0] - dt.timedelta(days=1)
    first: dict[int, dt.date] = {}
    keeper_of_unit = {r.work_unit_id: keepers[r.organisation_id] for r in accepted}
    for r in accepted:
        if r.decided_at is not None:
            day = timezone.localdate(r.decided_at)
            first[r.work_unit_id] = min(first.get(r.work_unit_id, day), day)
    rows = []
    for unit_id, since in sorted(first.items()):
        for index, (year, quarter) in enumerate(quarters):
            _start, until = quarter_span(year, quarter)
            if since > until or (index == 0 and rng.random() < 0.4):
                continue
            sent = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=rng.randint(3, 15)), dt.time(10)))
            rows.append(
                Feedback(
                    work_unit_id=unit_id,
                    year=year,
                    quarter=quarter,
                    sent_at=min(sent, timezone.now()),
                    sent_by=keeper_of_unit[unit_id],
                    sent_by_name=_name(keeper_of_unit[unit_id]),
                )
            )
    Feedback.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
