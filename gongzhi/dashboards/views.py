"""The cockpit pages: headline figures of a focus (a node or a grid) within the actor's scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gongzhi.core.http import ActorRequest
from gongzhi.dashboards import headline, selectors
from gongzhi.dashboards.permissions import can_view_cockpit
from gongzhi.dashboards.selectors import Focus


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def focus_of(request: ActorRequest) -> Focus:
    """The focus the query string names (?node= or ?grid=), checked against the actor's scope."""
    if not can_view_cockpit(request.actor):
        raise PermissionDenied
    return selectors.focus_for(
        actor=request.actor, node_id=_int(request.GET.get("node")), grid_id=_int(request.GET.get("grid"))
    )


@login_required
def cockpit(request: ActorRequest) -> HttpResponse:
    focus = focus_of(request)
    today = timezone.localdate()
    context = {
        "focus": focus,
        "today": today,
        "sections": headline.headline(actor=request.actor, focus=focus, today=today),
        "freshness": selectors.freshness(),
    }
    return render(request, "dashboards/cockpit.html", context)
