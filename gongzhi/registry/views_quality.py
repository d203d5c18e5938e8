"""数据质量 pages: counts per community, the list of one check, its Excel file, and the one-click fixes."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.http import ActorRequest, safe_next
from gongzhi.registry import quality, services
from gongzhi.registry.permissions import visible_dwellings, visible_households
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node
from gongzhi.territory.permissions import can_manage_territory, visible_grids


def _allowed(request: ActorRequest) -> None:
    if not quality.may_see_quality(request.actor):
        raise Http404


def _community(request: ActorRequest) -> Node | None:
    raw = request.GET.get("community", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    rows = {c.node.pk: c.node for c in quality.quality_counts(actor=request.actor)}
    node = rows.get(int(raw))
    if node is None:
        raise Http404
    return node


@login_required
def quality_page(request: ActorRequest) -> HttpResponse:
    _allowed(request)
    actor = request.actor
    key = request.GET.get("check", "")
    community = _community(request)
    if not key:
        counts = quality.quality_counts(actor=actor)
        if community is not None:
            counts = [c for c in counts if c.node.pk == community.pk]
        return render(
            request,
            "registry/quality.html",
            {
                "checks": quality.CHECKS,
                "counts": counts,
                "with_issues": [c for c in counts if c.total],
                "clean": [c for c in counts if not c.total],
                "community": community,
            },
        )
    check = quality.check_get(key)
    page = Paginator(
        quality.quality_rows(actor=actor, key=key, community=community), settings.GONGZHI_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    lines = quality.quality_lines(key=key, rows=list(page.object_list))
    return render(
        request,
        "registry/quality_list.html",
        {
            "check": check,
            "community": community,
            "page_obj": page,
            "lines": lines,
            "may_assign": can_manage_territory(actor, community) if key in ("buildings", "dwellings") else False,
            "here": request.get_full_path(),
        },
    )


@login_required
def quality_export(request: ActorRequest) -> HttpResponseBase:
    _allowed(request)
    key = request.GET.get("check", "")
    if key not in quality.CHECK_KEYS:
        raise Http404
    return quality.quality_export(actor=request.actor, key=key, community=_community(request))


def _back(request: ActorRequest) -> str:
    return safe_next(request, reverse("registry:quality"))


def _pk(request: ActorRequest, name: str) -> int:
    raw = request.POST.get(name, "")
    if not raw.isdigit():
        raise DomainError(_("请先选择。"), field=name)
    return int(raw)


@login_required
@require_POST
def quality_assign_grid(request: ActorRequest) -> HttpResponseBase:
    """划入网格: the building (of a building or a dwelling row) joins a grid of its community."""
    _allowed(request)
    actor = request.actor
    try:
        building_id, grid_id = _pk(request, "building"), _pk(request, "grid")
        building = get_object_or_404(Node, pk=building_id, kind=NodeKind.BUILDING)
        grid = get_object_or_404(visible_grids(actor), pk=grid_id)
        services.building_assign_grid(actor=actor, building=building, grid=grid)
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(b)s 已划入 %(g)s，楼内住户和人员随之归入该网格。") % {"b": building.name, "g": grid.name}
        )
    return redirect(_back(request))


@login_required
@require_POST
def quality_attach(request: ActorRequest) -> HttpResponseBase:
    """关联房屋: a household with no dwelling moves into the one chosen (a residence row, members follow)."""
    _allowed(request)
    actor = request.actor
    try:
        household_id, dwelling_id = _pk(request, "household"), _pk(request, "dwelling")
        household = get_object_or_404(visible_households(actor), pk=household_id)
        if household.dwelling_id is not None:
            raise DomainError(_("该户已关联房屋。"))
        dwelling = get_object_or_404(visible_dwellings(actor), pk=dwelling_id)
        services.household_move(actor=actor, household=household, dwelling=dwelling)
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("户号 %(n)s 已关联房屋。") % {"n": household.number})
    return redirect(_back(request))
