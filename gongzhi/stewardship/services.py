"""Writes of stewardship: managers, contracts (and the compound's mode that follows), committees, terms,
members, ledger entries and comments. Keyword-only, actor first, atomic, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty
from gongzhi.core.actors import Actor
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.identity import InvalidDocument, parse_credit_code
from gongzhi.core.notifications import notify
from gongzhi.core.photos import CleanPhoto
from gongzhi.registry.models import Ownership, Person
from gongzhi.stewardship.choices import LedgerKind, ManagerKind, Position, ServiceGrade
from gongzhi.stewardship.models import (
    Committee,
    CommitteeMember,
    CommitteeTerm,
    Contract,
    LedgerComment,
    LedgerEntry,
    LedgerPhoto,
    Manager,
    ManagerStaff,
    ModeChange,
)
from gongzhi.stewardship.permissions import ledger_side_of, may_comment, may_register
from gongzhi.territory.choices import ManagementMode, NodeKind
from gongzhi.territory.models import Node

MAX_TERM_YEARS = 5  # 业主大会和业主委员会指导规则 Art. 32
MAX_MEMBERS = 11  # Art. 31: 5–11 members, an odd number
TERM_REMINDER_DAYS = 90
LEDGER_BACKDATE_DAYS = 31  # an entry may be written up to a month after the day it records
MODE_OF_KIND = {
    ManagerKind.PROPERTY_COMPANY: ManagementMode.PROPERTY_COMPANY,
    ManagerKind.THIRD_PARTY: ManagementMode.THIRD_PARTY,
}


def ensure_register(actor: Actor, compound: Node | None = None) -> None:
    if not may_register(actor, compound):
        raise NotAllowed(_("只有街道干部可以登记物业服务单位、合同和业委会。"))


def _compound(node: Node) -> Node:
    if node.kind != NodeKind.COMPOUND:
        raise DomainError(_("请选择一个小区。"), field="compound")
    return node


# --- managers and contracts -------------------------------------------------------------------------


@transaction.atomic
def manager_register(
    *,
    actor: Actor,
    kind: str,
    name: str,
    credit_code: str,
    contact_name: str = "",
    contact_phone: str = "",
    address: str = "",
    qualification: str = "",
) -> Manager:
    ensure_register(actor)
    if kind not in ManagerKind.values:
        raise DomainError(_("请选择类型。"), field="kind")
    name = name.strip()
    if not name:
        raise DomainError(_("请填写单位名称。"), field="name")
    try:
        code = parse_credit_code(credit_code)
    except InvalidDocument as exc:
        raise DomainError(str(exc), field="credit_code") from exc
    existing = Manager.objects.filter(credit_code=code).first()
    if existing is not None:
        raise DomainError(
            _("统一社会信用代码 %(code)s 已登记为“%(name)s”。") % {"code": code, "name": existing.name},
            field="credit_code",
        )
    manager = Manager.objects.create(
        kind=kind,
        name=name[:100],
        credit_code=code,
        contact_name=contact_name.strip()[:30],
        contact_phone=contact_phone.strip()[:20],
        address=address.strip()[:200],
        qualification=qualification.strip(),
    )
    audit_record(actor=actor, action="stewardship.manager_register", target=manager, label=name)
    return manager


@transaction.atomic
def staff_add(
    *, actor: Actor, manager: Manager, user_id: int, compounds: Sequence[Node], title: str = ""
) -> ManagerStaff:
    """A user works for the manager and serves the given compounds (a 物业人员 Duty on each)."""
    ensure_register(actor)
    today = timezone.localdate()
    served = set(current_contracts(on=today).filter(manager=manager).values_list("compound_id", flat=True))
    for compound in compounds:
        if compound.pk not in served:
            raise DomainError(
                _("%(m)s 目前没有服务“%(c)s”的合同。") % {"m": manager.name, "c": compound.name}, field="compounds"
            )
    try:
        with transaction.atomic():
            staff = ManagerStaff.objects.create(manager=manager, user_id=user_id, title=title.strip(), starts_on=today)
    except IntegrityError as exc:
        raise DomainError(_("该用户已是这家单位的在职人员。"), field="user") from exc
    for compound in compounds:
        Duty.objects.get_or_create(
            user_id=user_id, role=Role.PROPERTY_STAFF, node=compound, defaults={"starts_on": today}
        )
    audit_record(actor=actor, action="stewardship.staff_add", target=staff, label=manager.name)
    return staff


def current_contracts(*, on: dt.date) -> QuerySet[Contract]:
    """Contracts that count on the day: started, not past their end, not terminated by then."""
    return Contract.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on),
        Q(terminated_on__isnull=True) | Q(terminated_on__gt=on),
        starts_on__lte=on,
    )


def _overlapping(
    compound: Node, starts_on: dt.date, ends_on: dt.date | None, exclude: int | None = None
) -> Contract | None:
    rows = Contract.objects.filter(compound=compound)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    for contract in rows:
        last = contract.last_day
        if (last is None or last >= starts_on) and (ends_on is None or contract.starts_on <= ends_on):
            return contract
    return None


@transaction.atomic
def contract_create(
    *,
    actor: Actor,
    manager: Manager,
    compound: Node,
    starts_on: dt.date,
    ends_on: dt.date | None,
    fee_fen_per_m2: int,
    service_grade: str,
    note: str = "",
) -> Contract:
    compound = _compound(compound)
    ensure_register(actor, compound)
    if not manager.is_active:
        raise DomainError(_("该服务单位已不在册。"), field="manager")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_("到期日期不能早于开始日期。"), field="ends_on")
    if service_grade not in ServiceGrade.values:
        raise DomainError(_("请选择服务等级。"), field="service_grade")
    if not 0 <= fee_fen_per_m2 <= 100_000:
        raise DomainError(_("收费标准应在 0 至 1000 元/㎡·月之间。"), field="fee_fen_per_m2")
    clash = _overlapping(compound, starts_on, ends_on)
    if clash is not None:
        raise DomainError(
            _("该小区在这段时间已有“%(m)s”的合同（%(s)s 起），请先解约或调整日期。")
            % {"m": clash.manager.name, "s": clash.starts_on},
            field="starts_on",
        )
    contract = Contract.objects.create(
        manager=manager,
        compound=compound,
        starts_on=starts_on,
        ends_on=ends_on,
        fee_fen_per_m2=fee_fen_per_m2,
        service_grade=service_grade,
        note=note.strip()[:200],
    )
    audit_record(
        actor=actor,
        action="stewardship.contract_create",
        target=contract,
        label=f"{manager.name} → {compound.name}",
        after=snapshot(contract, ["manager", "compound", "starts_on", "ends_on", "fee_fen_per_m2", "service_grade"]),
    )
    compound_mode_sync(compound=compound, on=timezone.localdate())
    return contract


@transaction.atomic
def contract_terminate(*, actor: Actor, contract: Contract, on: dt.date, reason: str) -> Contract:
    ensure_register(actor, contract.compound)
    if contract.terminated_on is not None:
        raise DomainError(_("该合同已解约。"))
    if on < contract.starts_on:
        raise DomainError(_("解约日期不能早于合同开始日期。"), field="on")
    if not reason.strip():
        raise DomainError(_("请填写解约原因。"), field="reason")
    contract.terminated_on = on
    contract.note = (f"{contract.note}；" if contract.note else "") + _("解约：%(r)s") % {"r": reason.strip()}
    contract.save(update_fields=["terminated_on", "note", "updated_at"])
    audit_record(
        actor=actor, action="stewardship.contract_terminate", target=contract, after={"terminated_on": str(on)}
    )
    compound_mode_sync(compound=contract.compound, on=timezone.localdate())
    return contract


def compound_mode_sync(*, compound: Node, on: dt.date) -> str:
    """Set the compound's management mode from its contract of the day; a change is recorded with its date.

    With no contract, a compound a contract used to manage has no management (无); one recorded as
    self-managed (自管) or unmanaged stays as it is.
    """
    contract = current_contracts(on=on).filter(compound=compound).select_related("manager").first()
    node = Node.objects.select_for_update().get(pk=compound.pk)
    if contract is not None:
        mode = MODE_OF_KIND[ManagerKind(contract.manager.kind)]
    elif node.management_mode in (ManagementMode.PROPERTY_COMPANY, ManagementMode.THIRD_PARTY, ""):
        mode = ManagementMode.NONE
    else:
        mode = node.management_mode
    last = ModeChange.objects.filter(compound=node).first()
    if node.management_mode != mode or last is None or last.contract_id != (contract.pk if contract else None):
        Node.objects.filter(pk=node.pk).update(management_mode=mode)
        ModeChange.objects.create(compound=node, mode=mode, since=_mode_since(node, contract, on), contract=contract)
    return mode


def _mode_since(compound: Node, contract: Contract | None, on: dt.date) -> dt.date:
    """The day the mode began: the contract's first day, else the day after the last contract ended."""
    if contract is not None:
        return min(contract.starts_on, on)
    ends = [c.last_day for c in Contract.objects.filter(compound=compound, starts_on__lte=on)]
    past = [d for d in ends if d is not None and d < on]
    return max(past) + dt.timedelta(days=1) if past else on


def modes_sync_all(*, on: dt.date | None = None) -> int:
    """Nightly: contracts begin and end on their dates, so every compound with a contract is synced."""
    on = on or timezone.localdate()
    changed = 0
    for compound in Node.objects.filter(pk__in=Contract.objects.values("compound_id")):
        before = compound.management_mode
        if compound_mode_sync(compound=compound, on=on) != before:
            changed += 1
    return changed


# --- committees -------------------------------------------------------------------------------------


@transaction.atomic
def committee_create(*, actor: Actor, compound: Node, name: str = "") -> Committee:
    compound = _compound(compound)
    ensure_register(actor, compound)
    if Committee.objects.filter(compound=compound).exists():
        raise DomainError(_("该小区已有业主委员会。"), field="compound")
    committee = Committee.objects.create(
        compound=compound, name=name.strip() or _("%(c)s业主委员会") % {"c": compound.name}
    )
    audit_record(actor=actor, action="stewardship.committee_create", target=committee, label=committee.name)
    return committee


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def term_open(
    *,
    actor: Actor,
    committee: Committee,
    starts_on: dt.date,
    ends_on: dt.date,
    elected_on: dt.date | None = None,
) -> CommitteeTerm:
    ensure_register(actor, committee.compound)
    if ends_on <= starts_on:
        raise DomainError(_("任期届满日期应晚于开始日期。"), field="ends_on")
    if ends_on > _add_years(starts_on, MAX_TERM_YEARS):
        raise DomainError(_("业委会每届任期不超过5年（指导规则第三十二条）。"), field="ends_on")
    last = CommitteeTerm.objects.filter(committee=committee).select_for_update().first()
    if last is not None and starts_on <= last.ends_on:
        raise DomainError(
            _("新一届应在上一届（第%(n)d届，%(end)s 届满）之后开始。") % {"n": last.number, "end": last.ends_on},
            field="starts_on",
        )
    term = CommitteeTerm.objects.create(
        committee=committee,
        number=(last.number + 1) if last else 1,
        starts_on=starts_on,
        ends_on=ends_on,
        elected_on=elected_on,
    )
    audit_record(actor=actor, action="stewardship.term_open", target=term, label=str(term))
    return term


@transaction.atomic
def term_file(*, actor: Actor, term: CommitteeTerm, filed_on: dt.date, filing_number: str) -> CommitteeTerm:
    """备案: the subdistrict records the filing (within 30 days of the election, Art. 33)."""
    ensure_register(actor, term.committee.compound)
    if not filing_number.strip():
        raise DomainError(_("请填写备案编号。"), field="filing_number")
    if filed_on > timezone.localdate():
        raise DomainError(_("备案日期不能晚于今天。"), field="filed_on")
    term.filed_on, term.filing_number = filed_on, filing_number.strip()[:50]
    term.save(update_fields=["filed_on", "filing_number", "updated_at"])
    audit_record(actor=actor, action="stewardship.term_file", target=term, after={"filing_number": term.filing_number})
    return term


def owns_in_compound(person: Person, compound: Node) -> bool:
    """Is the person a current owner (产权人) of a dwelling of the compound, by the registry's ownerships?"""
    return Ownership.objects.filter(
        person=person, ended_on__isnull=True, dwelling__org_path__startswith=compound.path
    ).exists()


def ensure_owner(person: Person, compound: Node, *, who: str, field: str) -> None:
    """Committee members and candidates: owners of the compound, or a refusal naming the person."""
    if not owns_in_compound(person, compound):
        raise DomainError(
            _("%(who)s须为本小区业主：登记信息中%(name)s不是“%(c)s”任何房屋的产权人。")
            % {"who": who, "name": person.name, "c": compound.name},
            field=field,
        )


@transaction.atomic
def member_add(
    *, actor: Actor, term: CommitteeTerm, person: Person, position: str, joined_on: dt.date | None = None
) -> CommitteeMember:
    compound = term.committee.compound
    ensure_register(actor, compound)
    if position not in Position.values:
        raise DomainError(_("请选择职务。"), field="position")
    ensure_owner(person, compound, who=_("业委会成员"), field="person")
    current = CommitteeMember.objects.filter(term=term, left_on__isnull=True)
    if current.count() >= MAX_MEMBERS:
        raise DomainError(_("业委会成员最多11人（指导规则第三十一条）。"), field="person")
    if current.filter(person=person).exists():
        raise DomainError(_("%(name)s已是本届成员。") % {"name": person.name}, field="person")
    if position == Position.DIRECTOR and current.filter(position=Position.DIRECTOR).exists():
        raise DomainError(_("本届已有主任；请先让原主任离任或改任。"), field="position")
    member = CommitteeMember.objects.create(
        term=term, person=person, position=position, joined_on=joined_on or term.starts_on
    )
    user_id = Person.objects.filter(pk=person.pk).values_list("user_id", flat=True).first()
    if user_id:
        Duty.objects.get_or_create(
            user_id=user_id, role=Role.COMMITTEE_MEMBER, node=compound, defaults={"starts_on": member.joined_on}
        )
    audit_record(actor=actor, action="stewardship.member_add", target=member, label=f"{term} {position}")
    return member


@transaction.atomic
def member_leave(*, actor: Actor, member: CommitteeMember, on: dt.date, reason: str) -> CommitteeMember:
    ensure_register(actor, member.term.committee.compound)
    if member.left_on is not None:
        raise DomainError(_("该成员已离任。"))
    if not reason.strip():
        raise DomainError(_("请填写离任原因。"), field="reason")
    member.left_on, member.left_reason = on, reason.strip()[:100]
    member.save(update_fields=["left_on", "left_reason"])
    audit_record(actor=actor, action="stewardship.member_leave", target=member, after={"reason": member.left_reason})
    return member


def term_reminders(*, today: dt.date | None = None) -> int:
    """Daily: a term ending within 90 days tells the community's workers and the committee's director, once."""
    today = today or timezone.localdate()
    due = CommitteeTerm.objects.filter(
        ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=TERM_REMINDER_DAYS), reminded_on__isnull=True
    ).select_related("committee__compound")
    sent = 0
    for term in due:
        compound = term.committee.compound
        community_path = compound.path[: 2 * Node.steplen]
        recipients = set(
            Duty.objects.filter(
                Duty.current_q(today), role=Role.COMMUNITY_WORKER, node__path=community_path
            ).values_list("user_id", flat=True)
        )
        recipients |= {
            m.person.user_id
            for m in term.members.filter(left_on__isnull=True, position=Position.DIRECTOR).select_related("person")
            if m.person.user_id
        }
        sent += notify(
            recipient_ids=recipients,
            kind="stewardship",
            title=_("%(c)s业委会第%(n)d届将于 %(end)s 届满，请筹备换届选举。")
            % {"c": compound.name, "n": term.number, "end": term.ends_on},
            url=reverse("stewardship:compound-detail", args=[compound.pk]),
            dedupe_key=f"term-end:{term.pk}",
        )
        CommitteeTerm.objects.filter(pk=term.pk).update(reminded_on=today)
    return sent


# --- ledgers ----------------------------------------------------------------------------------------


def _user_id(actor: Actor) -> int:
    if actor.user_id is None:
        raise NotAllowed(_("请先登录。"))
    return actor.user_id


def _staff_manager(actor: Actor, compound: Node, on: dt.date) -> Manager:
    contract = current_contracts(on=on).filter(compound=compound).select_related("manager").first()
    if contract is None:
        raise DomainError(_("该小区在 %(d)s 没有在期的服务合同，无法以服务单位身份记台账。") % {"d": on}, field="day")
    if not ManagerStaff.objects.filter(
        manager=contract.manager, user_id=_user_id(actor), ends_on__isnull=True
    ).exists():
        raise NotAllowed(_("您不是该小区服务单位“%(m)s”的在职人员。") % {"m": contract.manager.name})
    return contract.manager


@transaction.atomic
def ledger_add(
    *,
    actor: Actor,
    compound: Node,
    kind: str,
    day: dt.date,
    text: str,
    photos: Sequence[CleanPhoto] = (),
) -> LedgerEntry:
    side = ledger_side_of(actor, compound)
    if side is None:
        raise NotAllowed(_("只有本小区的物业（第三方）人员或业委会成员可以记工作台账。"))
    if kind not in LedgerKind.values:
        raise DomainError(_("请选择台账类别。"), field="kind")
    today = timezone.localdate()
    if day > today:
        raise DomainError(_("日期不能晚于今天。"), field="day")
    if day < today - dt.timedelta(days=LEDGER_BACKDATE_DAYS):
        raise DomainError(_("只能补记%(n)d天内的台账。") % {"n": LEDGER_BACKDATE_DAYS}, field="day")
    text = text.strip()
    if not text:
        raise DomainError(_("请填写台账内容。"), field="text")
    if len(text) > 2000:
        raise DomainError(_("台账内容不能超过2000字。"), field="text")
    manager = _staff_manager(actor, compound, day) if side == "manager" else None
    entry = LedgerEntry.objects.create(
        compound=compound,
        side=side,
        manager=manager,
        kind=kind,
        day=day,
        text=text,
        author_id=_user_id(actor),
        author_name=actor.display_name or actor.username,
    )
    for photo in photos:
        LedgerPhoto.objects.create(entry=entry, image=photo.content, width=photo.width, height=photo.height)
    return entry


@transaction.atomic
def ledger_comment(*, actor: Actor, entry: LedgerEntry, text: str) -> LedgerComment:
    if not may_comment(actor, entry.compound):
        raise NotAllowed(_("只有社区和街道工作人员可以点评台账。"))
    text = text.strip()
    if not text:
        raise DomainError(_("请填写点评内容。"), field="text")
    if len(text) > 500:
        raise DomainError(_("点评不能超过500字。"), field="text")
    comment = LedgerComment.objects.create(
        entry=entry, author_id=_user_id(actor), author_name=actor.display_name or actor.username, text=text
    )
    if entry.author_id != actor.user_id:
        transaction.on_commit(
            lambda: notify(
                recipient_ids=[entry.author_id],
                kind="stewardship",
                title=_("您 %(d)s 的台账有新点评") % {"d": entry.day},
                body=text,
                url=reverse("stewardship:ledger", args=[entry.compound_id]) + f"?month={entry.day:%Y-%m}",
            )
        )
    return comment
