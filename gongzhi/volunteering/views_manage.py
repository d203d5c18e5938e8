"""The volunteer-association manager's pages: volunteers, teams, the shop and its stock, pickup, orders, the
ledger, hours, four-eyes adjustments, and the Excel exports. Everyone else gets 404 (role-only pages)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.http import ActorRequest
from gongzhi.territory import selectors as territory_selectors
from gongzhi.territory.choices import NodeKind
from gongzhi.volunteering import certificates, exports, ledger, selectors, services
from gongzhi.volunteering.choices import AdjustmentStatus
from gongzhi.volunteering.forms import (
    AdjustmentForm,
    CodeForm,
    DateRangeForm,
    DecisionForm,
    ItemForm,
    LedgerFilterForm,
    NewItemForm,
    NumberForm,
    OrderFilterForm,
    PeriodForm,
    RestockForm,
    StatusForm,
    TeamForm,
    VolunteerFilterForm,
)
from gongzhi.volunteering.hours import star_level
from gongzhi.volunteering.models import Volunteer
from gongzhi.volunteering.permissions import (
    can_decide_adjustment,
    can_manage_shop,
    can_manage_teams,
    can_manage_volunteer,
    can_view_ledger,
)
from gongzhi.volunteering.views import attempt, page_of

View = Callable[..., HttpResponseBase]
RECENT = 10  # rows of each history on a volunteer's page; the full lists are on the ledger and hours pages


def manager_only(view: View) -> View:
    """Role-only pages: 404 for anyone who is not a volunteer-association manager."""

    @login_required
    @wraps(view)
    def wrapped(request: ActorRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not can_view_ledger(request.actor):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _places(request: ActorRequest, check: Callable[..., bool]) -> list[Any]:
    kinds: list[str] = [NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.COMPOUND]
    return [n for n in territory_selectors.node_list(actor=request.actor, kinds=kinds) if check(request.actor, n)]


@manager_only
def overview(request: ActorRequest) -> HttpResponse:
    return render(
        request, "volunteering/manage.html", {"overview": selectors.volunteering_overview(actor=request.actor)}
    )


# --- volunteers -----------------------------------------------------------------------------------------


@manager_only
def volunteer_list(request: ActorRequest) -> HttpResponse:
    form = VolunteerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.volunteer_list(
        actor=request.actor, search=filters.get("q") or "", status=filters.get("status") or ""
    )
    page = page_of(request, rows)
    stars = {v.pk: star_level(v.certified_minutes) for v in page}
    return render(request, "volunteering/volunteer_list.html", {"form": form, "page_obj": page, "stars": stars})


@manager_only
def volunteer_detail(request: ActorRequest, volunteer_id: int) -> HttpResponse:
    actor = request.actor
    volunteer = selectors.volunteer_get(actor=actor, volunteer_id=volunteer_id)
    period_form = PeriodForm(request.POST or None)
    if request.method == "POST":
        if not can_manage_volunteer(actor, volunteer):
            raise PermissionDenied
        if period_form.is_valid():
            call = lambda: certificates.certificate_issue(  # noqa: E731
                actor=actor, volunteer=volunteer, **period_form.cleaned_data
            )
            if attempt(request, call, period_form):
                messages.success(request, _("证明已开具。"))
                return redirect("volunteering:volunteer-detail", volunteer_id=volunteer.pk)
    return render(
        request,
        "volunteering/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "star": star_level(volunteer.certified_minutes),
            "records": selectors.service_record_list(actor=actor, volunteer=volunteer)[:RECENT],
            "entries": selectors.points_entry_list(actor=actor, volunteer=volunteer)[:RECENT],
            "certificates": selectors.certificate_list(actor=actor, volunteer=volunteer),
            "status_form": StatusForm(),
            "period_form": period_form,
            "adjust_form": AdjustmentForm(initial={"number": volunteer.number}),
            "can_manage": can_manage_volunteer(actor, volunteer),
        },
    )


@manager_only
@require_POST
def volunteer_status(request: ActorRequest, volunteer_id: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(actor=request.actor, volunteer_id=volunteer_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        call = lambda: services.volunteer_set_status(  # noqa: E731
            actor=request.actor, volunteer=volunteer, **form.cleaned_data
        )
        if attempt(request, call):
            messages.success(request, _("状态已更新。"))
    else:
        messages.error(request, _("请选择状态并写明原因。"))
    return redirect("volunteering:volunteer-detail", volunteer_id=volunteer.pk)


# --- teams ----------------------------------------------------------------------------------------------


@login_required
def team_list(request: ActorRequest) -> HttpResponse:
    """Teams the actor manages or belongs to; a manager founds new ones here."""
    actor = request.actor
    form = TeamForm(request.POST or None, nodes=_places(request, can_manage_teams)) if can_manage_teams(actor) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            call = lambda: services.team_create(actor=actor, **form.cleaned_data)  # noqa: E731
            if attempt(request, call, form):
                messages.success(request, _("团队已成立。"))
                return redirect("volunteering:team-list")
    return render(request, "volunteering/team_list.html", {"teams": selectors.team_list(actor=actor), "form": form})


@login_required
def team_detail(request: ActorRequest, team_id: int) -> HttpResponse:
    actor = request.actor
    team = selectors.team_get(actor=actor, team_id=team_id)
    can_manage = can_manage_teams(actor, team.node)
    form = NumberForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            volunteer = selectors.volunteer_get_by_number(actor=actor, number=form.cleaned_data["number"])
            action = form.cleaned_data["action"]
            if volunteer is None:
                form.add_error("number", _("在您的管理范围内没有这个志愿者编号。"))
            else:
                call: Callable[[], Any] = (
                    (lambda: services.team_member_remove(actor=actor, team=team, volunteer=volunteer))
                    if action == "remove"
                    else (
                        lambda: services.team_member_add(
                            actor=actor, team=team, volunteer=volunteer, as_leader=action == "leader"
                        )
                    )
                )
                if attempt(request, call, form):
                    messages.success(request, _("团队成员已更新。"))
                    return redirect("volunteering:team-detail", team_id=team.pk)
    return render(
        request,
        "volunteering/team_detail.html",
        {"team": team, "members": selectors.team_members(team=team), "can_manage": can_manage, "form": form},
    )


# --- the shop, stock and pickup ---------------------------------------------------------------------------


@manager_only
def shop_items(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    form = NewItemForm(request.POST or None, nodes=_places(request, lambda a, n: can_manage_shop(a, node=n)))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        call = lambda: ledger.shop_item_create(  # noqa: E731
            actor=actor, node=data["node"], data=_item_data(data), stock=data["stock"]
        )
        if attempt(request, call, form):
            messages.success(request, _("商品已上架。"))
            return redirect("volunteering:shop-items")
    items = selectors.shop_item_list(actor=actor, active_only=False)
    return render(
        request,
        "volunteering/shop_items.html",
        {"items": items, "form": form, "low_stock": selectors.LOW_STOCK},
    )


def _item_data(data: dict[str, Any]) -> ledger.ItemData:
    """ItemForm's fields are ItemData's; NewItemForm adds the place and the first stock."""
    return ledger.ItemData(**{k: v for k, v in data.items() if k not in {"node", "stock"}})


@manager_only
def shop_item_detail(request: ActorRequest, item_id: int) -> HttpResponse:
    actor = request.actor
    item = selectors.shop_item_get(actor=actor, item_id=item_id)
    initial = {
        "name": item.name,
        "points_price": item.points_price,
        "limit_per_person": item.limit_per_person,
        "donor": item.donor,
        "description": item.description,
        "is_active": item.is_active,
    }
    action = request.POST.get("action")
    edit_form = ItemForm(request.POST if action == "edit" else None, initial=initial)
    stock_form = RestockForm(request.POST if action == "stock" else None)
    if request.method == "POST":
        if not can_manage_shop(actor, item):
            raise PermissionDenied
        if action == "edit" and edit_form.is_valid():
            call = lambda: ledger.shop_item_update(actor=actor, item=item, data=_item_data(edit_form.cleaned_data))  # noqa: E731
            if attempt(request, call, edit_form):
                messages.success(request, _("商品已更新。"))
                return redirect("volunteering:shop-item-detail", item_id=item.pk)
        if action == "stock" and stock_form.is_valid():
            restock = lambda: ledger.shop_item_restock(actor=actor, item=item, **stock_form.cleaned_data)  # noqa: E731
            if attempt(request, restock, stock_form):
                messages.success(request, _("库存已调整。"))
                return redirect("volunteering:shop-item-detail", item_id=item.pk)
    return render(
        request,
        "volunteering/shop_item_detail.html",
        {
            "item": item,
            "edit_form": edit_form,
            "stock_form": stock_form,
            "page_obj": page_of(request, selectors.stock_movement_list(item=item)),
        },
    )


@manager_only
def pickup(request: ActorRequest) -> HttpResponse:
    """Find an order by its pickup code (scanned or typed), then hand the item over."""
    actor = request.actor
    form = CodeForm(request.POST or request.GET or None)
    order = None
    if form.is_valid():
        order = selectors.order_find_by_code(actor=actor, code=form.cleaned_data["code"])
        if order is None:
            form.add_error("code", _("没有找到这个领取码，请核对后重试。"))
        elif request.method == "POST" and request.POST.get("confirm") == "1":
            found = order
            if attempt(request, lambda: ledger.order_hand_over(actor=actor, order=found), form):
                messages.success(
                    request,
                    _("已领取：%(item)s ×%(n)d（%(name)s）。")
                    % {"item": found.item.name, "n": found.quantity, "name": found.volunteer.person.name},
                )
                return redirect("volunteering:pickup")
    return render(request, "volunteering/pickup.html", {"form": form, "order": order})


@manager_only
def order_list(request: ActorRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    rows = selectors.order_list(actor=request.actor, status=status)
    return render(request, "volunteering/order_list.html", {"form": form, "page_obj": page_of(request, rows)})


# --- ledger, hours, adjustments ------------------------------------------------------------------------------


def _ledger_rows(request: ActorRequest) -> tuple[LedgerFilterForm, Any]:
    form = LedgerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    volunteer = None
    if filters.get("number"):
        volunteer = selectors.volunteer_get_by_number(actor=request.actor, number=filters["number"])
        if volunteer is None:
            form.add_error("number", _("在您的管理范围内没有这个志愿者编号。"))
            return form, selectors.points_entry_list(actor=request.actor).none()
    return form, selectors.points_entry_list(actor=request.actor, volunteer=volunteer, kind=filters.get("kind") or "")


@manager_only
def ledger_view(request: ActorRequest) -> HttpResponse:
    form, rows = _ledger_rows(request)
    return render(request, "volunteering/ledger.html", {"form": form, "page_obj": page_of(request, rows)})


def _hours_rows(request: ActorRequest) -> tuple[DateRangeForm, Any]:
    form = DateRangeForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.service_record_list(
        actor=request.actor, date_from=filters.get("date_from"), date_to=filters.get("date_to")
    )
    return form, rows


@manager_only
def hours_view(request: ActorRequest) -> HttpResponse:
    form, rows = _hours_rows(request)
    return render(request, "volunteering/hours.html", {"form": form, "page_obj": page_of(request, rows)})


@manager_only
def adjustment_list(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    form = AdjustmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        volunteer: Volunteer | None = selectors.volunteer_get_by_number(actor=actor, number=form.cleaned_data["number"])
        if volunteer is None:
            form.add_error("number", _("在您的管理范围内没有这个志愿者编号。"))
        else:
            found = volunteer
            call = lambda: ledger.adjustment_request(  # noqa: E731
                actor=actor, volunteer=found, amount=form.cleaned_data["amount"], reason=form.cleaned_data["reason"]
            )
            if attempt(request, call, form):
                messages.success(request, _("调整申请已提交，须由另一位管理员复核后生效。"))
                return redirect("volunteering:adjustment-list")
    pending = list(selectors.adjustment_list(actor=actor, status=AdjustmentStatus.PENDING))
    return render(
        request,
        "volunteering/adjustments.html",
        {
            "form": form,
            "pending": [(a, can_decide_adjustment(actor, a)) for a in pending],
            "page_obj": page_of(
                request, selectors.adjustment_list(actor=actor).exclude(status=AdjustmentStatus.PENDING)
            ),
        },
    )


@manager_only
@require_POST
def adjustment_decide(request: ActorRequest, adjustment_id: int) -> HttpResponse:
    adjustment = selectors.adjustment_get(actor=request.actor, adjustment_id=adjustment_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        call = lambda: ledger.adjustment_decide(  # noqa: E731
            actor=request.actor, adjustment=adjustment, approve=approve, note=form.cleaned_data["note"]
        )
        if attempt(request, call):
            messages.success(request, _("已批准，积分已入账。") if approve else _("已驳回。"))
    return redirect("volunteering:adjustment-list")


# --- exports --------------------------------------------------------------------------------------------------


@manager_only
def ledger_export(request: ActorRequest) -> FileResponse:
    _form, rows = _ledger_rows(request)
    return exports.ledger_xlsx(actor=request.actor, entries=rows, now=timezone.localtime())


@manager_only
def hours_export(request: ActorRequest) -> FileResponse:
    _form, rows = _hours_rows(request)
    return exports.hours_xlsx(actor=request.actor, records=rows, now=timezone.localtime())


@manager_only
def order_export(request: ActorRequest) -> FileResponse:
    form = OrderFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    rows = selectors.order_list(actor=request.actor, status=status)
    return exports.orders_xlsx(actor=request.actor, orders=rows, now=timezone.localtime())
