"""Demo 三会一课: a year of meetings up to the seed date for every branch and building group.

Most keep their cadence; about one in seven branches (with their groups) stopped in the last few months, so the
compliance table and the subdistrict's overview have overdue cells to show; the current period is often
still to come (待开展). In the persona dangzhibu's branch one 党员大会 fell short of its quorum (未过半).
Those entitled follow the rules of meetings.py: the members each organisation holds, a 支委会's seats,
a group's placed members. Rows are bulk-written: a few thousand meetings, tens of thousands of
attendance rows in tier S.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty
from gongzhi.party.choices import CADENCE, MEETING_KINDS, MeetingKind, MemberKind, MemberStatus, OrgKind, Seat
from gongzhi.party.meetings import Span, has_committee, periods
from gongzhi.party.models import Attendance, CommitteeSeat, Meeting, Member, Organisation, Term

LAGGING_SHARE = 0.15  # organisations that stopped holding meetings a few months ago
CURRENT_HELD_SHARE = 0.5  # of the period in progress: already held, or still to come
TOPICS: dict[str, tuple[str, ...]] = {
    MeetingKind.GENERAL_ASSEMBLY: (
        "传达学习上级会议精神",
        "讨论发展党员工作",
        "审议支部年度工作计划",
        "通报党费收缴情况",
    ),
    MeetingKind.COMMITTEE: ("研究本月工作安排", "讨论困难党员帮扶", "研究小区治理议题", "研究主题党日方案"),
    MeetingKind.GROUP: ("学习党章党规", "交流楼栋服务情况", "收集居民意见建议", "学习时事政策"),
    MeetingKind.LECTURE: ("书记讲党课：发挥党员先锋作用", "学习党史：不忘初心", "基层治理中的党员担当", "党纪学习教育"),
    MeetingKind.THEME_DAY: ("清理楼道堆物", "走访慰问困难群众", "文明城市创建志愿服务", "重温入党誓词"),
    MeetingKind.LIFE_MEETING: ("年度组织生活会：对照检查、批评与自我批评",),
    MeetingKind.APPRAISAL: ("年度民主评议党员",),
}
REASONS = ("外出", "生病", "工作冲突", "在外地照顾家人", "")
PLACES = ("党群服务站", "社区会议室", "小区活动室")


@dataclass
class Holder:
    """An organisation that holds meetings, with who is entitled to each kind."""

    organisation: Organisation
    kinds: list[str]
    members: list[int]  # held here (a group: placed here)
    seats: list[int]  # the current term's seats (支委会)
    recorder: str
    lag_from: dt.date | None = None  # nothing held in periods ending on or after this day


def _first_day(today: dt.date) -> dt.date:
    """The first day of the twelve months up to today's month."""
    return dt.date(today.year - 1, today.month + 1, 1) if today.month < 12 else dt.date(today.year, 1, 1)


def seed_demo_meetings(*, rng: random.Random, today: dt.date) -> str:
    persona = _persona_branch()
    holders = _holders(rng, today, persona)
    first = _first_day(today)
    drafts: list[tuple[Meeting, list[tuple[int, bool, str]]]] = []
    unquorate_done = False
    for holder in holders:
        org = holder.organisation
        for kind in holder.kinds:
            entitled = holder.seats if kind == MeetingKind.COMMITTEE else holder.members
            if not entitled:
                continue
            for year in sorted({first.year, today.year}):
                for span in periods(period=CADENCE[kind], year=year):
                    day = _day_held(rng, span, first, today, org.founded_on, holder.lag_from)
                    if day is None:
                        continue
                    short = (
                        not unquorate_done
                        and org.pk == persona
                        and kind == MeetingKind.GENERAL_ASSEMBLY
                        and span.ends_on < today
                        and len(entitled) >= 3
                    )
                    unquorate_done = unquorate_done or short
                    drafts.append(_draft(rng, holder, kind, day, entitled, short))
    written = Meeting.objects.bulk_create([m for m, _rows in drafts], batch_size=2000)
    rows = [
        Attendance(meeting_id=meeting.pk, member_id=pk, is_present=present, absence_reason=reason)
        for meeting, (_m, attendance) in zip(written, drafts, strict=True)
        for pk, present, reason in attendance
    ]
    Attendance.objects.bulk_create(rows, batch_size=5000)
    lagging = sum(1 for h in holders if h.lag_from is not None)
    return f"{len(written)} 次组织生活（{len(rows)} 条出席记录，{lagging} 个组织近期未按期开展）"


def _holders(rng: random.Random, today: dt.date, persona: int | None) -> list[Holder]:
    orgs = list(Organisation.objects.filter(kind__in=list(MEETING_KINDS), is_active=True).order_by("pk"))
    ids = [o.pk for o in orgs]
    held: dict[int, list[int]] = defaultdict(list)
    placed: dict[int, list[int]] = defaultdict(list)
    full: dict[int, int] = defaultdict(int)
    active = Member.objects.filter(status=MemberStatus.ACTIVE)
    for pk, org_id, group_id, kind in active.filter(organisation_id__in=ids).values_list(
        "pk", "organisation_id", "group_id", "kind"
    ):
        held[org_id].append(pk)
        full[org_id] += kind == MemberKind.FULL
        if group_id is not None:
            placed[group_id].append(pk)
    latest: dict[int, int] = {}
    for term_id, org_id in (
        Term.objects.filter(organisation_id__in=ids, starts_on__lte=today)
        .order_by("starts_on", "id")
        .values_list("pk", "organisation_id")
    ):
        latest[org_id] = term_id  # the latest wins
    seats: dict[int, list[int]] = defaultdict(list)
    heads: dict[int, str] = {}
    by_term = {t: o for o, t in latest.items()}
    for term_id, member_id, seat, name in CommitteeSeat.objects.filter(term_id__in=list(by_term)).values_list(
        "term_id", "member_id", "seat", "member__person__name"
    ):
        seats[by_term[term_id]].append(member_id)
        if seat in (Seat.SECRETARY, Seat.GROUP_LEADER):
            heads[by_term[term_id]] = name
    holders = []
    lags: dict[int, dt.date | None] = {}
    for org in orgs:  # in key order: a branch before its groups
        kinds = [
            k
            for k in MEETING_KINDS[org.kind]
            if k != MeetingKind.COMMITTEE or has_committee(full_members=full.get(org.pk, 0))
        ]
        members = placed.get(org.pk, []) if org.kind == OrgKind.GROUP else held.get(org.pk, [])
        # The persona's branch keeps its cadence: its page shows the year as it should look, and the
        # one 党员大会 that fell short. A group falls behind with its branch.
        if org.kind == OrgKind.GROUP:
            lag = lags.get(org.parent_id) if org.parent_id is not None else None
        elif org.pk != persona and rng.random() < LAGGING_SHARE:
            lag = today - dt.timedelta(days=rng.choice((60, 90, 120)))
        else:
            lag = None
        lags[org.pk] = lag
        holders.append(Holder(org, kinds, members, seats.get(org.pk, []), heads.get(org.pk, "书记"), lag))
    # However the draw fell, one branch besides the persona's is behind, so overdue cells show.
    branches = [h for h in holders if h.organisation.kind != OrgKind.GROUP and h.organisation.pk != persona]
    if branches and not any(h.lag_from for h in branches):
        branches[0].lag_from = today - dt.timedelta(days=90)
    return holders


def _persona_branch() -> int | None:
    path = Duty.objects.filter(user__username="dangzhibu", role=Role.PARTY_SECRETARY).values_list(
        "node__path", flat=True
    )
    first = next(iter(path), None)
    if first is None:
        return None
    return (
        Organisation.territory.through.objects.filter(
            node__path=first, organisation__kind__in=[OrgKind.BRANCH, OrgKind.JOINT_BRANCH]
        )
        .values_list("organisation_id", flat=True)
        .first()
    )


def _day_held(
    rng: random.Random,
    span: Span,
    first: dt.date,
    today: dt.date,
    founded_on: dt.date | None,
    lag_from: dt.date | None,
) -> dt.date | None:
    """The day a period's meeting was held, or None when it was not (yet)."""
    starts = max(span.starts_on, first, founded_on or first)
    ends = min(span.ends_on, today)
    if starts > ends or span.ends_on < first:
        return None
    if lag_from is not None and span.ends_on >= lag_from:
        return None
    if span.ends_on >= today and rng.random() >= CURRENT_HELD_SHARE:
        return None  # the period in progress: still to come
    return starts + dt.timedelta(days=rng.randint(0, (ends - starts).days))


def _draft(
    rng: random.Random, holder: Holder, kind: str, day: dt.date, entitled: list[int], short: bool
) -> tuple[Meeting, list[tuple[int, bool, str]]]:
    n = len(entitled)
    present_n = n // 2 if short else max(n // 2 + 1, round(n * rng.uniform(0.7, 1.0)))
    present = set(rng.sample(entitled, min(n, present_n)))
    attendance = [(pk, pk in present, "" if pk in present else rng.choice(REASONS)) for pk in entitled]
    topic = rng.choice(TOPICS[kind])
    meeting = Meeting(
        organisation=holder.organisation,
        kind=kind,
        held_on=day,
        topic=topic,
        place=rng.choice(PLACES),
        lecturer=holder.recorder if kind == MeetingKind.LECTURE else "",
        minutes=f"{topic}。应到{n}人，实到{len(present)}人。与会党员逐一发言，形成会议意见并分工落实。",
        entitled=n,
        present=len(present),
        recorded_by_name=holder.recorder,
    )
    return meeting, attendance
