"""Pages for the responsibility chains: every compound's chain, the incomplete ones, and assigning links."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts import selectors as account_selectors
from gongzhi.accounts import services as account_services
from gongzhi.accounts.choices import Role
from gongzhi.core.exceptions import DomainError
from gongzhi.core.http import ActorRequest, safe_next
from gongzhi.territory import selectors
from gongzhi.territory.chains import compound_chains
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.forms import ChainAssignForm, DutyGrantForm
from gongzhi.territory.permissions import can_manage_territory


@login_required
def chain_list(request: ActorRequest) -> HttpResponse:
    chains = compound_chains(actor=request.actor)
    incomplete_only = request.GET.get("incomplete") == "1"
    shown = [c for c in chains if not c.is_complete] if incomplete_only else chains
    return render(
        request,
        "territory/chain_list.html",
        {
            "chains": shown,
            "incomplete_only": incomplete_only,
            "total": len(chains),
            "incomplete": sum(1 for c in chains if not c.is_complete),
        },
    )


def _targets(request: ActorRequest, compound_id: int) -> list[tuple[str, str]]:
    compound = selectors.node_get(actor=request.actor, node_id=compound_id)
    targets = [(f"compound:{compound.pk}", compound.name)]
    targets += [(f"grid:{g.pk}", g.name) for g in selectors.compound_grids(actor=request.actor, compound=compound)]
    targets += [(f"building:{b.pk}", b.name) for b in selectors.node_children(actor=request.actor, node=compound)]
    return targets


@login_required
def chain_detail(request: ActorRequest, compound_id: int) -> HttpResponse:
    compound = selectors.node_get(actor=request.actor, node_id=compound_id)
    chains = compound_chains(actor=request.actor, compound_ids=[compound.pk])
    if not chains:
        return redirect("territory:node-detail", node_id=compound.pk)
    form = ChainAssignForm(request.POST or None, targets=_targets(request, compound.pk))
    if request.method == "POST" and can_manage_territory(request.actor, compound) and form.is_valid():
        kind, _sep, pk = form.cleaned_data["target"].partition(":")
        place = (
            selectors.grid_get(actor=request.actor, grid_id=int(pk))
            if kind == "grid"
            else selectors.node_get(actor=request.actor, node_id=int(pk))
        )
        try:
            account_services.duty_grant(
                actor=request.actor,
                user=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
                grid=place if kind == "grid" else None,
                node=None if kind == "grid" else place,
                starts_on=form.cleaned_data.get("starts_on"),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("职责已指派。"))
            return redirect("territory:chain-detail", compound_id=compound.pk)
    duties = account_selectors.chain_duty_list(actor=request.actor, compound=compound)
    return render(
        request,
        "territory/chain_detail.html",
        {
            "chain": chains[0],
            "form": form,
            "can_manage": can_manage_territory(request.actor, compound),
            "duties": duties,
        },
    )


def _places(request: ActorRequest) -> list[tuple[str, list[tuple[str, str]]]]:
    nodes = selectors.node_list(
        actor=request.actor, kinds=[NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.COMPOUND]
    )
    grouped: dict[str, list[tuple[str, str]]] = {}
    for node in nodes:
        grouped.setdefault(node.kind_label, []).append((f"node:{node.pk}", node.name))
    grids = [(f"grid:{g.pk}", f"{g.name}（{g.community.name}）") for g in selectors.grid_list(actor=request.actor)]
    return [*grouped.items(), (str(_("网格")), grids)]


@login_required
def duty_list(request: ActorRequest) -> HttpResponse:
    """Every current duty in the officer's subdistrict, with a form to grant one (楼栋责任人 via the chain page)."""
    if not can_manage_territory(request.actor):
        raise Http404
    form = DutyGrantForm(request.POST or None, places=_places(request))
    if request.method == "POST" and form.is_valid():
        kind, _sep, pk = form.cleaned_data["place"].partition(":")
        place = (
            selectors.grid_get(actor=request.actor, grid_id=int(pk))
            if kind == "grid"
            else selectors.node_get(actor=request.actor, node_id=int(pk))
        )
        try:
            account_services.duty_grant(
                actor=request.actor,
                user=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
                grid=place if kind == "grid" else None,
                node=None if kind == "grid" else place,
                starts_on=form.cleaned_data.get("starts_on"),
                ends_on=form.cleaned_data.get("ends_on"),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("职责已授予。"))
            return redirect("territory:duty-list")
    role = request.GET.get("role", "")
    page = Paginator(account_selectors.duty_list(actor=request.actor, role=role), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "territory/duty_list.html",
        {"form": form, "page_obj": page, "role": role, "roles": [(r.value, r.label) for r in Role]},
    )


@login_required
@require_POST
def duty_revoke(request: ActorRequest, duty_id: int) -> HttpResponse:
    duty = account_selectors.duty_get(actor=request.actor, duty_id=duty_id)
    try:
        account_services.duty_revoke(actor=request.actor, duty=duty)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("职责已终止。"))
    return redirect(safe_next(request, reverse("territory:chain-list")))
