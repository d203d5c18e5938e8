"""三会一课 and organisational life (domain-rules.md §7): recording a meeting with who was entitled to attend
and who came, correcting it for a while, the compliance table of each kind against its cadence, and the
overdue list the cockpit reads.

Services and selectors of meetings in one module: writes are keyword-only with the actor first, check the
permission first, are atomic and leave an audit row; reads start from ``visible_organisations``.

Rules kept here:
- which meetings an organisation holds is ``choices.MEETING_KINDS``; 支委会 only where the branch has a
  committee, read as the branch rule says: 7 or more full members (selectors.COMMITTEE_FROM), so the
  compliance table asks for it exactly where the rules warning asks for a committee;
- those entitled are fixed when the meeting is recorded, one Attendance row each: the members the
  organisation holds (not outside-held 在职党员, whose own branch holds their meetings), the seats of the
  current term for a 支委会, the members placed in the group for a 党小组会;
- 党员大会 and 支委会 need more than half of those entitled (``Meeting.has_quorum``); one without quorum
  does not count as held in the compliance table, and its cell says 未过半;
- a period is due once the organisation existed on its last day (founded_on), so a branch founded in July
  owes nothing for the first half of the year.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.actors import Actor
from gongzhi.core.audit import access_record, audit_record, snapshot
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.photos import MAX_PHOTOS, CleanPhoto
from gongzhi.party.choices import (
    CADENCE,
    MEETING_KINDS,
    QUORUM_KINDS,
    Compliance,
    MeetingKind,
    MemberStatus,
    OrgKind,
    Period,
)
from gongzhi.party.models import Attendance, CommitteeSeat, Meeting, MeetingPhoto, Member, Organisation
from gongzhi.party.permissions import may_keep, visible_organisations
from gongzhi.party.selectors import COMMITTEE_FROM, current_term, member_counts

CORRECTION_DAYS = 30  # a meeting may be corrected by its organisation's keepers this long after recording
MAX_MINUTES = 5000
MEETING_FIELDS = ["organisation", "kind", "held_on", "topic", "place", "lecturer", "minutes", "entitled", "present"]
QUARTER_LABELS = (gettext_lazy("一季度"), gettext_lazy("二季度"), gettext_lazy("三季度"), gettext_lazy("四季度"))


# --- which meetings, and who is entitled ------------------------------------------------------------------


def has_committee(*, full_members: int) -> bool:
    """A branch committee, and so 支委会, from seven full members (支部工作条例 as summarised)."""
    return full_members >= COMMITTEE_FROM


def _kinds_of(organisation: Organisation, full_members: int) -> list[str]:
    if not organisation.is_active:
        return []
    kinds = MEETING_KINDS.get(organisation.kind, ())
    return [k for k in kinds if k != MeetingKind.COMMITTEE or has_committee(full_members=full_members)]


def meeting_kinds(*, organisation: Organisation) -> list[str]:
    """The kinds of meeting the organisation holds, in the order of MEETING_KINDS."""
    full = member_counts([organisation.pk]).get(organisation.pk)
    return _kinds_of(organisation, full.full if full is not None else 0)


def entitled_members(*, organisation: Organisation, kind: str, on: dt.date) -> list[Member]:
    """Who is entitled to attend a meeting of this kind: see the module's rules."""
    if kind == MeetingKind.COMMITTEE:
        term = current_term(organisation=organisation, on=on)
        ids = CommitteeSeat.objects.filter(term=term).values_list("member_id", flat=True) if term is not None else []
        rows = Member.objects.filter(pk__in=list(ids))
    elif kind == MeetingKind.GROUP:
        rows = Member.objects.filter(group=organisation)
    else:
        rows = Member.objects.filter(organisation=organisation)
    return list(rows.filter(status=MemberStatus.ACTIVE).select_related("person").order_by("person__name_pinyin", "id"))


# --- writes -----------------------------------------------------------------------------------------------


def _ensure_keep(actor: Actor, organisation: Organisation) -> None:
    if not may_keep(actor, organisation):
        raise NotAllowed(_("只有本组织的书记或街道干部可以登记组织生活。"))


def _check_text(*, kind: str, topic: str, place: str, lecturer: str, minutes: str) -> tuple[str, str, str, str]:
    topic = " ".join(topic.split())
    if not topic:
        raise DomainError(_("请填写会议主题。"), field="topic")
    if len(topic) > 100:
        raise DomainError(_("会议主题不能超过100字。"), field="topic")
    place = " ".join(place.split())
    if len(place) > 100:
        raise DomainError(_("地点不能超过100字。"), field="place")
    lecturer = " ".join(lecturer.split())
    if kind == MeetingKind.LECTURE and not lecturer:
        raise DomainError(_("请填写党课的授课人。"), field="lecturer")
    if len(lecturer) > 50:
        raise DomainError(_("授课人不能超过50字。"), field="lecturer")
    minutes = minutes.strip()
    if not minutes:
        raise DomainError(_("请填写会议记录。"), field="minutes")
    if len(minutes) > MAX_MINUTES:
        raise DomainError(_("会议记录不能超过%(n)d字。") % {"n": MAX_MINUTES}, field="minutes")
    return topic, place, lecturer if kind == MeetingKind.LECTURE else "", minutes


def _attendance(
    entitled_ids: Iterable[int], present_member_ids: Iterable[int], absence_reasons: Mapping[int, str]
) -> dict[int, tuple[bool, str]]:
    """Each entitled member's row: present, or absent with the reason given (if any)."""
    entitled = list(entitled_ids)
    present = set(present_member_ids)
    if present - set(entitled):
        raise DomainError(_("出席人员中有不属于本次会议应到人员的党员，请重新勾选。"), field="present")
    return {
        pk: (pk in present, "" if pk in present else " ".join(absence_reasons.get(pk, "").split())[:100])
        for pk in entitled
    }


@transaction.atomic
def meeting_record(
    *,
    actor: Actor,
    organisation: Organisation,
    kind: str,
    held_on: dt.date,
    topic: str,
    place: str = "",
    lecturer: str = "",
    minutes: str,
    present_member_ids: Iterable[int],
    absence_reasons: Mapping[int, str] | None = None,
    photos: Sequence[CleanPhoto] = (),
    on: dt.date | None = None,
) -> Meeting:
    """Record a meeting held: one Attendance row per member entitled on the day it is recorded. Photos come
    cleaned (core.photos) before anything is written; a refusal writes nothing."""
    _ensure_keep(actor, organisation)
    today = on or timezone.localdate()
    if kind not in meeting_kinds(organisation=organisation):
        raise DomainError(
            _("%(org)s不召开%(kind)s。") % {"org": organisation.name, "kind": _kind_label(kind)}, field="kind"
        )
    if held_on > today:
        raise DomainError(_("会议日期不能晚于今天。"), field="held_on")
    if organisation.founded_on is not None and held_on < organisation.founded_on:
        raise DomainError(_("会议日期不能早于本组织成立日期 %(d)s。") % {"d": organisation.founded_on}, field="held_on")
    topic, place, lecturer, minutes = _check_text(
        kind=kind, topic=topic, place=place, lecturer=lecturer, minutes=minutes
    )
    if len(photos) > MAX_PHOTOS:
        raise DomainError(_("照片最多 %(n)d 张。") % {"n": MAX_PHOTOS}, field="photos")
    entitled = entitled_members(organisation=organisation, kind=kind, on=today)
    if not entitled:
        raise DomainError(
            _("本组织没有应参加%(kind)s的党员（支委会按本届委员，党小组会按编入本小组的党员）。")
            % {"kind": _kind_label(kind)},
            field="present",
        )
    rows = _attendance([m.pk for m in entitled], present_member_ids, absence_reasons or {})
    meeting = Meeting.objects.create(
        organisation=organisation,
        kind=kind,
        held_on=held_on,
        topic=topic,
        place=place,
        lecturer=lecturer,
        minutes=minutes,
        entitled=len(rows),
        present=sum(1 for present, _r in rows.values() if present),
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.display_name or actor.username or "system",
    )
    Attendance.objects.bulk_create(
        [
            Attendance(meeting=meeting, member_id=pk, is_present=present, absence_reason=reason)
            for pk, (present, reason) in rows.items()
        ]
    )
    for photo in photos:
        MeetingPhoto.objects.create(meeting=meeting, image=photo.content, width=photo.width, height=photo.height)
    audit_record(
        actor=actor,
        action="party.meeting_record",
        target=meeting,
        label=f"{organisation.name} {_kind_label(kind)} {held_on}",
        after={
            **snapshot(meeting, MEETING_FIELDS),
            "present_ids": sorted(pk for pk, (p, _r) in rows.items() if p),
            "photos": len(photos),
        },
    )
    return meeting


def may_correct(*, actor: Actor, meeting: Meeting, on: dt.date | None = None) -> bool:
    return may_keep(actor, meeting.organisation) and _within_window(meeting, on)


def _within_window(meeting: Meeting, on: dt.date | None) -> bool:
    today = on or timezone.localdate()
    return today - timezone.localdate(meeting.created_at) <= dt.timedelta(days=CORRECTION_DAYS)


@transaction.atomic
def meeting_correct(
    *,
    actor: Actor,
    meeting: Meeting,
    topic: str,
    place: str = "",
    lecturer: str = "",
    minutes: str,
    present_member_ids: Iterable[int],
    absence_reasons: Mapping[int, str] | None = None,
    on: dt.date | None = None,
) -> Meeting:
    """Correct the topic, place, lecturer, minutes and attendance of a meeting within CORRECTION_DAYS of its
    recording. Those entitled stay as recorded; the audit row keeps what it said before."""
    _ensure_keep(actor, meeting.organisation)
    meeting = Meeting.objects.select_for_update().select_related("organisation").get(pk=meeting.pk)
    if not _within_window(meeting, on):
        raise DomainError(_("会议登记已超过%(n)d天，不能再更正。") % {"n": CORRECTION_DAYS}, field="minutes")
    topic, place, lecturer, minutes = _check_text(
        kind=meeting.kind, topic=topic, place=place, lecturer=lecturer, minutes=minutes
    )
    attendances = list(meeting.attendances.all())
    rows = _attendance([a.member_id for a in attendances], present_member_ids, absence_reasons or {})
    before = {
        **snapshot(meeting, MEETING_FIELDS),
        "present_ids": sorted(a.member_id for a in attendances if a.is_present),
    }
    for a in attendances:
        a.is_present, a.absence_reason = rows[a.member_id]
    Attendance.objects.bulk_update(attendances, ["is_present", "absence_reason"])
    meeting.topic, meeting.place, meeting.lecturer, meeting.minutes = topic, place, lecturer, minutes
    meeting.present = sum(1 for a in attendances if a.is_present)
    meeting.save(update_fields=["topic", "place", "lecturer", "minutes", "present", "updated_at"])
    audit_record(
        actor=actor,
        action="party.meeting_correct",
        target=meeting,
        label=f"{meeting.organisation.name} {_kind_label(meeting.kind)} {meeting.held_on}",
        before=before,
        after={
            **snapshot(meeting, MEETING_FIELDS),
            "present_ids": sorted(a.member_id for a in attendances if a.is_present),
        },
    )
    return meeting


def attendance_reveal(*, actor: Actor, organisation: Organisation, row_count: int, meeting: Meeting | None) -> None:
    """Names of those entitled to a meeting shown (its page, or the form that records it): party membership
    is restricted, so every showing is logged like a member list."""
    access_record(
        actor=actor,
        action="reveal",
        subject_type="party.meeting",
        subject_id=str(meeting.pk) if meeting is not None else "",
        subject_label=(
            f"{organisation.name} {_kind_label(meeting.kind)} {meeting.held_on}" if meeting else organisation.name
        ),
        fields="attendance",
        reason=_("查看会议出席名单") if meeting is not None else _("登记会议出席"),
        row_count=row_count,
    )


# --- reads ------------------------------------------------------------------------------------------------


def _kind_label(kind: str) -> str:
    return str(MeetingKind(kind).label) if kind in MeetingKind.values else kind


def meeting_list(*, actor: Actor, organisation: Organisation, kind: str = "") -> QuerySet[Meeting]:
    """The organisation's meetings, newest first, of one kind when asked."""
    rows = Meeting.objects.filter(organisation__in=visible_organisations(actor), organisation=organisation)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-held_on", "-id")


def meeting_get(*, actor: Actor, meeting_id: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.filter(organisation__in=visible_organisations(actor)).select_related("organisation__parent"),
        pk=meeting_id,
    )


def meeting_attendance(*, meeting: Meeting) -> list[Attendance]:
    """Present first, then absent; by name within each."""
    return list(
        meeting.attendances.select_related("member__person").order_by(
            "-is_present", "member__person__name_pinyin", "id"
        )
    )


def meeting_photos(*, meeting: Meeting) -> list[MeetingPhoto]:
    return list(meeting.photos.all())


def meeting_photo_get(*, actor: Actor, photo_id: int) -> MeetingPhoto:
    return get_object_or_404(
        MeetingPhoto.objects.filter(meeting__organisation__in=visible_organisations(actor)), pk=photo_id
    )


# --- the compliance table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """One period of a cadence in a year: a month, a quarter or the year."""

    label: str | Promise
    starts_on: dt.date
    ends_on: dt.date

    @property
    def full_label(self) -> str:
        if self.starts_on.month == 1 and self.ends_on.month == 12:
            return _("%(y)d年") % {"y": self.starts_on.year}
        return f"{self.starts_on.year}{_('年')}{self.label}"


def periods(*, period: str, year: int) -> list[Span]:
    if period == Period.MONTH:
        return [Span(_("%(m)d月") % {"m": m}, dt.date(year, m, 1), _month_end(year, m)) for m in range(1, 13)]
    if period == Period.QUARTER:
        return [Span(QUARTER_LABELS[q], dt.date(year, 3 * q + 1, 1), _month_end(year, 3 * q + 3)) for q in range(4)]
    return [Span(_("全年"), dt.date(year, 1, 1), dt.date(year, 12, 31))]


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return following - dt.timedelta(days=1)


@dataclass
class Cell:
    span: Span
    status: str  # a Compliance value
    held: int = 0  # meetings of the kind in the period that count (with quorum where it is needed)
    unquorate: int = 0  # meetings held without the quorum they need: not counted
    before_founding: bool = False

    @property
    def label(self) -> str:
        if self.before_founding:
            return _("未成立")
        if self.status != Compliance.DONE and self.unquorate:
            return _("未过半")
        return str(Compliance(self.status).label)

    @property
    def css(self) -> str:
        if self.before_founding:
            return "cmp-none"
        css = f"cmp-{self.status.replace('_', '-')}"
        return f"{css} cmp-unquorate" if self.status != Compliance.DONE and self.unquorate else css


@dataclass
class ComplianceRow:
    kind: str
    period: str
    cells: list[Cell]

    @property
    def label(self) -> str:
        return _kind_label(self.kind)

    @property
    def period_label(self) -> str:
        return str(Period(self.period).label)


@dataclass
class ComplianceTable:
    organisation: Organisation
    year: int
    rows: list[ComplianceRow]
    counts: dict[str, int] = field(default_factory=dict)

    def of_period(self, period: str) -> list[ComplianceRow]:
        return [r for r in self.rows if r.period == period]

    @property
    def monthly(self) -> list[ComplianceRow]:
        return self.of_period(Period.MONTH)

    @property
    def quarterly(self) -> list[ComplianceRow]:
        return self.of_period(Period.QUARTER)

    @property
    def yearly(self) -> list[ComplianceRow]:
        return self.of_period(Period.YEAR)


# (kind, held_on, counts) for the meetings of one organisation in a year; counts: met the quorum or needs none.
Held = tuple[str, dt.date, bool]


def _cells(
    *, kind: str, year: int, on: dt.date, founded_on: dt.date | None, held: Sequence[tuple[dt.date, bool]]
) -> ComplianceRow:
    period = CADENCE[kind]
    cells = []
    for span in periods(period=period, year=year):
        inside = [counts for day, counts in held if span.starts_on <= day <= span.ends_on]
        done, unquorate = sum(1 for c in inside if c), sum(1 for c in inside if not c)
        if done:
            status = Compliance.DONE
        elif span.starts_on > on:
            status = Compliance.NOT_YET
        elif span.ends_on >= on:
            status = Compliance.DUE
        else:
            status = Compliance.OVERDUE
        before = founded_on is not None and span.ends_on < founded_on and not done
        cells.append(Cell(span, Compliance.NOT_YET if before else status, done, unquorate, before))
    return ComplianceRow(kind, period, cells)


def _table(
    *, organisation: Organisation, kinds: list[str], year: int, on: dt.date, held: Iterable[Held]
) -> ComplianceTable:
    by_kind: dict[str, list[tuple[dt.date, bool]]] = defaultdict(list)
    for kind, day, counted in held:
        by_kind[kind].append((day, counted))
    rows = [
        _cells(kind=k, year=year, on=on, founded_on=organisation.founded_on, held=by_kind.get(k, [])) for k in kinds
    ]
    counts: dict[str, int] = dict.fromkeys(Compliance.values, 0)
    for row in rows:
        for cell in row.cells:
            if not cell.before_founding:
                counts[cell.status] += 1
    return ComplianceTable(organisation, year, rows, counts)


def _held(org_ids: list[int], year: int) -> dict[int, list[Held]]:
    """The meetings of these organisations in the year, with whether each counts: one query."""
    result: dict[int, list[Held]] = defaultdict(list)
    rows = Meeting.objects.filter(
        organisation_id__in=org_ids, held_on__gte=dt.date(year, 1, 1), held_on__lte=dt.date(year, 12, 31)
    ).values_list("organisation_id", "kind", "held_on", "entitled", "present")
    for org_id, kind, day, entitled, present in rows:
        result[org_id].append((kind, day, kind not in QUORUM_KINDS or present * 2 > entitled))
    return result


def compliance_table(*, organisation: Organisation, year: int, on: dt.date) -> ComplianceTable:
    """Per kind the organisation holds, per period of its cadence in ``year``: done, due, overdue or not yet."""
    return _table(
        organisation=organisation,
        kinds=meeting_kinds(organisation=organisation),
        year=year,
        on=on,
        held=_held([organisation.pk], year).get(organisation.pk, []),
    )


def _tables(*, organisations: list[Organisation], year: int, on: dt.date) -> dict[int, ComplianceTable]:
    """The tables of many organisations in a fixed number of queries (the overview, the cockpit)."""
    ids = [o.pk for o in organisations]
    counts = member_counts(ids)
    held = _held(ids, year)
    tables = {}
    for org in organisations:
        full = counts.get(org.pk)
        kinds = _kinds_of(org, full.full if full is not None else 0)
        tables[org.pk] = _table(organisation=org, kinds=kinds, year=year, on=on, held=held.get(org.pk, []))
    return tables


def _meeting_organisations(actor: Actor) -> list[Organisation]:
    return list(
        visible_organisations(actor)
        .filter(is_active=True, kind__in=list(MEETING_KINDS))
        .select_related("parent")
        .order_by("name", "id")
    )


@dataclass(frozen=True)
class Overdue:
    organisation: Organisation
    kind: str
    period: str  # e.g. 2026年3月

    @property
    def kind_label(self) -> str:
        return _kind_label(self.kind)


def compliance_overdue(*, actor: Actor, on: dt.date) -> list[Overdue]:
    """What is overdue this year in the organisations the actor sees (for the cockpit)."""
    orgs = _meeting_organisations(actor)
    tables = _tables(organisations=orgs, year=on.year, on=on)
    return [
        Overdue(org, row.kind, cell.span.full_label)
        for org in orgs
        for row in tables[org.pk].rows
        for cell in row.cells
        if cell.status == Compliance.OVERDUE
    ]


@dataclass
class OverviewRow:
    organisation: Organisation
    table: ComplianceTable
    groups: int = 0
    groups_overdue: int = 0

    @property
    def overdue(self) -> int:
        return self.table.counts.get(Compliance.OVERDUE, 0)

    @property
    def done(self) -> int:
        return self.table.counts.get(Compliance.DONE, 0)

    @property
    def due(self) -> int:
        return self.table.counts.get(Compliance.DUE, 0)


def compliance_overview(*, actor: Actor, on: dt.date) -> list[OverviewRow]:
    """Each branch the actor sees with what is overdue this year, its groups' 党小组会 counted on it; most
    overdue first."""
    orgs = _meeting_organisations(actor)
    tables = _tables(organisations=orgs, year=on.year, on=on)
    rows = {o.pk: OverviewRow(o, tables[o.pk]) for o in orgs if o.kind != OrgKind.GROUP}
    for org in orgs:
        parent = rows.get(org.parent_id) if org.parent_id is not None else None
        if org.pk not in rows and parent is not None:
            parent.groups += 1
            parent.groups_overdue += tables[org.pk].counts.get(Compliance.OVERDUE, 0)
    return sorted(
        rows.values(), key=lambda r: (-(r.overdue + r.groups_overdue), r.organisation.name, r.organisation.pk)
    )
