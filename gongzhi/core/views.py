from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.http import ActorRequest, safe_next
from gongzhi.core.notifications import notification_list, notification_mark_read


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and the benchmark's bare endpoint."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok", "database": connection.vendor})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@login_required
def inbox(request: ActorRequest) -> HttpResponse:
    page = Paginator(notification_list(actor=request.actor), settings.GONGZHI_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "core/inbox.html", {"page_obj": page})


@login_required
@require_POST
def inbox_read(request: ActorRequest, notification_id: int | None = None) -> HttpResponse:
    notification_mark_read(actor=request.actor, notification_id=notification_id)
    return redirect(safe_next(request, reverse("core:inbox")))
