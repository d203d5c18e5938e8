"""双报到 (domain-rules.md §7): in-service members report to the party organisation where they live.

「一单一表一卡」: the 报到单 (Registration) a member submits and a keeper accepts, which puts them on the
roll here as a Member held outside; the community's 需求表 (Need) they claim; the 服务登记卡, read from
certified volunteering records through ``serving`` (hours are never typed here). Each quarter the community
feeds a sheet back to the work unit (Feedback records that it went) and once a year appraises the member.

Who sees what: the keepers of an organisation (``permissions.may_keep``: the officer or its secretary) see
its slips, needs, claims, cards and sheets; a resident sees their own slips and card and the open needs of
the organisation they reported to. Everyone else gets 404. Every list of names shown or exported is logged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.choices import Role
from gongzhi.core.actors import Actor
from gongzhi.core.audit import access_record, audit_record, snapshot
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.party import services, serving
from gongzhi.party.choices import (
    OPEN_REGISTRATION_STATUSES,
    REGISTRATION_TRANSITIONS,
    AppraisalResult,
    MemberKind,
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
    WorkUnit,
)
from gongzhi.party.permissions import may_keep, visible_organisations
from gongzhi.registry.models import Membership, Person
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node
from gongzhi.volunteering.choices import ActivityStatus, Skill
from gongzhi.volunteering.models import Activity

STEP = Node.steplen
COMMUNITY_PATH_LENGTH = 2 * STEP
COMPOUND_PATH_LENGTH = 4 * STEP
BUILDING_PATH_LENGTH = 5 * STEP
ADULT_AGE = 18  # 党章 Art. 1: members are admitted from the age of eighteen
BRANCHES = (OrgKind.BRANCH, OrgKind.JOINT_BRANCH)
REG_FIELDS = ["status", "member", "decided_by_name", "decline_reason", "ended_on"]
# The Duties a reported member may be given from their slip (分类安排到网格): 楼栋长 over their building,
# 网格员 (网格协管) in their building's grid.
PLACEMENT_ROLES = (Role.BUILDING_HEAD, Role.GRID_WORKER)


# --- who sees what ------------------------------------------------------------------------------------


def kept_organisations(actor: Actor) -> QuerySet[Organisation]:
    """The organisations whose 双报到 the actor keeps: every one for the officer, a secretary's own."""
    return visible_organisations(actor)


def visible_registrations(actor: Actor) -> QuerySet[Registration]:
    """Slips of the organisations the actor keeps, and the actor's own."""
    rows = Registration.objects.all()
    if actor.is_system:
        return rows
    q = Q(organisation__in=kept_organisations(actor).values("pk"))
    if actor.person_id is not None:
        q |= Q(person_id=actor.person_id)
    return rows.filter(q)


def visible_needs(actor: Actor) -> QuerySet[Need]:
    """A keeper: every need of their organisations. A reported member: the open needs of the organisation
    they reported to (a need names no people, only what is wanted and where)."""
    rows = Need.objects.all()
    if actor.is_system:
        return rows
    q = Q(organisation__in=kept_organisations(actor).values("pk"))
    if actor.person_id is not None:
        reported = Registration.objects.filter(person_id=actor.person_id, status=RegistrationStatus.ACCEPTED)
        q |= Q(status=NeedStatus.OPEN, organisation__in=reported.values("organisation_id"))
    return rows.filter(q)


def _ensure_keep(actor: Actor, organisation: Organisation) -> None:
    if not may_keep(actor, organisation):
        raise NotAllowed(_("只有本组织的书记或街道干部可以办理。"))


def is_own(actor: Actor, registration: Registration) -> bool:
    return actor.person_id is not None and registration.person_id == actor.person_id


# --- where a member reports -----------------------------------------------------------------------------


def residence_buildings(*, person: Person) -> list[Node]:
    """The buildings the person lives in: those of the dwellings of the households they belong to now,
    their current household's first."""
    rows = Membership.objects.filter(person=person, left_on__isnull=True, household__dwelling__isnull=False)
    paths = [p[:BUILDING_PATH_LENGTH] for p in rows.values_list("household__dwelling__org_path", flat=True)]
    buildings = list(Node.objects.filter(kind=NodeKind.BUILDING, path__in=paths).order_by("path"))
    first = person.org_path[:BUILDING_PATH_LENGTH]
    return sorted(buildings, key=lambda b: b.path != first)


def residence_organisation(*, building: Node) -> Organisation | None:
    """The organisation a member living in ``building`` reports to, at the finest level: the branch or joint
    branch covering the compound (where a 党总支 has several branches there, the one whose group covers the
    building, else the 党总支), else the 党总支, else the community's 社区党委."""
    compound, community = building.path[:COMPOUND_PATH_LENGTH], building.path[:COMMUNITY_PATH_LENGTH]
    links = Organisation.territory.through.objects.filter(
        organisation__is_active=True, node__path__in=[building.path, compound, community]
    ).values_list("organisation_id", "organisation__kind", "organisation__parent_id", "node__path")
    branches, generals, committees, group_parents = [], [], [], set()
    for org_id, kind, parent_id, path in links:
        if kind == OrgKind.GROUP and path == building.path:
            group_parents.add(parent_id)
        elif kind in BRANCHES and path == compound:
            branches.append(org_id)
        elif kind == OrgKind.GENERAL_BRANCH and path == compound:
            generals.append(org_id)
        elif kind == OrgKind.COMMUNITY_COMMITTEE and path == community:
            committees.append(org_id)
    branches.sort()
    chosen = None
    if len(branches) == 1:
        chosen = branches[0]
    elif branches:
        by_group = [b for b in branches if b in group_parents]
        chosen = by_group[0] if by_group else (min(generals) if generals else branches[0])
    elif generals:
        chosen = min(generals)
    elif committees:
        chosen = min(committees)
    return Organisation.objects.filter(pk=chosen).first() if chosen is not None else None


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return dt.date(day.year + years, 3, 1)


def receipt_number(registration: Registration) -> str:
    """The receipt (回执) number printed on an accepted slip: the year accepted and the slip's number."""
    year = timezone.localtime(registration.decided_at).year if registration.decided_at else 0
    return f"SBD{year:04d}{registration.pk:06d}"


# --- the slip -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlipData:
    work_unit_name: str
    post: str
    holding_organisation: str
    member_kind: str
    joined_on: dt.date
    residence: Node
    skills: Sequence[str] = ()
    service_posts: Sequence[str] = ()


def _clean_slip(person: Person, data: SlipData, today: dt.date) -> tuple[str, str, str]:
    unit = " ".join(data.work_unit_name.split())[:100]
    if not unit:
        raise DomainError(_("请选择或填写工作单位。"), field="work_unit_name")
    post = " ".join(data.post.split())[:60]
    if not post:
        raise DomainError(_("请填写职务或岗位。"), field="post")
    holding = " ".join(data.holding_organisation.split())[:100]
    if not holding:
        raise DomainError(_("请填写组织关系所在党组织。"), field="holding_organisation")
    if data.member_kind not in MemberKind.values:
        raise DomainError(_("请选择党员类别。"), field="member_kind")
    if data.joined_on > today:
        raise DomainError(_("入党日期不能晚于今天。"), field="joined_on")
    if person.born_on is not None and data.joined_on < _add_years(person.born_on, ADULT_AGE):
        raise DomainError(_("入党日期不能早于年满18周岁。"), field="joined_on")
    if [s for s in data.skills if s not in Skill.values]:
        raise DomainError(_("请从列表中选择技能特长。"), field="skills")
    if [s for s in data.service_posts if s not in ServicePost.values]:
        raise DomainError(_("请从列表中选择意向服务岗位。"), field="service_posts")
    if data.residence.pk not in {b.pk for b in residence_buildings(person=person)}:
        raise DomainError(_("居住楼栋应是本人现居住的楼栋。"), field="residence")
    return unit, post, holding


def _open_error(person: Person) -> DomainError:
    return DomainError(
        _("%(n)s 已有一份待确认或已报到的报到单，不能重复提交。") % {"n": person.name}, field="work_unit_name"
    )


@transaction.atomic
def registration_submit(*, actor: Actor, person: Person, data: SlipData, on: dt.date | None = None) -> Registration:
    """A 报到单: the member's own, or one a keeper enters for them. It goes to the organisation where the
    residence building is (``residence_organisation``)."""
    organisation = residence_organisation(building=data.residence)
    own = actor.person_id is not None and actor.person_id == person.pk
    if not own and (organisation is None or not may_keep(actor, organisation)):
        raise NotAllowed(_("只能为本人报到，或由报到党组织的书记代为登记。"))
    if organisation is None:
        raise DomainError(_("您居住的社区尚未设立党组织，暂不能报到。"), field="residence")
    today = on or timezone.localdate()
    unit_name, post, holding = _clean_slip(person, data, today)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if Registration.objects.filter(person=person, status__in=OPEN_REGISTRATION_STATUSES).exists():
        raise _open_error(person)
    unit, _created = WorkUnit.objects.get_or_create(organisation=organisation, name=unit_name)
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                person=person,
                organisation=organisation,
                work_unit=unit,
                post=post,
                holding_organisation=holding,
                member_kind=data.member_kind,
                joined_on=data.joined_on,
                residence=data.residence,
                skills=list(dict.fromkeys(data.skills)),
                service_posts=list(dict.fromkeys(data.service_posts)),
                submitted_at=timezone.now(),
                submitted_by_id=actor.user_id,
            )
    except IntegrityError as exc:  # a concurrent slip of the same person
        raise _open_error(person) from exc
    audit_record(
        actor=actor,
        action="party.registration_submit",
        target=registration,
        label=organisation.name,
        after=snapshot(registration, ["person", "organisation", "work_unit", "member_kind", "residence", "status"]),
    )
    return registration


def _transition(registration: Registration, target: str) -> None:
    if target not in REGISTRATION_TRANSITIONS[registration.status]:
        raise DomainError(
            _("报到单当前为“%(s)s”，不能办理。") % {"s": registration.get_status_display()}, field="status"
        )


def _lock(registration: Registration) -> Registration:
    return Registration.objects.select_for_update().select_related("person", "organisation").get(pk=registration.pk)


def _save(actor: Actor, registration: Registration, before: dict[str, object], action: str) -> Registration:
    registration.save()
    audit_record(
        actor=actor,
        action=action,
        target=registration,
        label=registration.organisation.name,
        before=before,
        after=snapshot(registration, REG_FIELDS),
    )
    return registration


@transaction.atomic
def registration_withdraw(*, actor: Actor, registration: Registration) -> Registration:
    """The member takes back their own slip before it is decided."""
    if not is_own(actor, registration):
        raise NotAllowed(_("只能撤回本人的报到单。"))
    registration = _lock(registration)
    _transition(registration, RegistrationStatus.WITHDRAWN)
    before = snapshot(registration, REG_FIELDS)
    registration.status = RegistrationStatus.WITHDRAWN
    return _save(actor, registration, before, "party.registration_withdraw")


@transaction.atomic
def registration_accept(*, actor: Actor, registration: Registration, group: Organisation | None = None) -> Registration:
    """The keeper signs the slip: the person is on the roll here as a member held by their unit's
    organisation (or their existing membership is linked), optionally placed in a building group."""
    _ensure_keep(actor, registration.organisation)
    registration = _lock(registration)
    _transition(registration, RegistrationStatus.ACCEPTED)
    if group is not None and (group.kind != OrgKind.GROUP or group.parent_id != registration.organisation_id):
        raise DomainError(_("只能编入本组织的党小组。"), field="group")
    before = snapshot(registration, REG_FIELDS)
    member = Member.objects.filter(person=registration.person, status=MemberStatus.ACTIVE).order_by("pk").first()
    if member is None:
        member = services.member_add(
            actor=actor,
            person_id=registration.person_id,
            kind=registration.member_kind,
            joined_on=registration.joined_on,
            organisation=None,
            outside_organisation=registration.holding_organisation,
        )
    registration.member = member
    registration.status = RegistrationStatus.ACCEPTED
    registration.decided_at = timezone.now()
    registration.decided_by_id = actor.user_id
    registration.decided_by_name = actor.display_name or actor.username or "system"
    _save(actor, registration, before, "party.registration_accept")
    if group is not None:
        services.member_move(actor=actor, member=member, group=group)
    return registration


@transaction.atomic
def registration_decline(*, actor: Actor, registration: Registration, reason: str) -> Registration:
    _ensure_keep(actor, registration.organisation)
    registration = _lock(registration)
    _transition(registration, RegistrationStatus.DECLINED)
    reason = " ".join(reason.split())[:200]
    if not reason:
        raise DomainError(_("请填写退回原因。"), field="reason")
    before = snapshot(registration, REG_FIELDS)
    registration.status = RegistrationStatus.DECLINED
    registration.decline_reason = reason
    registration.decided_at = timezone.now()
    registration.decided_by_id = actor.user_id
    registration.decided_by_name = actor.display_name or actor.username or "system"
    return _save(actor, registration, before, "party.registration_decline")


@transaction.atomic
def registration_end(*, actor: Actor, registration: Registration, on: dt.date) -> Registration:
    """The member moved away (or the unit recalled them). A membership held outside leaves the roll here
    (转出); one the subdistrict holds stays, only the 双报到 ends."""
    _ensure_keep(actor, registration.organisation)
    registration = _lock(registration)
    _transition(registration, RegistrationStatus.ENDED)
    if on > timezone.localdate():
        raise DomainError(_("结束日期不能晚于今天。"), field="on")
    decided = timezone.localdate(registration.decided_at) if registration.decided_at else on
    if on < decided:
        raise DomainError(_("结束日期不能早于报到日期。"), field="on")
    before = snapshot(registration, REG_FIELDS)
    registration.status = RegistrationStatus.ENDED
    registration.ended_on = on
    _save(actor, registration, before, "party.registration_end")
    member = registration.member
    if member is not None and member.organisation_id is None and member.status == MemberStatus.ACTIVE:
        services.member_end(actor=actor, member=member, status=MemberStatus.TRANSFERRED, on=max(on, member.joined_on))
    return registration


def may_place(actor: Actor, registration: Registration) -> bool:
    """Whether the Duty form is offered: accounts decides who grants duties (the subdistrict officer only;
    a party secretary may not, and this module does not widen that)."""
    from gongzhi.accounts.permissions import can_grant_duty

    return can_grant_duty(actor, role=Role.BUILDING_HEAD, node_path=registration.residence.path, grid_org_path=None)


@transaction.atomic
def registration_place(*, actor: Actor, registration: Registration, role: str) -> object:
    """Give an accepted member a Duty where they live: 楼栋长 over their building or 网格员 in its grid.
    accounts.duty_grant checks the grant; its refusal is passed on in words that say who may."""
    from gongzhi.accounts.services import duty_grant

    _ensure_keep(actor, registration.organisation)
    if registration.status != RegistrationStatus.ACCEPTED:
        raise DomainError(_("报到单确认后才能安排职责。"), field="role")
    if role not in PLACEMENT_ROLES:
        raise DomainError(_("请选择楼栋长或网格员。"), field="role")
    user = registration.person.user
    if user is None:
        raise DomainError(_("%(n)s 还没有平台账号，不能安排职责。") % {"n": registration.person.name}, field="role")
    building = registration.residence
    if role == Role.GRID_WORKER and building.grid_id is None:
        raise DomainError(_("该楼栋尚未划入网格。"), field="role")
    try:
        return duty_grant(
            actor=actor,
            user=user,
            role=role,
            node=building if role == Role.BUILDING_HEAD else None,
            grid=building.grid if role == Role.GRID_WORKER else None,
            note=_("双报到 报到单%(n)s") % {"n": receipt_number(registration)},
        )
    except NotAllowed as exc:
        raise NotAllowed(_("职责由街道干部授予：请将报到单转街道干部办理。")) from exc


# --- the needs list -----------------------------------------------------------------------------------


@transaction.atomic
def need_create(
    *,
    actor: Actor,
    organisation: Organisation,
    category: str,
    title: str,
    node: Node,
    wanted: int = 1,
    description: str = "",
) -> Need:
    _ensure_keep(actor, organisation)
    if category not in ServicePost.values:
        raise DomainError(_("请选择需求类别。"), field="category")
    title = " ".join(title.split())[:80]
    if not title:
        raise DomainError(_("请填写需求。"), field="title")
    if not 1 <= wanted <= 200:
        raise DomainError(_("需要人数应在1到200之间。"), field="wanted")
    paths = list(organisation.territory.values_list("path", flat=True))
    if not any(node.path.startswith(p) for p in paths):
        raise DomainError(_("地点应在本组织覆盖的区域内。"), field="node")
    need = Need.objects.create(
        organisation=organisation,
        category=category,
        title=title,
        description=description.strip()[:500],
        node=node,
        wanted=wanted,
        created_by_id=actor.user_id,
    )
    audit_record(actor=actor, action="party.need_create", target=need, label=title, after=snapshot(need))
    return need


@transaction.atomic
def need_close(*, actor: Actor, need: Need) -> Need:
    _ensure_keep(actor, need.organisation)
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status == NeedStatus.CLOSED:
        raise DomainError(_("该需求已关闭。"), field="status")
    need.status = NeedStatus.CLOSED
    need.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="party.need_close", target=need, label=need.title)
    return need


@transaction.atomic
def need_claim(*, actor: Actor, need: Need) -> NeedClaim:
    """A reported member takes on a need of the organisation they reported to: once, while it is open and
    until as many as wanted have claimed it."""
    registration = (
        Registration.objects.filter(
            person_id=actor.person_id, status=RegistrationStatus.ACCEPTED, organisation_id=need.organisation_id
        ).first()
        if actor.person_id is not None
        else None
    )
    if registration is None:
        raise NotAllowed(_("向本组织报到的在职党员才能认领需求。"))
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status != NeedStatus.OPEN:
        raise DomainError(_("该需求已关闭。"), field="need")
    if need.claims.filter(registration=registration).exists():
        raise DomainError(_("您已认领该需求。"), field="need")
    if need.claims.count() >= need.wanted:
        raise DomainError(_("该需求已有%(n)d人认领，名额已满。") % {"n": need.wanted}, field="need")
    try:
        with transaction.atomic():
            claim = NeedClaim.objects.create(need=need, registration=registration, claimed_at=timezone.now())
    except IntegrityError as exc:
        raise DomainError(_("您已认领该需求。"), field="need") from exc
    audit_record(actor=actor, action="party.need_claim", target=claim, label=need.title)
    return claim


# --- appraisal and feedback ---------------------------------------------------------------------------


@transaction.atomic
def appraisal_record(
    *, actor: Actor, registration: Registration, year: int, result: str, comment: str = ""
) -> Appraisal:
    """The yearly appraisal (年度评议) of a reported member: once a year, for a year begun."""
    _ensure_keep(actor, registration.organisation)
    if registration.status not in (RegistrationStatus.ACCEPTED, RegistrationStatus.ENDED):
        raise DomainError(_("报到单确认后才能评议。"), field="year")
    if result not in AppraisalResult.values:
        raise DomainError(_("请选择评议结果。"), field="result")
    if year > timezone.localdate().year or registration.decided_at is None:
        raise DomainError(_("只能评议已开始的年度。"), field="year")
    if year < timezone.localtime(registration.decided_at).year:
        raise DomainError(_("该年度尚未报到，不能评议。"), field="year")
    try:
        with transaction.atomic():
            appraisal = Appraisal.objects.create(
                registration=registration,
                year=year,
                result=result,
                comment=comment.strip()[:300],
                appraised_by_id=actor.user_id,
                appraised_by_name=actor.display_name or actor.username or "system",
            )
    except IntegrityError as exc:
        raise DomainError(_("%(y)d年度已评议。") % {"y": year}, field="year") from exc
    audit_record(
        actor=actor, action="party.appraisal_record", target=appraisal, after=snapshot(appraisal, ["year", "result"])
    )
    return appraisal


def quarter_span(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    if not 1 <= quarter <= 4:
        raise DomainError(_("季度应为1至4。"), field="quarter")
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, end - dt.timedelta(days=1)


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


@transaction.atomic
def feedback_send(*, actor: Actor, work_unit: WorkUnit, year: int, quarter: int) -> Feedback:
    """Record that the quarter's sheet went to the unit: once a quarter, for a quarter begun."""
    _ensure_keep(actor, work_unit.organisation)
    start, _end = quarter_span(year, quarter)
    if start > timezone.localdate():
        raise DomainError(_("该季度尚未开始。"), field="quarter")
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                work_unit=work_unit,
                year=year,
                quarter=quarter,
                sent_at=timezone.now(),
                sent_by_id=actor.user_id,
                sent_by_name=actor.display_name or actor.username or "system",
            )
    except IntegrityError as exc:
        raise DomainError(_("%(y)d年第%(q)d季度已反馈。") % {"y": year, "q": quarter}, field="quarter") from exc
    audit_record(actor=actor, action="party.feedback_send", target=feedback, label=work_unit.name)
    return feedback


def registrations_reveal(*, actor: Actor, organisation: Organisation | None, row_count: int, reason: str) -> None:
    """Names of reported members shown on a page (the register, a card, a sheet): logged like member lists."""
    access_record(
        actor=actor,
        action="reveal",
        subject_type="party.member",
        subject_id=str(organisation.pk) if organisation is not None else "",
        subject_label=organisation.name if organisation is not None else "",
        fields="registration",
        reason=reason,
        row_count=row_count,
    )


# --- reads --------------------------------------------------------------------------------------------


def registration_list(
    *, actor: Actor, status: str = "", search: str = "", organisation: Organisation | None = None
) -> QuerySet[Registration]:
    """The 双报到 register of the organisations the actor keeps (their own slip is on /party/me/)."""
    rows = visible_registrations(actor).filter(organisation__in=kept_organisations(actor).values("pk"))
    if organisation is not None:
        rows = rows.filter(organisation=organisation)
    if status in RegistrationStatus.values:
        rows = rows.filter(status=status)
    search = search.strip()
    if search:
        rows = rows.filter(person__name__contains=search)
    return rows.select_related("person", "organisation", "work_unit", "residence").order_by("-submitted_at", "-id")


def registration_get(*, actor: Actor, registration_id: int) -> Registration:
    return get_object_or_404(
        visible_registrations(actor).select_related(
            "person__user", "organisation", "work_unit", "residence", "member__group"
        ),
        pk=registration_id,
    )


def own_registrations(*, actor: Actor) -> list[Registration]:
    if actor.person_id is None:
        return []
    return list(
        visible_registrations(actor)
        .filter(person_id=actor.person_id)
        .select_related("organisation", "work_unit", "residence", "member")
        .order_by("-submitted_at", "-id")
    )


def current_registration(registrations: list[Registration]) -> Registration | None:
    return next((r for r in registrations if r.status in OPEN_REGISTRATION_STATUSES), None)


def work_unit_names(*, organisation: Organisation | None) -> list[str]:
    """Registered units first (单位报到), then those named on slips: the slip form's suggestions."""
    if organisation is None:
        return []
    rows = WorkUnit.objects.filter(organisation=organisation).order_by("registered_on", "name")
    return [u.name for u in sorted(rows, key=lambda u: (u.registered_on is None, u.name))]


def residence_label(node: Node, names: dict[str, str]) -> str:
    """社区 · 小区 · 楼栋 from the path (``names``: path → name of the ancestors, one query for a page)."""
    parts = [names.get(node.path[:n], "") for n in (COMMUNITY_PATH_LENGTH, COMPOUND_PATH_LENGTH)]
    return " · ".join([p for p in parts if p] + [node.name])


def ancestor_names(nodes: list[Node]) -> dict[str, str]:
    paths = {n.path[:k] for n in nodes for k in (COMMUNITY_PATH_LENGTH, COMPOUND_PATH_LENGTH)}
    return dict(Node.objects.filter(path__in=paths).values_list("path", "name"))


def group_choices(*, organisation: Organisation) -> list[tuple[int, str]]:
    """The organisation's building groups in the order of their buildings (1号楼 before 10号楼)."""
    from gongzhi.party.selectors import groups_of

    return [(g.pk, g.name) for g in groups_of(organisation=organisation)]


def group_of_residence(*, registration: Registration) -> int | None:
    """The group of the organisation covering the member's building, offered first when accepting."""
    return (
        registration.organisation.children.filter(
            kind=OrgKind.GROUP, is_active=True, territory=registration.residence_id
        )
        .values_list("pk", flat=True)
        .first()
    )


def need_list(*, actor: Actor, organisation: Organisation) -> list[Need]:
    rows = visible_needs(actor).filter(organisation=organisation).select_related("node")
    needs: list[Need] = list(rows.annotate(claimed=Count("claims")).order_by("status", "-created_at", "-id"))
    return needs


def need_get(*, actor: Actor, need_id: int) -> Need:
    return get_object_or_404(visible_needs(actor).select_related("organisation", "node"), pk=need_id)


def open_needs_of(*, actor: Actor, registration: Registration | None) -> list[Need]:
    """The open needs of the organisation the member reported to, with what they claimed marked."""
    if registration is None or registration.status != RegistrationStatus.ACCEPTED:
        return []
    rows = (
        visible_needs(actor)
        .filter(organisation_id=registration.organisation_id, status=NeedStatus.OPEN)
        .select_related("node")
        .annotate(claimed=Count("claims"))
        .order_by("-created_at", "-id")
    )
    mine = set(NeedClaim.objects.filter(registration=registration).values_list("need_id", flat=True))
    needs: list[Need] = list(rows)
    for need in needs:
        need.mine = need.pk in mine  # type: ignore[attr-defined]
    return needs


def claims_of(*, actor: Actor, needs: list[Need]) -> dict[int, list[NeedClaim]]:
    """Who claimed each need: for keepers only (the caller checked)."""
    found: dict[int, list[NeedClaim]] = defaultdict(list)
    rows = NeedClaim.objects.filter(need__in=needs, registration__in=visible_registrations(actor))
    for claim in rows.select_related("registration__person").order_by("claimed_at", "id"):
        found[claim.need_id].append(claim)
    return found


def open_party_activities(*, organisation_id: int, now: dt.datetime | None = None) -> list[Activity]:
    """The organisation's 党员服务 activities still to come, open for sign-up on the volunteering pages."""
    now = now or timezone.now()
    return list(
        Activity.objects.filter(
            party_service__organisation_id=organisation_id, status=ActivityStatus.OPEN, ends_at__gt=now
        ).order_by("starts_at", "id")[:20]
    )


def work_unit_list(*, actor: Actor, organisation: Organisation) -> list[WorkUnit]:
    rows = WorkUnit.objects.filter(organisation__in=kept_organisations(actor).values("pk"), organisation=organisation)
    counted = rows.annotate(
        accepted=Count("registrations", filter=Q(registrations__status=RegistrationStatus.ACCEPTED))
    )
    return list(counted.order_by("-accepted", "name"))


def work_unit_get(*, actor: Actor, work_unit_id: int) -> WorkUnit:
    return get_object_or_404(
        WorkUnit.objects.filter(organisation__in=kept_organisations(actor).values("pk")).select_related("organisation"),
        pk=work_unit_id,
    )


@dataclass(frozen=True)
class SheetRow:
    registration: Registration
    name: str
    post: str
    residence: str
    services: int
    minutes: int
    claims: int
    appraisal: Appraisal | None

    @property
    def hours(self) -> str:
        from gongzhi.volunteering.hours import hours_text

        return hours_text(self.minutes)


@dataclass
class FeedbackSheet:
    """The quarterly sheet to a work unit: its members reported here, what each served in the quarter."""

    work_unit: WorkUnit
    year: int
    quarter: int
    since: dt.date
    until: dt.date
    rows: list[SheetRow] = field(default_factory=list)
    sent: Feedback | None = None

    @property
    def total_minutes(self) -> int:
        return sum(r.minutes for r in self.rows)


def feedback_sheet(*, actor: Actor, work_unit: WorkUnit, year: int, quarter: int) -> FeedbackSheet:
    """Computed each time it is drawn, from certified records of the quarter only (``serving``)."""
    since, until = quarter_span(year, quarter)
    regs = list(
        visible_registrations(actor)
        .filter(
            work_unit=work_unit,
            status__in=[RegistrationStatus.ACCEPTED, RegistrationStatus.ENDED],
            decided_at__date__lte=until,
        )
        .exclude(ended_on__lt=since)
        .select_related("person", "residence", "member")
        .order_by("person__name_pinyin", "id")
    )
    members = [r.member for r in regs if r.member is not None]
    minutes = serving.member_service_minutes(members, since=since, until=until)
    counts = {m.pk: serving.service_card(member=m, since=since, until=until).activity_count for m in members}
    claims = dict(
        NeedClaim.objects.filter(registration__in=regs, claimed_at__date__gte=since, claimed_at__date__lte=until)
        .values_list("registration_id")
        .annotate(n=Count("id"))
        .values_list("registration_id", "n")
    )
    latest: dict[int, Appraisal] = {}
    for appraisal in Appraisal.objects.filter(registration__in=regs, year__lte=year).order_by("year", "id"):
        latest[appraisal.registration_id] = appraisal
    names = ancestor_names([r.residence for r in regs])
    sheet = FeedbackSheet(work_unit, year, quarter, since, until)
    sheet.sent = Feedback.objects.filter(work_unit=work_unit, year=year, quarter=quarter).first()
    for r in regs:
        member_id = r.member_id or 0
        sheet.rows.append(
            SheetRow(
                registration=r,
                name=r.person.name,
                post=r.post,
                residence=residence_label(r.residence, names),
                services=counts.get(member_id, 0),
                minutes=minutes.get(member_id, 0),
                claims=claims.get(r.pk, 0),
                appraisal=latest.get(r.pk),
            )
        )
    return sheet


def sent_quarters(*, work_units: list[WorkUnit]) -> dict[int, set[tuple[int, int]]]:
    found: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for unit_id, year, quarter in Feedback.objects.filter(work_unit__in=work_units).values_list(
        "work_unit_id", "year", "quarter"
    ):
        found[unit_id].add((year, quarter))
    return found


def recent_quarters(today: dt.date, count: int = 4) -> list[tuple[int, int]]:
    """The current quarter and the ones before it, newest first."""
    year, quarter = today.year, quarter_of(today)
    found = []
    for _i in range(count):
        found.append((year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return found


def appraisals_of(*, registration: Registration) -> list[Appraisal]:
    return list(registration.appraisals.order_by("-year"))


# --- figures for the subdistrict ------------------------------------------------------------------------


@dataclass
class CommunityFigures:
    community: str
    accepted: int = 0  # in-service members reported here (已报到)
    pending: int = 0  # slips waiting for a keeper (待确认)
    work_units: int = 0
    minutes: int = 0  # their certified party service this year

    @property
    def hours(self) -> str:
        from gongzhi.volunteering.hours import hours_text

        return hours_text(self.minutes)


@dataclass
class ReportingFigures:
    year: int
    rows: list[CommunityFigures]

    def _sum(self, name: str) -> int:
        return sum(getattr(r, name) for r in self.rows)

    @property
    def accepted(self) -> int:
        return self._sum("accepted")

    @property
    def pending(self) -> int:
        return self._sum("pending")

    @property
    def work_units(self) -> int:
        return self._sum("work_units")

    @property
    def minutes(self) -> int:
        return self._sum("minutes")

    @property
    def hours(self) -> str:
        from gongzhi.volunteering.hours import hours_text

        return hours_text(self.minutes)


def reporting_figures(*, actor: Actor, year: int) -> ReportingFigures:
    """双报到 per community of the actor's scope (the tree page, the cockpit): members reported (accepted),
    slips pending, work units with a member reported, and the reported members' certified party service
    hours of the year (``serving``). A fixed number of queries."""
    rows = visible_registrations(actor).filter(
        organisation__in=kept_organisations(actor).values("pk"), status__in=OPEN_REGISTRATION_STATUSES
    )
    regs = list(rows.values_list("pk", "status", "residence__path", "work_unit_id", "member_id", "member__person_id"))
    communities = dict(Node.objects.filter(kind=NodeKind.COMMUNITY).values_list("path", "name"))
    by: dict[str, CommunityFigures] = {}
    units: dict[str, set[int]] = defaultdict(set)
    members: list[Member] = []
    member_community: dict[int, str] = {}
    for _pk, status, path, unit_id, member_id, person_id in regs:
        key = path[:COMMUNITY_PATH_LENGTH]
        figures = by.setdefault(key, CommunityFigures(communities.get(key, key)))
        if status == RegistrationStatus.ACCEPTED:
            figures.accepted += 1
            units[key].add(unit_id)
            if member_id is not None:
                members.append(Member(pk=member_id, person_id=person_id))
                member_community[member_id] = key
        else:
            figures.pending += 1
    minutes = serving.member_service_minutes(members, since=dt.date(year, 1, 1), until=dt.date(year, 12, 31))
    for member_id, n in minutes.items():
        by[member_community[member_id]].minutes += n
    for key, ids in units.items():
        by[key].work_units = len(ids)
    return ReportingFigures(year=year, rows=[by[k] for k in sorted(by)])


def _kept_paths(actor: Actor) -> list[str]:
    ids = kept_organisations(actor).filter(is_active=True).values("pk")
    return list(
        Organisation.territory.through.objects.filter(organisation_id__in=ids).values_list("node__path", flat=True)
    )


def slip_candidates(*, actor: Actor, search: str) -> list[tuple[int, str]]:
    """People a keeper may enter a slip for, by name: living where the organisations they keep cover, with
    no open slip; at most 20, shown with the masked ID as the registry does."""
    from gongzhi.core.actors import any_subtree_q

    search = search.strip()
    paths = _kept_paths(actor)
    if not search or not paths:
        return []
    open_ = Registration.objects.filter(status__in=OPEN_REGISTRATION_STATUSES).values("person_id")
    rows = (
        Person.objects.filter(any_subtree_q("org_path", paths), name__contains=search)
        .exclude(pk__in=open_)
        .order_by("name_pinyin", "id")[:20]
    )
    return [(p.pk, f"{p.name} {p.id_masked}".strip()) for p in rows]


def slip_person_get(*, actor: Actor, person_id: int) -> Person:
    """The person a slip is entered for: the actor themself, or someone living where the actor keeps."""
    from gongzhi.core.actors import any_subtree_q

    if actor.person_id is not None and person_id == actor.person_id:
        return get_object_or_404(Person, pk=person_id)
    paths = _kept_paths(actor)
    if not paths:
        raise Http404
    return get_object_or_404(Person.objects.filter(any_subtree_q("org_path", paths)), pk=person_id)


def building_choices(buildings: list[Node]) -> list[tuple[int, str]]:
    names = ancestor_names(buildings)
    return [(b.pk, residence_label(b, names)) for b in buildings]


def need_places(*, organisation: Organisation) -> list[Node]:
    """Where a need may be: the organisation's territory and the compounds and buildings in it."""
    from gongzhi.core.actors import any_subtree_q

    paths = list(organisation.territory.values_list("path", flat=True))
    if not paths:
        return []
    kinds = [NodeKind.COMMUNITY, NodeKind.COMPOUND, NodeKind.BUILDING]
    return list(Node.objects.filter(any_subtree_q("path", paths), kind__in=kinds).order_by("path")[:300])


def node_get(node_id: int) -> Node:
    return get_object_or_404(Node, pk=node_id)


def choice_labels(values: list[str], name: str) -> list[str]:
    """The labels of a slip's skills or service posts, in the order chosen."""
    choices = dict(Skill.choices if name == "skills" else ServicePost.choices)
    return [str(choices.get(v, v)) for v in values]


def reporting_organisations(*, actor: Actor) -> list[Organisation]:
    """The organisations of the actor's scope that have slips: links to their needs and unit sheets."""
    ids = visible_registrations(actor).filter(organisation__in=kept_organisations(actor).values("pk"))
    return list(Organisation.objects.filter(pk__in=ids.values("organisation_id")).order_by("name", "pk"))
