"""Pages for the responsibility chains: every compound's chain, the incomplete ones, and assigning links."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts import selectors as account_selectors
from gongzhi.accounts import services as account_services
from gongzhi.core.exceptions import DomainError
from gongzhi.core.http import ActorRequest, safe_next
from gongzhi.territory import selectors
from gongzhi.territory.chains import compound_chains
from gongzhi.territory.forms import ChainAssignForm
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
