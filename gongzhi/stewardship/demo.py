"""Demo stewardship: about 8 property companies and 3 third-party managers over the subdistrict's compounds,
committees where compounds have them, six months of ledgers, and the election of the next term of the
committee whose term ends first, open for voting now.

Each compound's contract follows the mode the layout gave it (物业 / 第三方托管); self-managed and unmanaged
old compounds get none. One compound changed company three months ago, so its history shows two contracts
and two mode changes. The personas' compound (wuye, yeweihui) has a committee of owners from the registry.
Contracts, committees and members go through the services; the ledger's past months are bulk rows.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty, User
from gongzhi.core.actors import Actor
from gongzhi.core.identity import CREDIT_CODE_CHARSET, credit_code_check_char
from gongzhi.registry.models import Person
from gongzhi.stewardship import elections, services
from gongzhi.stewardship.choices import LedgerKind, LedgerSide, ManagerKind, Position, ServiceGrade
from gongzhi.stewardship.models import CommitteeTerm, Contract, LedgerEntry, Manager, ManagerStaff
from gongzhi.territory.choices import ManagementMode, NodeKind
from gongzhi.territory.models import Node
from gongzhi.votes import services as votes

COMPANIES = (
    "蚌埠市华侨物业管理有限公司",
    "安徽万顺物业服务有限公司",
    "蚌埠市鑫城物业有限公司",
    "安徽省皖淮物业管理有限公司",
    "蚌埠市佳和物业服务有限公司",
    "安徽宜居物业管理有限公司",
    "蚌埠市珠城物业服务有限公司",
    "蚌埠市龙湖湾物业管理有限公司",
)
THIRD_PARTIES = ("蚌埠市邻里老旧小区托管服务中心", "蚌山区安居社区服务社", "蚌埠市磨玉市场综合管理服务有限公司")
LEDGER_MONTHS = 6
TEXTS = {
    LedgerKind.PATROL: ("巡查各楼栋消防通道、单元门禁", "夜间巡逻，检查车辆停放", "巡查电动车充电区"),
    LedgerKind.CLEANING: ("清扫道路、清运生活垃圾", "清洗垃圾桶及垃圾房", "楼道保洁"),
    LedgerKind.SAFETY: ("检查消防栓、灭火器", "电梯维保单位月检", "排查高空坠物隐患"),
    LedgerKind.FINANCE: ("公示上月物业费收支及公共收益",),
    LedgerKind.GREENING: ("修剪绿篱、补种草皮",),
    LedgerKind.REPAIR: ("更换路灯两盏", "疏通3号楼污水管"),
}


def _credit_code(rng: random.Random) -> str:
    body = "91340300" + "".join(rng.choice(CREDIT_CODE_CHARSET) for _ in range(9))
    return body + credit_code_check_char(body)


def seed_demo_data(*, rng: random.Random, today: dt.date, tier: str) -> str:
    actor = Actor.system("demo")
    companies = [
        services.manager_register(
            actor=actor,
            kind=ManagerKind.PROPERTY_COMPANY,
            name=name,
            credit_code=_credit_code(rng),
            contact_name=rng.choice("王李张刘陈") + "经理",
            contact_phone=f"0552-{rng.randint(2000000, 4999999)}",
        )
        for name in COMPANIES
    ]
    thirds = [
        services.manager_register(actor=actor, kind=ManagerKind.THIRD_PARTY, name=name, credit_code=_credit_code(rng))
        for name in THIRD_PARTIES
    ]
    compounds = list(Node.objects.filter(kind=NodeKind.COMPOUND).order_by("path"))
    persona = _persona_compound()
    contracts = 0
    switched = None
    for index, compound in enumerate(compounds):
        mode = compound.management_mode
        if mode not in (ManagementMode.PROPERTY_COMPANY, ManagementMode.THIRD_PARTY):
            continue
        if mode == ManagementMode.THIRD_PARTY:
            manager = thirds[-1] if "磨玉" in compound.name else thirds[index % 2]
            grade, fee = ServiceGrade.BASIC, rng.choice((25, 30, 35))
        else:
            manager = companies[index % len(companies)]
            grade, fee = rng.choice((ServiceGrade.GRADE_2, ServiceGrade.GRADE_3)), rng.choice((80, 95, 120, 150))
        starts = today.replace(year=today.year - rng.randint(1, 4), month=1, day=1)
        ends = None if mode == ManagementMode.THIRD_PARTY else dt.date(today.year + rng.randint(1, 2), 12, 31)
        earlier = None
        if switched is None and mode == ManagementMode.PROPERTY_COMPANY and compound != persona:
            # The compound that changed company three months ago: the old contract ended, the new began.
            earlier, switched = (starts, companies[(index + 3) % len(companies)]), compound
            starts = (today - dt.timedelta(days=90)).replace(day=1)
        services.contract_create(
            actor=actor,
            manager=manager,
            compound=compound,
            starts_on=starts,
            ends_on=ends,
            fee_fen_per_m2=fee,
            service_grade=grade,
        )
        contracts += 1
        if earlier is not None:  # written after the current one, so the mode history starts from it
            services.contract_create(
                actor=actor,
                manager=earlier[1],
                compound=compound,
                starts_on=earlier[0],
                ends_on=starts - dt.timedelta(days=1),
                fee_fen_per_m2=fee,
                service_grade=grade,
                note="合同期满后业主大会另选物业",
            )
            contracts += 1
    _staff(today)
    committees = _committees(rng, today, compounds, persona)
    entries = _ledgers(rng, today)
    election = _election(rng, today, persona)
    return (
        f"stewardship: {len(companies)} 家物业, {len(thirds)} 家第三方, {contracts} 份合同, "
        f"{committees} 个业委会, {entries} 条台账, {election}"
    )


def _persona_compound() -> Node | None:
    duty = Duty.objects.filter(user__username="wuye", role=Role.PROPERTY_STAFF).select_related("node").first()
    return duty.node if duty is not None else None


def _staff(today: dt.date) -> None:
    """Every 物业人员 duty of the demo names a compound: its user joins the staff of the compound's manager."""
    for duty in Duty.objects.filter(role=Role.PROPERTY_STAFF).select_related("node"):
        contract = services.current_contracts(on=today).filter(compound=duty.node).first()
        if contract is not None and not ManagerStaff.objects.filter(manager=contract.manager, user=duty.user).exists():
            ManagerStaff.objects.create(
                manager=contract.manager, user=duty.user, title="项目经理", starts_on=contract.starts_on
            )


def _owners(compound: Node) -> list[Person]:
    """Up to 200 current owners of the compound, in a stable order, to draw members and candidates from."""
    return list(
        Person.objects.filter(
            ownerships__ended_on__isnull=True, ownerships__dwelling__org_path__startswith=compound.path
        )
        .distinct()
        .order_by("pk")[:200]
    )


def _committees(rng: random.Random, today: dt.date, compounds: list[Node], persona: Node | None) -> int:
    made, renewing = 0, False
    for compound in compounds:
        if compound.is_old_compound and compound != persona:
            continue
        owners = _owners(compound)
        if len(owners) < 7:
            continue
        committee = services.committee_create(actor=Actor.system("demo"), compound=compound)
        starts = today - dt.timedelta(days=rng.randint(200, 1700))
        if compound != persona and not renewing:
            # The first other committee's term ends in about two months: _election elects its next term.
            starts, renewing = today - dt.timedelta(days=5 * 365 - 60), True
        term = services.term_open(
            actor=Actor.system("demo"),
            committee=committee,
            starts_on=starts,
            ends_on=starts.replace(year=starts.year + 5) - dt.timedelta(days=1),
            elected_on=starts - dt.timedelta(days=3),
        )
        if rng.random() < 0.8:
            services.term_file(
                actor=Actor.system("demo"),
                term=term,
                filed_on=starts + dt.timedelta(days=20),
                filing_number=f"蚌山业备〔{starts.year}〕{rng.randint(1, 60)}号",
            )
        for position, person in zip(
            [Position.DIRECTOR, Position.DEPUTY] + [Position.MEMBER] * 5, rng.sample(owners, 7), strict=True
        ):
            services.member_add(actor=Actor.system("demo"), term=term, person=person, position=position)
        made += 1
    return made


def _election(rng: random.Random, today: dt.date, persona: Node | None) -> str:
    """The committee whose term ends first (not the personas') registers its next term and elects it: the
    poll was announced 16 days ago, so its notice period is over and owners vote now, online or on paper."""
    last = (
        CommitteeTerm.objects.exclude(committee__compound=persona)
        .select_related("committee__compound")
        .order_by("ends_on")
        .first()
    )
    if last is None:
        return "0 场换届选举"
    system = Actor.system("demo")
    compound = last.committee.compound
    starts = last.ends_on + dt.timedelta(days=1)
    term = services.term_open(
        actor=system, committee=last.committee, starts_on=starts, ends_on=starts.replace(year=starts.year + 5)
    )
    owners = _owners(compound)
    now = timezone.now()
    poll = elections.election_open(
        actor=system,
        term=term,
        candidates=rng.sample(owners, min(7, len(owners))),
        closes_at=now + dt.timedelta(days=10),
        now=now - dt.timedelta(days=16),
    )
    votes.poll_open(actor=system, poll=poll, now=max(poll.opens_at, now - dt.timedelta(days=1)))
    return f"1 场换届选举（{compound.name}）"


def _ledgers(rng: random.Random, today: dt.date) -> int:
    """Six months of entries: managers patrol and clean most days, check safety weekly, publish accounts
    monthly; committees meet monthly. Each manager misses days at its own rate, so completeness differs."""
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for _ in range(LEDGER_MONTHS - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    author = User.objects.filter(username="wuye").first() or User.objects.filter(is_superuser=True).first()
    committee_author = User.objects.filter(username="yeweihui").first() or author
    if author is None or committee_author is None:
        return 0
    rows: list[LedgerEntry] = []
    days = (today - first).days
    for contract in Contract.objects.filter(terminated_on__isnull=True).select_related("manager", "compound"):
        diligence = rng.uniform(0.6, 0.98)
        for offset in range(days):
            day = first + dt.timedelta(days=offset)
            if day < contract.starts_on or (contract.ends_on is not None and day > contract.ends_on):
                continue
            kinds = [LedgerKind.PATROL, LedgerKind.CLEANING]
            if day.weekday() == 0:
                kinds.append(LedgerKind.SAFETY)
            if day.day == 5:
                kinds.append(LedgerKind.FINANCE)
            if rng.random() < 0.05:
                kinds.append(rng.choice((LedgerKind.GREENING, LedgerKind.REPAIR)))
            rows += [
                _entry(contract.compound, LedgerSide.MANAGER, contract.manager, kind, day, rng, author)
                for kind in kinds
                if rng.random() < diligence
            ]
    for committee_compound in Node.objects.filter(committee__isnull=False):
        for month in range(LEDGER_MONTHS):
            day = (first + dt.timedelta(days=31 * month)).replace(day=rng.randint(8, 20))
            if day <= today and rng.random() < 0.85:
                rows.append(
                    LedgerEntry(
                        compound=committee_compound,
                        side=LedgerSide.COMMITTEE,
                        kind=LedgerKind.MEETING,
                        day=day,
                        text="业委会月度例会：听取物业服务情况汇报，讨论停车管理",
                        author=committee_author,
                        author_name=committee_author.full_name or committee_author.username,
                    )
                )
    LedgerEntry.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _entry(
    compound: Node, side: str, manager: Manager, kind: str, day: dt.date, rng: random.Random, author: User
) -> LedgerEntry:
    return LedgerEntry(
        compound=compound,
        side=side,
        manager=manager,
        kind=kind,
        day=day,
        text=rng.choice(TEXTS[LedgerKind(kind)]),
        author=author,
        author_name=f"{manager.name.removeprefix('蚌埠市').removeprefix('安徽省').removeprefix('安徽')[:4]}项目部",
    )
