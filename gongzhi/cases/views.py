from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.accounts.security import client_ip
from gongzhi.cases import permissions as perms
from gongzhi.cases import selectors, services
from gongzhi.cases.choices import ACTION_FIELDS, Action
from gongzhi.cases.forms import ActionForm, CalendarForm, KeyForm, ReportForm, category_choices
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.http import ActorRequest, add_domain_error
from gongzhi.core.ratelimit import limit_posts


def _page(request: ActorRequest, rows: Any) -> Any:
    return Paginator(rows, settings.GONGZHI_PAGE_SIZE).get_page(request.GET.get("page"))


def _render(request: ActorRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    actor = request.actor
    nav = {
        "report": perms.may_report(actor),
        "dispatch": perms.may_dispatch(actor),
        "handle": perms.may_handle(actor),
        "measures": perms.may_see_measures(actor),
        "nearby": actor.is_resident,
        "officer": perms.may_edit_calendar(actor),
    }
    return render(request, template, {**context, "nav": nav, "now": timezone.now()})


def _role_only(allowed: bool) -> None:
    if not allowed:
        raise Http404


@login_required
def case_mine(request: ActorRequest) -> HttpResponse:
    page = _page(request, selectors.case_list_mine(actor=request.actor))
    return _render(
        request,
        "cases/case_list.html",
        {"page_obj": page, "title": _("我的上报"), "tab": "mine", "can_report": perms.may_report(request.actor)},
    )


@login_required
def case_nearby(request: ActorRequest) -> HttpResponse:
    page = _page(request, selectors.case_list_nearby(actor=request.actor))
    return _render(request, "cases/case_list.html", {"page_obj": page, "title": _("小区事件"), "tab": "nearby"})


@login_required
@limit_posts("report", client_ip)
def case_report(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    _role_only(perms.may_report(actor))
    places = selectors.report_places(actor=actor)
    form = ReportForm(request.POST or None, request.FILES or None, places=places)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_report(actor=actor, **form.report_args(actor))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已上报，编号 #%(n)d。网格员受理后会派给处置单位。") % {"n": case.pk})
            return redirect("cases:case-detail", case_id=case.pk)
    grids = selectors.report_grids(actor=actor)
    return _render(request, "cases/case_report.html", {"form": form, "grids": grids})


@login_required
def case_detail(request: ActorRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(actor=request.actor, case_id=case_id)
    actions = [
        {"name": a, "label": Action(a).label, "fields": ACTION_FIELDS.get(a, ())}
        for a in services.allowed_actions(request.actor, case)
    ]
    return _render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "events": selectors.case_events(case=case),
            "photos": case.photos.all(),
            "actions": actions,
            "categories": category_choices(),
            "is_reporter": perms.is_reporter(request.actor, case),
            "show_reporter": not perms.is_reporter(request.actor, case)
            and perms.is_reporting_side(request.actor, case),
        },
    )


@login_required
@require_POST
def case_act(request: ActorRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(actor=request.actor, case_id=case_id)
    form = ActionForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, str(errors[0]))
        return redirect("cases:case-detail", case_id=case.pk)
    try:
        args = form.transition_args(request.actor)
        services.case_transition(actor=request.actor, case=case, **args)
    except NotAllowed as exc:
        return HttpResponse(exc.message, status=403)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已%(a)s。") % {"a": Action(args["action"]).label})
    if not perms.visible_cases(request.actor).filter(pk=case.pk).exists():
        return redirect("cases:queue")
    return redirect("cases:case-detail", case_id=case.pk)


@login_required
def case_photo(request: ActorRequest, photo_id: int) -> FileResponse:
    photo = selectors.case_photo_get(actor=request.actor, photo_id=photo_id)
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")


@login_required
def queue(request: ActorRequest) -> HttpResponse:
    _role_only(perms.may_handle(request.actor))
    page = _page(request, selectors.case_queue(actor=request.actor))
    return _render(request, "cases/case_list.html", {"page_obj": page, "title": _("待处置"), "tab": "queue"})


DESK_TABS = [
    ("new", gettext_lazy("待立案/派遣")),
    ("verify", gettext_lazy("待核查/结案")),
    ("running", gettext_lazy("处置中")),
    ("approvals", gettext_lazy("待审批")),
]


@login_required
def desk(request: ActorRequest) -> HttpResponse:
    _role_only(perms.may_dispatch(request.actor))
    tab = request.GET.get("tab", "new")
    tab = tab if tab in dict(DESK_TABS) else "new"
    page = _page(request, selectors.case_desk(actor=request.actor, tab=tab))
    return _render(
        request,
        "cases/case_list.html",
        {"page_obj": page, "title": _("受理派遣"), "tab": "desk", "desk_tab": tab, "desk_tabs": DESK_TABS},
    )


@login_required
def parked(request: ActorRequest) -> HttpResponse:
    _role_only(perms.may_dispatch(request.actor))
    page = _page(request, selectors.case_parked(actor=request.actor))
    return _render(request, "cases/case_list.html", {"page_obj": page, "title": _("挂账事件"), "tab": "parked"})


@login_required
def calendar(request: ActorRequest) -> HttpResponse:
    _role_only(perms.may_edit_calendar(request.actor))
    form = CalendarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        is_working = None if kind == "default" else kind == "workday"
        try:
            services.calendar_day_set(
                actor=request.actor, day=form.cleaned_data["day"], is_working=is_working, note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("工作日历已更新。"))
            return redirect("cases:calendar")
    days = selectors.calendar_days()
    return _render(request, "cases/calendar.html", {"form": form, "days": days})


@login_required
def keys(request: ActorRequest) -> HttpResponse:
    _role_only(perms.may_manage_keys(request.actor))
    form = KeyForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        try:
            _key, raw = services.open311_key_create(actor=request.actor, name=form.cleaned_data["name"])
        except DomainError as exc:
            add_domain_error(form, exc)
    rows = selectors.open311_key_list()
    return _render(request, "cases/keys.html", {"form": form, "keys": rows, "raw": raw})


@login_required
@require_POST
def key_revoke(request: ActorRequest, key_id: int) -> HttpResponse:
    _role_only(perms.may_manage_keys(request.actor))
    services.open311_key_revoke(actor=request.actor, key=selectors.open311_key_get(key_id=key_id))
    messages.success(request, _("密钥已吊销。"))
    return redirect("cases:keys")
