from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.http import ActorRequest
from gongzhi.registry import selectors, services
from gongzhi.registry.forms import (
    ExportForm,
    HouseholdRegisterForm,
    MemberRegisterForm,
    MoveHouseForm,
    MoveInForm,
    MoveOutForm,
    PersonFilterForm,
    RevealForm,
)
from gongzhi.registry.models import Household, Person
from gongzhi.registry.permissions import (
    can_edit_household,
    can_edit_person,
    can_export_unmasked,
    can_import_registry,
    can_reveal_person,
)
from gongzhi.territory import selectors as territory_selectors
from gongzhi.territory.choices import NodeKind


@login_required
def person_list(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    form = PersonFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    node = territory_selectors.node_get(actor=actor, node_id=filters["node"]) if filters.get("node") else None
    grid = territory_selectors.grid_get(actor=actor, grid_id=filters["grid"]) if filters.get("grid") else None
    people = selectors.person_list(
        actor=actor,
        search=filters.get("q") or "",
        node=node,
        grid_id=grid.pk if grid else None,
        care_tag_id=filters["care_tag"].pk if filters.get("care_tag") else None,
    )
    page = Paginator(people, settings.GONGZHI_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = territory_selectors.place_labels(paths=[p.org_path for p in page])
    return render(
        request,
        "registry/person_list.html",
        {
            "form": form,
            "page_obj": page,
            "node": node,
            "grid": grid,
            "labels": labels,
            "grid_choices": territory_selectors.grid_list(actor=actor)[:300],
            "compound_choices": territory_selectors.node_list(actor=actor, kinds=[NodeKind.COMPOUND]),
            "can_import": can_import_registry(actor),
            "can_export_unmasked": can_export_unmasked(actor),
            "export_form": ExportForm(),
        },
    )


@login_required
def person_detail(request: ActorRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(actor=request.actor, person_id=person_id)
    return _render_person(request, person, RevealForm())


def _render_person(
    request: ActorRequest, person: Person, form: RevealForm, revealed: dict[str, str] | None = None
) -> HttpResponse:
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "labels": territory_selectors.place_labels(paths=[person.org_path]),
            "can_reveal": can_reveal_person(request.actor, person),
            "can_edit": can_edit_person(request.actor, person),
            "move_out_form": MoveOutForm(),
            "reveal_form": form,
            "revealed": revealed or {},
        },
    )


@login_required
@require_POST
def person_reveal(request: ActorRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(actor=request.actor, person_id=person_id)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _render_person(request, person, form)
    try:
        revealed = services.person_reveal(
            actor=request.actor, person=person, fields=form.cleaned_data["values"], reason=form.cleaned_data["reason"]
        )
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _render_person(request, person, form)
    return _render_person(request, person, RevealForm(), revealed)


@login_required
def household_detail(request: ActorRequest, household_id: int) -> HttpResponse:
    household = selectors.household_get(actor=request.actor, household_id=household_id)
    return _household_page(request, household)


@login_required
def dwelling_detail(request: ActorRequest, dwelling_id: int) -> HttpResponse:
    actor = request.actor
    dwelling = selectors.dwelling_get(actor=actor, dwelling_id=dwelling_id)
    return render(
        request,
        "registry/dwelling_detail.html",
        {
            "dwelling": dwelling,
            "households": selectors.dwelling_households(actor=actor, dwelling=dwelling),
            "labels": territory_selectors.place_labels(paths=[dwelling.org_path]),
        },
    )


def _household_page(request: ActorRequest, household: Household, **forms: object) -> HttpResponse:
    residences = selectors.household_residences(household=household)
    context = {
        "household": household,
        "labels": territory_selectors.place_labels(paths=[r.dwelling.org_path for r in residences]),
        "memberships": selectors.household_memberships(household=household),
        "residences": residences,
        "can_edit": can_edit_household(request.actor, household),
        "member_form": forms.get("member_form") or MemberRegisterForm(),
        "move_in_form": forms.get("move_in_form") or MoveInForm(),
        "move_house_form": forms.get("move_house_form") or MoveHouseForm(),
    }
    return render(request, "registry/household_detail.html", context)


def _form_error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
@require_POST
def household_member_add(request: ActorRequest, household_id: int) -> HttpResponse:
    household = selectors.household_get(actor=request.actor, household_id=household_id)
    form = MemberRegisterForm(request.POST)
    if form.is_valid():
        try:
            services.person_register(
                actor=request.actor,
                data=form.person_data(),
                household=household,
                relation=form.cleaned_data["relation"],
                joined_on=form.cleaned_data["joined_on"],
            )
        except NotAllowed as exc:
            return HttpResponseForbidden(exc.message)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已登记新成员。"))
            return redirect("registry:household-detail", household_id=household.pk)
    return _household_page(request, household, member_form=form)


@login_required
@require_POST
def household_move_in(request: ActorRequest, household_id: int) -> HttpResponse:
    household = selectors.household_get(actor=request.actor, household_id=household_id)
    form = MoveInForm(request.POST)
    if form.is_valid():
        person = selectors.person_by_document(number=form.cleaned_data["id_number"])
        if person is None:
            form.add_error("id_number", _("没有找到该证件号码的登记人员。新来的人请用“登记新成员”。"))
        else:
            try:
                services.person_move_in(
                    actor=request.actor,
                    person=person,
                    household=household,
                    relation=form.cleaned_data["relation"],
                    moved_on=form.cleaned_data["moved_on"],
                )
            except NotAllowed as exc:
                return HttpResponseForbidden(exc.message)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("已迁入本户。"))
                return redirect("registry:household-detail", household_id=household.pk)
    return _household_page(request, household, move_in_form=form)


@login_required
@require_POST
def household_move_house(request: ActorRequest, household_id: int) -> HttpResponse:
    household = selectors.household_get(actor=request.actor, household_id=household_id)
    form = MoveHouseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        dwelling = selectors.dwelling_find(
            actor=request.actor,
            compound=data["compound"],
            building=data["building"],
            unit=data["unit"],
            room=data["room"],
        )
        if dwelling is None:
            form.add_error("room", _("找不到该房屋（或不在您的管辖范围内），请核对小区、楼栋、单元和房号。"))
        else:
            try:
                services.household_move(
                    actor=request.actor, household=household, dwelling=dwelling, moved_on=data["moved_on"]
                )
            except NotAllowed as exc:
                return HttpResponseForbidden(exc.message)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("已办理搬家。"))
                return redirect("registry:household-detail", household_id=household.pk)
    return _household_page(request, household, move_house_form=form)


@login_required
@require_POST
def person_move_out(request: ActorRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(actor=request.actor, person_id=person_id)
    form = MoveOutForm(request.POST)
    household_id = person.household_id
    if form.is_valid():
        try:
            services.person_move_out(
                actor=request.actor,
                person=person,
                moved_on=form.cleaned_data["moved_on"],
                reason=form.cleaned_data["reason"],
                deceased=form.cleaned_data["deceased"],
            )
        except NotAllowed as exc:
            return HttpResponseForbidden(exc.message)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已办理迁出。"))
            if household_id:
                return redirect("registry:household-detail", household_id=household_id)
    return redirect("registry:person-detail", person_id=person.pk)


@login_required
def household_register(request: ActorRequest, dwelling_id: int) -> HttpResponse:
    dwelling = selectors.dwelling_get(actor=request.actor, dwelling_id=dwelling_id)
    form = HouseholdRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_register(
                actor=request.actor,
                dwelling=dwelling,
                head=form.person_data(),
                moved_in_on=form.cleaned_data["moved_in_on"],
            )
        except NotAllowed as exc:
            return HttpResponseForbidden(exc.message)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已登记新户。"))
            return redirect("registry:household-detail", household_id=household.pk)
    labels = territory_selectors.place_labels(paths=[dwelling.org_path])
    return render(request, "registry/household_register.html", {"dwelling": dwelling, "form": form, "labels": labels})
