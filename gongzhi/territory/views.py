from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from gongzhi.core.badges import household_badges
from gongzhi.core.http import ActorRequest
from gongzhi.registry import selectors as registry_selectors
from gongzhi.territory import selectors
from gongzhi.territory.choices import NodeKind


@login_required
def browse(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    return render(
        request,
        "territory/browse.html",
        {"nodes": selectors.node_top_list(actor=actor), "grids": selectors.grid_list(actor=actor)[:200]},
    )


@login_required
def node_detail(request: ActorRequest, node_id: int) -> HttpResponse:
    actor = request.actor
    node = selectors.node_get(actor=actor, node_id=node_id)
    ancestors = selectors.node_ancestors(node=node)
    context = {
        "node": node,
        "ancestors": ancestors,
        "linkable": selectors.node_visible_ids(actor=actor, nodes=ancestors),
        "children": selectors.node_children(actor=actor, node=node),
    }
    if node.kind == NodeKind.COMMUNITY:
        context["grids"] = selectors.grid_list(actor=actor, community=node)
    if node.kind == NodeKind.UNIT:
        dwellings = list(registry_selectors.dwelling_list(actor=actor, unit=node))
        context["dwellings"] = dwellings
        # 党员户 and the like, lent by apps above (core.badges): one lookup for the page.
        context["household_badges"] = household_badges(h.pk for d in dwellings for h in d.households.all())
    return render(request, "territory/node_detail.html", context)


@login_required
def grid_list(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    search = request.GET.get("q", "").strip()
    page = Paginator(selectors.grid_list(actor=actor, search=search), settings.GONGZHI_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "territory/grid_list.html", {"page_obj": page, "q": search})


@login_required
def grid_detail(request: ActorRequest, grid_id: int) -> HttpResponse:
    actor = request.actor
    grid = selectors.grid_get(actor=actor, grid_id=grid_id)
    return render(
        request,
        "territory/grid_detail.html",
        {"grid": grid, "buildings": selectors.grid_buildings(actor=actor, grid=grid)},
    )
