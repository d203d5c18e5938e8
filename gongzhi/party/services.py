"""Writes of party work: organisations, members, committees, 亮身份 consent, and the access-log rows of
member lists shown or exported. Keyword-only, actor first, atomic, audited; Chinese errors naming the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.audit import access_record, audit_record, snapshot
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.party.choices import (
    COVERS,
    HOLDING_KINDS,
    PARENT_KINDS,
    MemberKind,
    MemberStatus,
    OrgKind,
    RegistrationStatus,
    Seat,
)
from gongzhi.party.models import CommitteeSeat, Consent, Member, Organisation, Term
from gongzhi.party.permissions import may_create_organisation, may_keep, may_keep_member
from gongzhi.registry.models import Person
from gongzhi.stewardship.models import Manager
from gongzhi.territory.models import Node

MAX_JOINT_COMPOUNDS = 5  # 党章 Art. 30 as practised: a joint branch of at most five units
MAX_SEATS = 7  # a branch committee is 3–5 people, normally no more than 7
# 支部工作条例: village and community branch committees serve five years, other grassroots ones three.
TERM_YEARS: dict[str, int] = {OrgKind.COMPANY: 3}
DEFAULT_TERM_YEARS = 5
ORG_FIELDS = ["kind", "name", "parent", "manager", "founded_on", "is_active"]


def term_years(kind: str) -> int:
    return TERM_YEARS.get(kind, DEFAULT_TERM_YEARS)


def _ensure_create(actor: Actor) -> None:
    if not may_create_organisation(actor):
        raise NotAllowed(_("只有街道干部可以设立和调整党组织。"))


def _ensure_keep(actor: Actor, organisation: Organisation) -> None:
    if not may_keep(actor, organisation):
        raise NotAllowed(_("只有本组织的书记或街道干部可以办理。"))


def _check_org(
    *, kind: str, name: str, parent: Organisation | None, territory: Sequence[Node], manager: Manager | None
) -> str:
    if kind not in OrgKind.values:
        raise DomainError(_("请选择组织类型。"), field="kind")
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("请填写组织名称。"), field="name")
    allowed = PARENT_KINDS[kind]
    if (parent.kind if parent is not None else None) not in allowed:
        labels = "、".join(str(OrgKind(k).label) for k in allowed if k is not None) or _("无（最上级）")
        raise DomainError(
            _("%(kind)s的上级应为：%(labels)s。") % {"kind": OrgKind(kind).label, "labels": labels}, field="parent"
        )
    covers = COVERS[kind]
    wrong = [n.name for n in territory if n.kind != covers]
    if wrong or (covers == "" and territory):
        raise DomainError(
            _("%(kind)s只能覆盖%(what)s。") % {"kind": OrgKind(kind).label, "what": _label_of(covers)},
            field="territory",
        )
    if kind in (OrgKind.BRANCH, OrgKind.COMMUNITY_COMMITTEE, OrgKind.WORKING_COMMITTEE) and len(territory) > 1:
        raise DomainError(_("%(kind)s只覆盖一个区域。") % {"kind": OrgKind(kind).label}, field="territory")
    if kind == OrgKind.JOINT_BRANCH and len(territory) > MAX_JOINT_COMPOUNDS:
        raise DomainError(_("联合党支部最多覆盖5个小区。"), field="territory")
    if kind == OrgKind.GROUP and parent is not None and territory:
        compounds = [n.path for n in parent.territory.all()]
        outside = [n.name for n in territory if compounds and not any(n.path.startswith(p) for p in compounds)]
        if outside:
            raise DomainError(_("楼栋“%(b)s”不在上级支部覆盖的小区内。") % {"b": "、".join(outside)}, field="territory")
    if kind == OrgKind.COMPANY and manager is None:
        raise DomainError(_("请选择该党组织所在的物业服务企业。"), field="manager")
    if kind != OrgKind.COMPANY and manager is not None:
        raise DomainError(_("只有物业企业党组织关联物业服务企业。"), field="manager")
    return name


def _label_of(covers: str) -> str:
    return {
        "subdistrict": _("街道"),
        "community": _("社区"),
        "compound": _("小区"),
        "building": _("楼栋"),
        "": _("区域（按所在企业的服务合同）"),
    }[covers]


@transaction.atomic
def org_create(
    *,
    actor: Actor,
    kind: str,
    name: str,
    parent: Organisation | None = None,
    territory: Sequence[Node] = (),
    manager: Manager | None = None,
    founded_on: dt.date | None = None,
) -> Organisation:
    _ensure_create(actor)
    name = _check_org(kind=kind, name=name, parent=parent, territory=territory, manager=manager)
    organisation = Organisation.objects.create(
        kind=kind, name=name[:100], parent=parent, manager=manager, founded_on=founded_on
    )
    organisation.territory.set(territory)
    audit_record(
        actor=actor,
        action="party.org_create",
        target=organisation,
        label=name,
        after={**snapshot(organisation, ORG_FIELDS), "territory": sorted(n.pk for n in territory)},
    )
    return organisation


@transaction.atomic
def org_update(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    parent: Organisation | None,
    territory: Sequence[Node],
    manager: Manager | None = None,
    founded_on: dt.date | None = None,
    is_active: bool = True,
) -> Organisation:
    _ensure_create(actor)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    name = _check_org(kind=organisation.kind, name=name, parent=parent, territory=territory, manager=manager)
    ancestor = parent
    while ancestor is not None:
        if ancestor.pk == organisation.pk:
            raise DomainError(_("上级组织不能是它自己或它的下级。"), field="parent")
        ancestor = ancestor.parent
    if not is_active and organisation.members.filter(status=MemberStatus.ACTIVE).exists():
        raise DomainError(_("该组织还有在册党员，请先转接组织关系再撤销。"), field="is_active")
    before = {
        **snapshot(organisation, ORG_FIELDS),
        "territory": sorted(organisation.territory.values_list("pk", flat=True)),
    }
    organisation.name, organisation.parent, organisation.manager = name[:100], parent, manager
    organisation.founded_on, organisation.is_active = founded_on, is_active
    organisation.save()
    organisation.territory.set(territory)
    after = {**snapshot(organisation, ORG_FIELDS), "territory": sorted(n.pk for n in territory)}
    audit_record(actor=actor, action="party.org_update", target=organisation, label=name, before=before, after=after)
    return organisation


# --- members ------------------------------------------------------------------------------------------


@transaction.atomic
def member_add(
    *,
    actor: Actor,
    person_id: int,
    kind: str,
    joined_on: dt.date,
    organisation: Organisation | None,
    outside_organisation: str = "",
    on: dt.date | None = None,
) -> Member:
    """A registry person becomes a member on the roll; their membership is held by ``organisation`` (of the
    subdistrict) or, when None, by the outside organisation named."""
    if organisation is not None:
        _ensure_keep(actor, organisation)
        if organisation.kind not in HOLDING_KINDS:
            raise DomainError(_("组织关系应在支部（或党总支、党委），党小组不接收组织关系。"), field="organisation")
        if not organisation.is_active:
            raise DomainError(_("该党组织已撤销。"), field="organisation")
    elif not may_create_organisation(actor) and not _keeps_any(actor):
        raise NotAllowed(_("只有党组织书记或街道干部可以登记党员。"))
    outside_organisation = " ".join(outside_organisation.split())[:100]
    if organisation is None and not outside_organisation:
        raise DomainError(_("请选择组织关系所在的党组织，或填写街道外的单位名称。"), field="outside_organisation")
    if kind not in MemberKind.values:
        raise DomainError(_("请选择党员类别。"), field="kind")
    today = on or timezone.localdate()
    if joined_on > today:
        raise DomainError(_("入党日期不能晚于今天。"), field="joined_on")
    person = Person.objects.select_for_update().filter(pk=person_id).order_by("pk").first()
    if person is None:
        raise DomainError(_("登记信息中没有这个人。"), field="person")
    if Member.objects.filter(person=person, status=MemberStatus.ACTIVE).exists():
        raise DomainError(_("%(n)s 已是在册党员，不能重复登记。") % {"n": person.name}, field="person")
    try:
        with transaction.atomic():
            member = Member.objects.create(
                person=person,
                kind=kind,
                organisation=organisation,
                outside_organisation="" if organisation is not None else outside_organisation,
                joined_on=joined_on,
            )
    except IntegrityError as exc:  # a concurrent registration of the same person
        raise DomainError(_("%(n)s 已是在册党员，不能重复登记。") % {"n": person.name}, field="person") from exc
    audit_record(
        actor=actor,
        action="party.member_add",
        target=member,
        label=member.organisation_name,
        after=snapshot(member, ["person", "kind", "organisation", "outside_organisation", "joined_on"]),
    )
    return member


def _keeps_any(actor: Actor) -> bool:
    from gongzhi.party.permissions import visible_organisations

    return visible_organisations(actor).exists()


@transaction.atomic
def member_move(*, actor: Actor, member: Member, group: Organisation | None) -> Member:
    """Place a member in a building group of the organisation holding their membership (None: out of any)."""
    if not may_keep_member(actor, member):
        raise NotAllowed(_("只有本组织的书记或街道干部可以办理。"))
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status != MemberStatus.ACTIVE:
        raise DomainError(_("该党员已不在册。"), field="member")
    if group is not None:
        # A member held outside (在职党员) is placed in a group of the organisation they reported to (双报到).
        reported = (
            member.organisation_id is None
            and member.registrations.filter(
                status=RegistrationStatus.ACCEPTED, organisation_id=group.parent_id or 0
            ).exists()
        )
        if group.kind != OrgKind.GROUP or (group.parent_id != member.organisation_id and not reported):
            raise DomainError(_("只能编入本支部的党小组。"), field="group")
        if not group.is_active:
            raise DomainError(_("该党小组已撤销。"), field="group")
    before = snapshot(member, ["group"])
    member.group = group
    member.save(update_fields=["group", "updated_at"])
    audit_record(
        actor=actor, action="party.member_move", target=member, before=before, after=snapshot(member, ["group"])
    )
    return member


@transaction.atomic
def member_end(*, actor: Actor, member: Member, status: str, on: dt.date) -> Member:
    """The member leaves the roll: membership transferred out (转出) or ended (注销). The row stays."""
    if not may_keep_member(actor, member):
        raise NotAllowed(_("只有本组织的书记或街道干部可以办理。"))
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status != MemberStatus.ACTIVE:
        raise DomainError(_("该党员已不在册。"), field="member")
    if status not in (MemberStatus.TRANSFERRED, MemberStatus.ENDED):
        raise DomainError(_("请选择转出或注销。"), field="status")
    if on < member.joined_on:
        raise DomainError(_("日期不能早于入党日期。"), field="on")
    before = snapshot(member, ["status", "ended_on", "group"])
    member.status, member.ended_on, member.group = status, on, None
    member.save(update_fields=["status", "ended_on", "group", "updated_at"])
    Consent.objects.filter(member=member, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_by_id=actor.user_id, withdrawn_by_name=actor.username or "system"
    )
    audit_record(
        actor=actor,
        action="party.member_end",
        target=member,
        before=before,
        after=snapshot(member, ["status", "ended_on", "group"]),
    )
    return member


# --- committees ---------------------------------------------------------------------------------------


@transaction.atomic
def committee_set(
    *,
    actor: Actor,
    organisation: Organisation,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    seats: Sequence[tuple[Member, str]],
) -> Term:
    """A new term of the organisation's committee (or a group's leader) with its seats.

    Whether the committee fits the branch's size (3–5 from 7 full members, else a secretary only) is shown
    as a warning on the organisation's page, not refused: a branch may be between elections.
    """
    _ensure_keep(actor, organisation)
    years = term_years(organisation.kind)
    longest = starts_on.replace(year=starts_on.year + years) - dt.timedelta(days=1)
    ends_on = ends_on or longest
    if ends_on <= starts_on:
        raise DomainError(_("任期届满日期应晚于开始日期。"), field="ends_on")
    if ends_on > longest:
        raise DomainError(
            _("%(kind)s每届任期不超过%(n)d年。") % {"kind": organisation.kind_label, "n": years}, field="ends_on"
        )
    if not seats:
        raise DomainError(_("请至少登记一个职务。"), field="seats")
    if len(seats) > MAX_SEATS:
        raise DomainError(_("支部委员会一般不超过7人。"), field="seats")
    is_group = organisation.kind == OrgKind.GROUP
    holder_id = organisation.parent_id if is_group else organisation.pk
    for member, seat in seats:
        if seat not in Seat.values or (seat == Seat.GROUP_LEADER) != is_group:
            raise DomainError(
                _("职务“%(s)s”不适用于%(k)s。") % {"s": seat, "k": organisation.kind_label}, field="seats"
            )
        if member.status != MemberStatus.ACTIVE or member.organisation_id != holder_id:
            raise DomainError(_("%(n)s 的组织关系不在本支部，不能任职。") % {"n": member.person.name}, field="seats")
        if is_group and member.group_id != organisation.pk:
            raise DomainError(_("组长应是本小组的党员。"), field="seats")
    if len({m.pk for m, _s in seats}) != len(seats):
        raise DomainError(_("同一名党员不能在一届中任两个职务。"), field="seats")
    head = Seat.GROUP_LEADER if is_group else Seat.SECRETARY
    if sum(1 for _m, s in seats if s == head) != 1:
        raise DomainError(_("应有且只有一名%(s)s。") % {"s": Seat(head).label}, field="seats")
    term = Term.objects.create(organisation=organisation, starts_on=starts_on, ends_on=ends_on)
    CommitteeSeat.objects.bulk_create([CommitteeSeat(term=term, member=m, seat=s) for m, s in seats])
    audit_record(
        actor=actor,
        action="party.committee_set",
        target=term,
        label=organisation.name,
        after={
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "seats": [[m.pk, s] for m, s in seats],
        },
    )
    return term


# --- 亮身份 --------------------------------------------------------------------------------------------


@transaction.atomic
def consent_give(*, actor: Actor, member: Member, shows_badge: bool = True, shows_household: bool = False) -> Consent:
    """Record the member's consent (recorded by their secretary, who asked them). Replaces a current one."""
    if not may_keep_member(actor, member):
        raise NotAllowed(_("只有本组织的书记或街道干部可以办理。"))
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status != MemberStatus.ACTIVE:
        raise DomainError(_("该党员已不在册。"), field="member")
    if not (shows_badge or shows_household):
        raise DomainError(_("请至少选择一项亮身份方式。"), field="shows_badge")
    now = timezone.now()
    name = actor.username or "system"
    Consent.objects.filter(member=member, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_by_id=actor.user_id, withdrawn_by_name=name
    )
    consent = Consent.objects.create(
        member=member,
        shows_badge=shows_badge,
        shows_household=shows_household,
        given_at=now,
        given_by_id=actor.user_id,
        given_by_name=name,
    )
    audit_record(
        actor=actor,
        action="party.consent_give",
        target=consent,
        after=snapshot(consent, ["member", "shows_badge", "shows_household"]),
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Actor, member: Member) -> Consent:
    if not may_keep_member(actor, member):
        raise NotAllowed(_("只有本组织的书记或街道干部可以办理。"))
    consent = (
        Consent.objects.select_for_update().filter(member=member, withdrawn_at__isnull=True).order_by("pk").first()
    )
    if consent is None:
        raise DomainError(_("该党员没有在效的亮身份同意。"), field="member")
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by_id = actor.user_id
    consent.withdrawn_by_name = actor.username or "system"
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_by_name"])
    audit_record(actor=actor, action="party.consent_withdraw", target=consent)
    return consent


# --- the access log -----------------------------------------------------------------------------------


def members_reveal(*, actor: Actor, organisation: Organisation | None, row_count: int, reason: str = "") -> None:
    """A member list shown on a page: party membership is restricted, every showing is logged."""
    access_record(
        actor=actor,
        action="reveal",
        subject_type="party.member",
        subject_id=str(organisation.pk) if organisation is not None else "",
        subject_label=organisation.name if organisation is not None else "",
        fields="membership",
        reason=reason or _("查看党员名册"),
        row_count=row_count,
    )
