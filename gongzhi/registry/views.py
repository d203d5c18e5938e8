from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.views.decorators.http import require_POST

from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.http import ActorRequest
from gongzhi.registry import selectors, services
from gongzhi.registry.forms import ExportForm, PersonFilterForm, RevealForm
from gongzhi.registry.models import Person
from gongzhi.registry.permissions import can_export_unmasked, can_import_registry, can_reveal_person
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
    residences = selectors.household_residences(household=household)
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "labels": territory_selectors.place_labels(paths=[r.dwelling.org_path for r in residences]),
            "memberships": selectors.household_memberships(household=household),
            "residences": residences,
        },
    )


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
