"""Pages of 三会一课: an organisation's meetings, recording and correcting one, a meeting's page with its
quorum and attendance, the compliance table per year, and the subdistrict's overview for the officer.
Attendee names are party-member data: every page or form showing them writes an access-log row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseForbidden
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.http import ActorRequest, add_domain_error
from gongzhi.core.photos import photos_clean
from gongzhi.party import meetings, selectors
from gongzhi.party.choices import QUORUM_KINDS, Compliance, MeetingKind
from gongzhi.party.forms_meetings import MeetingForm, YearForm, attendance_from
from gongzhi.party.models import Attendance, Member, Organisation
from gongzhi.party.permissions import is_officer, may_keep
from gongzhi.party.views import _party_only


@dataclass
class Attendee:
    """One line of the attendance checkboxes: ticked or not, and the reason typed when absent."""

    member: Member
    checked: bool
    reason: str


def _attendees(members: list[Member], present: list[int], reasons: dict[int, str]) -> list[Attendee]:
    ticked = set(present)
    return [Attendee(m, m.pk in ticked, reasons.get(m.pk, "")) for m in members]


def _kind_choices(kinds: list[str]) -> list[tuple[str, str]]:
    return [(k, str(MeetingKind(k).label)) for k in kinds]


@login_required
def meeting_list(request: ActorRequest, organisation_id: int) -> HttpResponse:
    _party_only(request)
    actor = request.actor
    organisation = selectors.organisation_get(actor=actor, organisation_id=organisation_id)
    kinds = meetings.meeting_kinds(organisation=organisation)
    kind = request.GET.get("kind", "")
    if kind not in MeetingKind.values:
        kind = ""
    page = Paginator(
        meetings.meeting_list(actor=actor, organisation=organisation, kind=kind), settings.GONGZHI_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "party/meeting_list.html",
        {
            "organisation": organisation,
            "page_obj": page,
            "meetings": list(page),
            "kinds": _kind_choices(kinds),
            "kind": kind,
            "keeps": may_keep(actor, organisation) and bool(kinds),
            "quorum_kinds": QUORUM_KINDS,
        },
    )


def _form_page(
    request: ActorRequest,
    *,
    organisation: Organisation,
    form: MeetingForm,
    kind: str,
    attendees: list[Attendee],
    kinds: list[str],
    meeting: Any = None,
) -> HttpResponse:
    # The names of those entitled are shown to tick: a reveal of member data, logged.
    meetings.attendance_reveal(
        actor=request.actor, organisation=organisation, row_count=len(attendees), meeting=meeting
    )
    return render(
        request,
        "party/meeting_form.html",
        {
            "organisation": organisation,
            "form": form,
            "kind": kind,
            "kind_label": MeetingKind(kind).label,
            "kinds": _kind_choices(kinds),
            "attendees": attendees,
            "needs_quorum": kind in QUORUM_KINDS,
            "meeting": meeting,
        },
    )


@login_required
def meeting_new(request: ActorRequest, organisation_id: int) -> HttpResponseBase:
    _party_only(request)
    actor = request.actor
    organisation = selectors.organisation_get(actor=actor, organisation_id=organisation_id)
    kinds = meetings.meeting_kinds(organisation=organisation)
    if not may_keep(actor, organisation) or not kinds:
        raise Http404
    # The kind decides who is entitled, so it is chosen first (a link per kind) and kept in the address.
    kind = request.GET.get("kind", "")
    if kind not in kinds:
        kind = kinds[0]
    today = timezone.localdate()
    posted = request.method == "POST"
    form = MeetingForm(request.POST if posted else None, request.FILES or None, kind=kind, initial={"held_on": today})
    present, reasons = attendance_from(request.POST) if posted else ([], {})
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = meetings.meeting_record(
                actor=actor,
                organisation=organisation,
                kind=kind,
                held_on=data["held_on"],
                topic=data["topic"],
                place=data["place"],
                lecturer=data.get("lecturer", ""),
                minutes=data["minutes"],
                present_member_ids=present,
                absence_reasons=reasons,
                photos=photos_clean(data["photos"]),
            )
        except NotAllowed as exc:
            return HttpResponseForbidden(exc.message)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("已登记%(kind)s：应到%(n)d人，实到%(m)d人。")
                % {"kind": MeetingKind(kind).label, "n": meeting.entitled, "m": meeting.present},
            )
            return redirect("party:meeting-detail", meeting_id=meeting.pk)
    entitled = meetings.entitled_members(organisation=organisation, kind=kind, on=today)
    return _form_page(
        request,
        organisation=organisation,
        form=form,
        kind=kind,
        attendees=_attendees(entitled, present, reasons),
        kinds=kinds,
    )


@login_required
def meeting_detail(request: ActorRequest, meeting_id: int) -> HttpResponse:
    _party_only(request)
    actor = request.actor
    meeting = meetings.meeting_get(actor=actor, meeting_id=meeting_id)
    attendance = meetings.meeting_attendance(meeting=meeting)
    meetings.attendance_reveal(
        actor=actor, organisation=meeting.organisation, row_count=len(attendance), meeting=meeting
    )
    present: list[Attendance] = [a for a in attendance if a.is_present]
    return render(
        request,
        "party/meeting_detail.html",
        {
            "meeting": meeting,
            "organisation": meeting.organisation,
            "present": present,
            "absent": [a for a in attendance if not a.is_present],
            "photos": meetings.meeting_photos(meeting=meeting),
            "needs_quorum": meeting.kind in QUORUM_KINDS,
            "may_correct": meetings.may_correct(actor=actor, meeting=meeting),
            "correction_days": meetings.CORRECTION_DAYS,
        },
    )


@login_required
def meeting_edit(request: ActorRequest, meeting_id: int) -> HttpResponseBase:
    _party_only(request)
    actor = request.actor
    meeting = meetings.meeting_get(actor=actor, meeting_id=meeting_id)
    organisation = meeting.organisation
    if not may_keep(actor, organisation):
        raise Http404
    if not meetings.may_correct(actor=actor, meeting=meeting):
        messages.error(request, _("会议登记已超过%(n)d天，不能再更正。") % {"n": meetings.CORRECTION_DAYS})
        return redirect("party:meeting-detail", meeting_id=meeting.pk)
    attendance = meetings.meeting_attendance(meeting=meeting)
    posted = request.method == "POST"
    form = MeetingForm(
        request.POST if posted else None,
        kind=meeting.kind,
        correcting=True,
        initial={
            "topic": meeting.topic,
            "place": meeting.place,
            "lecturer": meeting.lecturer,
            "minutes": meeting.minutes,
        },
    )
    if posted:
        present, reasons = attendance_from(request.POST)
    else:
        present = [a.member_id for a in attendance if a.is_present]
        reasons = {a.member_id: a.absence_reason for a in attendance if a.absence_reason}
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            meetings.meeting_correct(
                actor=actor,
                meeting=meeting,
                topic=data["topic"],
                place=data["place"],
                lecturer=data.get("lecturer", ""),
                minutes=data["minutes"],
                present_member_ids=present,
                absence_reasons=reasons,
            )
        except NotAllowed as exc:
            return HttpResponseForbidden(exc.message)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已更正。"))
            return redirect("party:meeting-detail", meeting_id=meeting.pk)
    return _form_page(
        request,
        organisation=organisation,
        form=form,
        kind=meeting.kind,
        attendees=_attendees([a.member for a in attendance], present, reasons),
        kinds=[],
        meeting=meeting,
    )


@login_required
def meeting_photo(request: ActorRequest, meeting_photo_id: int) -> HttpResponseBase:
    _party_only(request)
    photo = meetings.meeting_photo_get(actor=request.actor, photo_id=meeting_photo_id)
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")


def _legend() -> list[tuple[str, str, str]]:
    """The colours of the compliance table, each with what it means (read at request time: translated)."""
    return [
        ("cmp-done", str(Compliance.DONE.label), _("本期已召开")),
        ("cmp-due", str(Compliance.DUE.label), _("本期尚未召开")),
        ("cmp-overdue", str(Compliance.OVERDUE.label), _("期满未召开")),
        ("cmp-not-yet", str(Compliance.NOT_YET.label), _("尚未到期")),
        ("cmp-unquorate", _("未过半"), _("党员大会、支委会实到未过半数，不计为已召开")),
        ("cmp-none", _("未成立"), _("本组织成立前，无需召开")),
    ]


@login_required
def compliance(request: ActorRequest, organisation_id: int) -> HttpResponse:
    _party_only(request)
    actor = request.actor
    organisation = selectors.organisation_get(actor=actor, organisation_id=organisation_id)
    today = timezone.localdate()
    form = YearForm(request.GET)
    year = (form.cleaned_data["year"] if form.is_valid() else None) or today.year
    return render(
        request,
        "party/meeting_compliance.html",
        {
            "organisation": organisation,
            "table": meetings.compliance_table(organisation=organisation, year=year, on=today),
            "year": year,
            "previous": year - 1,
            "following": year + 1 if year < today.year else None,
            "legend": _legend(),
            "today": today,
        },
    )


@login_required
def compliance_overview(request: ActorRequest) -> HttpResponse:
    _party_only(request)
    actor = request.actor
    if not is_officer(actor):
        raise Http404
    today = timezone.localdate()
    rows = meetings.compliance_overview(actor=actor, on=today)
    return render(
        request,
        "party/meeting_overview.html",
        {
            "rows": rows,
            "year": today.year,
            "today": today,
            "behind": sum(1 for r in rows if r.overdue or r.groups_overdue),
        },
    )
