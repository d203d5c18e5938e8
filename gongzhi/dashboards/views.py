"""The cockpit pages: headline figures of a focus (a node or a grid) within the actor's scope, its grid map,
charts and overdue cases; the map's JSON (fetched by the page's script, a conditional GET); the big screen
and the JSON it refreshes from."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_safe

from gongzhi.cases import selectors as cases
from gongzhi.core.http import ActorRequest
from gongzhi.dashboards import board, caching, charts, maps, selectors
from gongzhi.dashboards.permissions import can_view_cockpit
from gongzhi.dashboards.selectors import Focus

OVERDUE_PAGE = 20


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def focus_of(request: ActorRequest) -> Focus:
    """The focus the query string names (?node= or ?grid=), checked against the actor's scope."""
    if not can_view_cockpit(request.actor):
        raise PermissionDenied
    return selectors.focus_for(
        actor=request.actor, node_id=_int(request.GET.get("node")), grid_id=_int(request.GET.get("grid"))
    )


def _overdue(request: ActorRequest, focus: Focus) -> Any:
    """The overdue cases of a grid or compound focus, a page at a time (None at wider foci)."""
    if focus.grid is not None:
        rows = cases.overdue_list(actor=request.actor, now=timezone.now(), grid_id=focus.grid.pk)
    elif focus.node is not None and focus.node.kind == "compound":
        rows = cases.overdue_list(actor=request.actor, now=timezone.now(), path=focus.node.path)
    else:
        return None
    return Paginator(rows, OVERDUE_PAGE).get_page(request.GET.get("op"))


def _figures(request: ActorRequest, focus: Focus, marks: tuple[Any, int]) -> dict[str, Any]:
    """The headline and the charts, built once per version of the aggregates and scope (caching.py)."""
    today = timezone.localdate()
    actor = request.actor
    campaign = _int(request.GET.get("campaign"))
    version = caching.figures_version(marks)
    return {
        "today": today,
        "sections": caching.cached(
            actor=actor,
            focus=focus,
            part="headline",
            today=today,
            version=version,
            build=lambda: board.headline_sections(actor=actor, focus=focus, today=today),
        ),
        "charts": caching.cached(
            actor=actor,
            focus=focus,
            part=f"charts:{campaign or ''}",
            today=today,
            version=version,
            build=lambda: charts.all_charts(actor=actor, focus=focus, today=today, campaign_id=campaign),
        ),
    }


@login_required
def cockpit(request: ActorRequest) -> HttpResponse:
    focus = focus_of(request)
    marks = selectors.source_marks()  # the freshness line's and the figures' version
    context = {
        "focus": focus,
        "layer": maps.layer_of(request.GET.get("layer")),
        "layers": maps.LAYERS,
        "overdue": _overdue(request, focus),
        "freshness": selectors.freshness(marks),
        "map": maps.table(actor=request.actor, focus=focus, today=timezone.localdate()),
        **_figures(request, focus, marks),
    }
    return render(request, "dashboards/cockpit.html", context)


MAP_MAX_AGE = 300


@login_required
@require_safe
def map_data(request: ActorRequest) -> HttpResponse:
    """The map of the focus as JSON: the grids' GeoJSON and every grid's layer values. Its ETag names the
    focus, the actor's grants and the figures' and grids' version, so that a request naming it is answered
    304 without building the map."""
    focus = focus_of(request)
    today = timezone.localdate()
    etag = maps.map_etag(actor=request.actor, focus=focus, today=today)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = JsonResponse(maps.grid_map(actor=request.actor, focus=focus, today=today))
    response["ETag"] = etag
    patch_cache_control(response, private=True, max_age=MAP_MAX_AGE)
    return response


SCREEN_CHARTS = ("cases_daily", "on_time")


@login_required
def screen(request: ActorRequest) -> HttpResponse:
    """The big screen (1920×1080): large tiles, the map and two charts, refreshed every minute."""
    focus = focus_of(request)
    marks = selectors.source_marks()
    figures = _figures(request, focus, marks)
    figures["charts"] = [c for c in figures["charts"] if c["key"] in SCREEN_CHARTS]
    context = {
        "focus": focus,
        "layer": maps.layer_of(request.GET.get("layer")),
        "layers": maps.LAYERS,
        "freshness": selectors.freshness(marks),
        "map": maps.screen_map(actor=request.actor, focus=focus),
        **figures,
    }
    return render(request, "dashboards/screen.html", context)


@login_required
def screen_data(request: ActorRequest) -> JsonResponse:
    """The big screen's figures as JSON (what its script fetches every minute): the map's values without its
    geometry (the screen fetched that once, from map_data)."""
    focus = focus_of(request)
    marks = selectors.source_marks()
    figures = _figures(request, focus, marks)
    refreshed = marks[0]
    return JsonResponse(
        {
            "focus": focus.label,
            "today": figures["today"].isoformat(),
            "refreshed_at": timezone.localtime(refreshed).strftime("%H:%M") if refreshed else "",
            "tiles": [
                {"key": t.key, "label": t.label, "value": t.value, "change": t.change, "tone": t.tone}
                for s in figures["sections"]
                for t in s.tiles
            ],
            "map": maps.grid_map(actor=request.actor, focus=focus, today=figures["today"], geometry=False),
            "charts": [c for c in figures["charts"] if c["key"] in SCREEN_CHARTS],
        }
    )
