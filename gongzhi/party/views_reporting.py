"""双报到 pages: the member's own (/party/me/: slip, card, needs, activities) and the keepers' (the register,
a slip with its decisions, the needs list, work units and their quarterly feedback). Out of scope is 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.forms import cleaned_or_error
from gongzhi.core.http import ActorRequest, action_attempt, add_domain_error
from gongzhi.party import exports_reporting, reporting, selectors, serving
from gongzhi.party.choices import RegistrationStatus
from gongzhi.party.forms_reporting import (
    AcceptForm,
    AppraisalForm,
    DeclineForm,
    EndForm,
    NeedForm,
    PersonPickForm,
    PlaceForm,
    RegisterFilterForm,
    ServiceActivityForm,
    SlipForm,
)
from gongzhi.party.models import Registration
from gongzhi.party.permissions import may_keep, sees_party
from gongzhi.registry.models import Person
from gongzhi.volunteering.hours import hours_text
from gongzhi.volunteering.services import ActivityData


def _keepers_only(request: ActorRequest) -> None:
    if not sees_party(request.actor):
        raise Http404


# --- the member's own pages ----------------------------------------------------------------------------


@login_required
def me(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    if actor.person_id is None:
        return render(request, "party/report_me.html", {"no_person": True})
    registrations = reporting.own_registrations(actor=actor)
    current = reporting.current_registration(registrations)
    context: dict[str, Any] = {"registrations": registrations, "current": current}
    if current is not None:
        names = reporting.ancestor_names([current.residence])
        context["residence"] = reporting.residence_label(current.residence, names)
    if current is not None and current.status == RegistrationStatus.ACCEPTED and current.member is not None:
        card = serving.service_card(member=current.member)
        context.update(
            card=card,
            total_hours=hours_text(card.total_minutes),
            rows=[(row, hours_text(row.minutes)) for row in card.rows],
            needs=reporting.open_needs_of(actor=actor, registration=current),
            activities=reporting.open_party_activities(organisation_id=current.organisation_id),
        )
    return render(request, "party/report_me.html", context)


def _slip_form(person: Person, data: Any = None) -> tuple[SlipForm, Any]:
    buildings = reporting.residence_buildings(person=person)
    organisation = reporting.residence_organisation(building=buildings[0]) if buildings else None
    form = SlipForm(
        data,
        buildings=reporting.building_choices(buildings),
        initial={"residence": buildings[0].pk if buildings else None, "member_kind": "full"},
    )
    return form, organisation


def _submit(request: ActorRequest, person: Person, form: SlipForm) -> Registration | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    buildings = {b.pk: b for b in reporting.residence_buildings(person=person)}
    try:
        return reporting.registration_submit(
            actor=request.actor,
            person=person,
            data=reporting.SlipData(
                work_unit_name=data["work_unit_name"],
                post=data["post"],
                holding_organisation=data["holding_organisation"],
                member_kind=data["member_kind"],
                joined_on=data["joined_on"],
                residence=buildings[data["residence"]],
                skills=data["skills"],
                service_posts=data["service_posts"],
            ),
        )
    except DomainError as exc:
        add_domain_error(form, exc)
    except NotAllowed as exc:
        form.add_error(None, exc.message)
    return None


@login_required
def slip_submit(request: ActorRequest) -> HttpResponseBase:
    """The member's own 报到单."""
    actor = request.actor
    if actor.person_id is None:
        return render(request, "party/report_me.html", {"no_person": True})
    person = reporting.slip_person_get(actor=actor, person_id=actor.person_id)
    form, organisation = _slip_form(person, request.POST if request.method == "POST" else None)
    if request.method == "POST" and (registration := _submit(request, person, form)):
        messages.success(request, _("报到单已提交至%(o)s，待确认。") % {"o": registration.organisation.name})
        return redirect("party:me")
    return render(
        request,
        "party/report_slip_form.html",
        {
            "form": form,
            "person": person,
            "organisation": organisation,
            "units": reporting.work_unit_names(organisation=organisation),
            "own": True,
        },
    )


@login_required
@require_POST
def slip_withdraw(request: ActorRequest, registration_id: int) -> HttpResponseBase:
    actor = request.actor
    registration = reporting.registration_get(actor=actor, registration_id=registration_id)
    if not reporting.is_own(actor, registration):
        raise Http404
    try:
        reporting.registration_withdraw(actor=actor, registration=registration)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤回报到单。"))
    return redirect("party:me")


@login_required
@require_POST
def need_claim(request: ActorRequest, need_id: int) -> HttpResponseBase:
    actor = request.actor
    need = reporting.need_get(actor=actor, need_id=need_id)
    try:
        reporting.need_claim(actor=actor, need=need)
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已认领“%(t)s”，社区党组织会与您联系。") % {"t": need.title})
    return redirect("party:me")


# --- the keepers' register --------------------------------------------------------------------------------


@login_required
def register(request: ActorRequest) -> HttpResponse:
    _keepers_only(request)
    actor = request.actor
    form = RegisterFilterForm(request.GET or None)
    status, search = "", ""
    if form.is_valid():
        status, search = form.cleaned_data["status"], form.cleaned_data["q"]
    rows = reporting.registration_list(actor=actor, status=status, search=search)
    page = Paginator(rows, settings.GONGZHI_PAGE_SIZE).get_page(request.GET.get("page"))
    registrations = list(page)
    # Names of members: a page shown is a reveal, logged with its row count.
    reporting.registrations_reveal(
        actor=actor, organisation=None, row_count=len(registrations), reason=_("查看双报到登记")
    )
    names = reporting.ancestor_names([r.residence for r in registrations])
    for r in registrations:
        r.residence_text = reporting.residence_label(r.residence, names)  # type: ignore[attr-defined]
    today = timezone.localdate()
    return render(
        request,
        "party/report_register.html",
        {
            "form": form,
            "page_obj": page,
            "registrations": registrations,
            "status": status,
            "q": search,
            "figures": reporting.reporting_figures(actor=actor, year=today.year),
            "organisations": reporting.reporting_organisations(actor=actor),
        },
    )


@login_required
def register_export(request: ActorRequest) -> HttpResponseBase:
    _keepers_only(request)
    actor = request.actor
    form = RegisterFilterForm(request.GET or None)
    status, search = ("", "") if not form.is_valid() else (form.cleaned_data["status"], form.cleaned_data["q"])
    rows = list(reporting.registration_list(actor=actor, status=status, search=search))
    return exports_reporting.register_export(actor=actor, registrations=rows)


@login_required
def slip_enter(request: ActorRequest) -> HttpResponseBase:
    """A keeper enters a slip for a member: find the person, then the same form as the member's own."""
    _keepers_only(request)
    actor = request.actor
    person_id = request.GET.get("person") or request.POST.get("person")
    if not person_id:
        q = request.GET.get("q", "")
        people = reporting.slip_candidates(actor=actor, search=q)
        return render(
            request, "party/report_slip_pick.html", {"q": q, "form": PersonPickForm(people=people), "people": people}
        )
    person = reporting.slip_person_get(actor=actor, person_id=int(person_id) if person_id.isdigit() else 0)
    form, organisation = _slip_form(person, request.POST if request.method == "POST" else None)
    if request.method == "POST" and (registration := _submit(request, person, form)):
        messages.success(request, _("已为%(n)s登记报到单。") % {"n": person.name})
        return redirect("party:report-detail", registration_id=registration.pk)
    return render(
        request,
        "party/report_slip_form.html",
        {
            "form": form,
            "person": person,
            "organisation": organisation,
            "units": reporting.work_unit_names(organisation=organisation),
            "own": False,
        },
    )


@login_required
def registration_detail(request: ActorRequest, registration_id: int) -> HttpResponseBase:
    actor = request.actor
    registration = reporting.registration_get(actor=actor, registration_id=registration_id)
    keeps = may_keep(actor, registration.organisation)
    if not keeps:
        return redirect("party:me")
    names = reporting.ancestor_names([registration.residence])
    context: dict[str, Any] = {
        "r": registration,
        "residence": reporting.residence_label(registration.residence, names),
        "skills": reporting.choice_labels(registration.skills, "skills"),
        "posts": reporting.choice_labels(registration.service_posts, "service_posts"),
        "appraisals": reporting.appraisals_of(registration=registration),
        "receipt": reporting.receipt_number(registration),
        "today": timezone.localdate(),
    }
    if registration.status == RegistrationStatus.SUBMITTED:
        context.update(
            accept_form=AcceptForm(
                groups=reporting.group_choices(organisation=registration.organisation),
                initial={"group": reporting.group_of_residence(registration=registration)},
            ),
            decline_form=DeclineForm(),
        )
    if registration.status == RegistrationStatus.ACCEPTED:
        context.update(
            end_form=EndForm(initial={"on": timezone.localdate()}),
            appraisal_form=AppraisalForm(),
            has_account=registration.person.user_id is not None,
            may_place=reporting.may_place(actor, registration),
            place_form=PlaceForm(),
        )
    if registration.member is not None and registration.status != RegistrationStatus.DECLINED:
        card = serving.service_card(member=registration.member)
        reporting.registrations_reveal(
            actor=actor, organisation=registration.organisation, row_count=1, reason=_("查看服务登记卡")
        )
        context.update(
            card=card,
            total_hours=hours_text(card.total_minutes),
            rows=[(row, hours_text(row.minutes)) for row in card.rows],
        )
    return render(request, "party/report_detail.html", context)


@login_required
def slip_print(request: ActorRequest, registration_id: int) -> HttpResponseBase:
    """The printable slip with its receipt (回执), as PDF: the member's own, or any their keeper sees."""
    actor = request.actor
    registration = reporting.registration_get(actor=actor, registration_id=registration_id)
    if registration.status not in (RegistrationStatus.ACCEPTED, RegistrationStatus.ENDED):
        raise Http404
    return exports_reporting.slip_pdf(actor=actor, registration=registration)


def _registration_post(request: ActorRequest, registration_id: int, act: Any) -> HttpResponseBase:
    registration = reporting.registration_get(actor=request.actor, registration_id=registration_id)
    if not may_keep(request.actor, registration.organisation):
        raise Http404
    return action_attempt(request, lambda: act(registration)) or redirect(
        "party:report-detail", registration_id=registration.pk
    )


@login_required
@require_POST
def slip_accept(request: ActorRequest, registration_id: int) -> HttpResponseBase:
    actor = request.actor

    def act(registration: Registration) -> str:
        groups = reporting.group_choices(organisation=registration.organisation)
        data = cleaned_or_error(AcceptForm(request.POST, groups=groups))
        group = registration.organisation.children.filter(pk=data["group"]).first() if data["group"] else None
        accepted = reporting.registration_accept(actor=actor, registration=registration, group=group)
        return _("已确认报到，回执编号%(n)s。") % {"n": reporting.receipt_number(accepted)}

    return _registration_post(request, registration_id, act)


@login_required
@require_POST
def slip_decline(request: ActorRequest, registration_id: int) -> HttpResponseBase:
    actor = request.actor

    def act(registration: Registration) -> str:
        data = cleaned_or_error(DeclineForm(request.POST))
        reporting.registration_decline(actor=actor, registration=registration, reason=data["reason"])
        return _("已退回报到单。")

    return _registration_post(request, registration_id, act)


@login_required
@require_POST
def slip_end(request: ActorRequest, registration_id: int) -> HttpResponseBase:
    actor = request.actor

    def act(registration: Registration) -> str:
        data = cleaned_or_error(EndForm(request.POST))
        reporting.registration_end(actor=actor, registration=registration, on=data["on"])
        return _("已结束报到。")

    return _registration_post(request, registration_id, act)


@login_required
@require_POST
def slip_place(request: ActorRequest, registration_id: int) -> HttpResponseBase:
    actor = request.actor

    def act(registration: Registration) -> str:
        data = cleaned_or_error(PlaceForm(request.POST))
        reporting.registration_place(actor=actor, registration=registration, role=data["role"])
        return _("已安排职责。")

    return _registration_post(request, registration_id, act)


@login_required
@require_POST
def appraisal_record(request: ActorRequest, registration_id: int) -> HttpResponseBase:
    actor = request.actor

    def act(registration: Registration) -> str:
        data = cleaned_or_error(AppraisalForm(request.POST))
        reporting.appraisal_record(
            actor=actor,
            registration=registration,
            year=data["year"],
            result=data["result"],
            comment=data["comment"],
        )
        return _("已登记%(y)d年度评议。") % {"y": data["year"]}

    return _registration_post(request, registration_id, act)


# --- needs ----------------------------------------------------------------------------------------------


def _places(organisation: Any) -> list[tuple[int, str]]:
    return [(n.pk, f"{n.kind_label} · {n.name}") for n in reporting.need_places(organisation=organisation)]


@login_required
def needs(request: ActorRequest, organisation_id: int) -> HttpResponseBase:
    actor = request.actor
    organisation = selectors.organisation_get(actor=actor, organisation_id=organisation_id)
    keeps = may_keep(actor, organisation)
    form = NeedForm(request.POST if request.method == "POST" else None, places=_places(organisation))
    if request.method == "POST":
        if not keeps:
            return HttpResponseForbidden(_("只有本组织的书记或街道干部可以办理。"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                reporting.need_create(
                    actor=actor,
                    organisation=organisation,
                    category=data["category"],
                    title=data["title"],
                    description=data["description"],
                    node=reporting.node_get(data["node"]),
                    wanted=data["wanted"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("已发布需求。"))
                return redirect("party:report-needs", organisation_id=organisation.pk)
    rows = reporting.need_list(actor=actor, organisation=organisation)
    claims = reporting.claims_of(actor=actor, needs=rows)
    reporting.registrations_reveal(
        actor=actor,
        organisation=organisation,
        row_count=sum(len(c) for c in claims.values()),
        reason=_("查看需求认领"),
    )
    for need in rows:
        need.claim_rows = claims.get(need.pk, [])  # type: ignore[attr-defined]
    return render(
        request,
        "party/report_needs.html",
        {"organisation": organisation, "needs": rows, "form": form, "keeps": keeps},
    )


@login_required
@require_POST
def need_close(request: ActorRequest, need_id: int) -> HttpResponseBase:
    actor = request.actor
    need = reporting.need_get(actor=actor, need_id=need_id)
    try:
        reporting.need_close(actor=actor, need=need)
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已关闭需求。"))
    return redirect("party:report-needs", organisation_id=need.organisation_id)


@login_required
def need_activity(request: ActorRequest, need_id: int) -> HttpResponseBase:
    """Start a 党员服务 activity for a need: a volunteering activity tagged for the organisation."""
    actor = request.actor
    need = reporting.need_get(actor=actor, need_id=need_id)
    organisation = need.organisation
    if not may_keep(actor, organisation):
        raise Http404
    starts = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=3)
    form = ServiceActivityForm(
        request.POST if request.method == "POST" else None,
        places=_places(organisation),
        initial={
            "title": need.title,
            "service_content": need.get_category_display(),
            "node": need.node_id,
            "starts_at": starts,
            "ends_at": starts + dt.timedelta(hours=2),
            "slots": need.wanted,
            "description": need.description,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tag = serving.service_activity_create(
                actor=actor,
                organisation=organisation,
                need=need,
                data=ActivityData(
                    title=data["title"],
                    service_content=data["service_content"],
                    node=reporting.node_get(data["node"]),
                    place=data["place"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    slots=data["slots"],
                    description=data["description"],
                ),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        except NotAllowed as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已发布党员服务活动。"))
            return redirect("volunteering:activity-detail", activity_id=tag.activity_id)
    return render(request, "party/report_activity_form.html", {"form": form, "need": need})


# --- work units and the quarterly feedback ---------------------------------------------------------------


@login_required
def work_units(request: ActorRequest, organisation_id: int) -> HttpResponse:
    actor = request.actor
    organisation = selectors.organisation_get(actor=actor, organisation_id=organisation_id)
    if not may_keep(actor, organisation):
        raise Http404
    units = reporting.work_unit_list(actor=actor, organisation=organisation)
    sent = reporting.sent_quarters(work_units=units)
    quarters = reporting.recent_quarters(timezone.localdate())
    for unit in units:
        unit.quarters = [(y, q, (y, q) in sent.get(unit.pk, set())) for y, q in quarters]  # type: ignore[attr-defined]
    return render(
        request, "party/report_units.html", {"organisation": organisation, "units": units, "quarters": quarters}
    )


def _sheet(request: ActorRequest, work_unit_id: int, year: int, quarter: int) -> tuple[Any, Any]:
    actor = request.actor
    unit = reporting.work_unit_get(actor=actor, work_unit_id=work_unit_id)
    if not 1 <= quarter <= 4:
        raise Http404
    return unit, reporting.feedback_sheet(actor=actor, work_unit=unit, year=year, quarter=quarter)


@login_required
def feedback(request: ActorRequest, work_unit_id: int, year: int, quarter: int) -> HttpResponse:
    unit, sheet = _sheet(request, work_unit_id, year, quarter)
    reporting.registrations_reveal(
        actor=request.actor, organisation=unit.organisation, row_count=len(sheet.rows), reason=_("查看季度反馈")
    )
    return render(
        request,
        "party/report_feedback.html",
        {"unit": unit, "sheet": sheet, "total_hours": hours_text(sheet.total_minutes)},
    )


@login_required
def feedback_xlsx(request: ActorRequest, work_unit_id: int, year: int, quarter: int) -> HttpResponseBase:
    unit, sheet = _sheet(request, work_unit_id, year, quarter)
    return exports_reporting.feedback_xlsx(actor=request.actor, work_unit=unit, sheet=sheet)


@login_required
def feedback_pdf(request: ActorRequest, work_unit_id: int, year: int, quarter: int) -> HttpResponseBase:
    unit, sheet = _sheet(request, work_unit_id, year, quarter)
    return exports_reporting.feedback_pdf(actor=request.actor, work_unit=unit, sheet=sheet)


@login_required
@require_POST
def feedback_send(request: ActorRequest, work_unit_id: int, year: int, quarter: int) -> HttpResponseBase:
    actor = request.actor
    unit = reporting.work_unit_get(actor=actor, work_unit_id=work_unit_id)
    try:
        reporting.feedback_send(actor=actor, work_unit=unit, year=year, quarter=quarter)
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已记录本季度反馈。"))
    return redirect("party:report-feedback", work_unit_id=unit.pk, year=year, quarter=quarter)
