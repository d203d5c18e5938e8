from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseForbidden, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.campaigns import exports, results, selectors, services
from gongzhi.campaigns.choices import CHECK_STATUSES, VISIT_OUTCOMES, CampaignStatus, FieldTarget, HouseholdState
from gongzhi.campaigns.forms import CampaignForm, FoundPersonForm, ReassignForm, parse_visit
from gongzhi.campaigns.models import CampaignField
from gongzhi.campaigns.permissions import (
    can_manage_at,
    can_manage_campaign,
    may_create_campaigns,
    sees_grid_counts,
)
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.http import ActorRequest, add_domain_error
from gongzhi.core.pinyin import mask_name
from gongzhi.registry.services import PersonData
from gongzhi.territory import selectors as territory_selectors
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.permissions import visible_nodes

STATE_FILTERS = [("", _("全部")), ("missing", _("未完成")), *HouseholdState.choices]


@login_required
def campaign_list(request: ActorRequest) -> HttpResponse:
    campaigns = selectors.campaign_list(actor=request.actor)
    page = Paginator(campaigns, settings.GONGZHI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/campaign_list.html",
        {"page_obj": page, "can_create": may_create_campaigns(request.actor)},
    )


@login_required
def campaign_create(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    if not may_create_campaigns(actor):
        raise Http404
    nodes = (
        visible_nodes(actor)
        .filter(kind__in=[NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.AREA, NodeKind.COMPOUND])
        .order_by("path")
    )
    scopes = [(str(n.pk), f"{n.kind_label} · {n.name}") for n in nodes if can_manage_at(actor, path=n.path)]
    form = CampaignForm(request.POST or None, scopes=scopes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                actor=actor,
                title=data["title"],
                kind=data["kind"],
                purpose=data["purpose"],
                scope=[territory_selectors.node_get(actor=actor, node_id=int(pk)) for pk in data["scope"]],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                retention_ends_on=data["retention_ends_on"],
                fields=data["fields_spec"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("走访任务已创建（草稿），核对后点击“开始走访”。"))
            return redirect("campaigns:campaign-detail", campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form})


@login_required
def campaign_detail(request: ActorRequest, campaign_id: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.campaign_get(actor=actor, campaign_id=campaign_id)
    node = None
    if request.GET.get("node"):
        node = territory_selectors.node_get(actor=actor, node_id=_int(request.GET["node"]))
    trail = []
    if node is not None:
        trail = list(visible_nodes(actor).filter(path__in=[node.path[:i] for i in range(4, len(node.path), 4)]))
    holders: list[selectors.GridHolders] = []
    chain = None
    if node is not None and node.kind == NodeKind.COMPOUND:
        holders, chain = selectors.grid_holders(actor=actor, campaign=campaign, compound=node)
    tallies = selectors.campaign_tallies(actor=actor, campaign=campaign)
    rows: list[selectors.Coverage] = []
    worst: list[selectors.Coverage] = []
    if campaign.status != CampaignStatus.DRAFT:
        rows = selectors.coverage_rows(actor=actor, campaign=campaign, node=node, tallies=tallies)
        if sees_grid_counts(actor) and any(r.grid_id is None for r in rows):
            # The table lists places, not grids: the grids furthest behind under them, with their lists.
            worst = selectors.worst_grids(actor=actor, campaign=campaign, node=node, tallies=tallies)
    if node is None and rows and sees_grid_counts(actor):
        coverage = selectors.summed(rows)
    else:
        coverage = selectors.campaign_coverage(actor=actor, campaign=campaign, node=node, tallies=tallies)
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "node": node,
            "trail": trail,
            "coverage": coverage,
            "rows": rows,
            "worst": worst,
            "sees_grids": sees_grid_counts(actor),
            "progress": selectors.daily_progress(actor=actor, campaign=campaign, tallies=tallies),
            "manages": can_manage_campaign(actor, campaign),
            "holders": holders,
            "chain": chain,
            "my_grids": selectors.my_grids(actor=actor, campaign=campaign),
            "fields": campaign.fields.all(),
            "preview": services.snapshot_preview(campaign=campaign)
            if campaign.status == CampaignStatus.DRAFT and can_manage_campaign(actor, campaign)
            else None,
        },
    )


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise Http404 from exc


@login_required
@require_POST
def campaign_open(request: ActorRequest, campaign_id: int) -> HttpResponseBase:
    return _transition(request, campaign_id, services.campaign_open, _("已开始走访：已按登记信息生成走访名单。"))


@login_required
@require_POST
def campaign_close(request: ActorRequest, campaign_id: int) -> HttpResponseBase:
    return _transition(request, campaign_id, services.campaign_close, _("走访任务已结束。"))


def _transition(request: ActorRequest, campaign_id: int, service: Any, done: str) -> HttpResponseBase:
    campaign = selectors.campaign_get(actor=request.actor, campaign_id=campaign_id)
    try:
        service(actor=request.actor, campaign=campaign)
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("campaigns:campaign-detail", campaign.pk)


@login_required
def visit_list(request: ActorRequest, campaign_id: int) -> HttpResponse:
    """The phone page: my households in walking order, with their state."""
    actor = request.actor
    campaign = selectors.campaign_get(actor=actor, campaign_id=campaign_id)
    grids = selectors.my_grids(actor=actor, campaign=campaign)
    grid_id = _int(request.GET["grid"]) if request.GET.get("grid") else (grids[0].pk if len(grids) == 1 else None)
    state = request.GET.get("state", "")
    if state not in dict(STATE_FILTERS):
        state = ""
    rows = selectors.household_rows(actor=actor, campaign=campaign, grid_id=grid_id, state=state)
    page = Paginator(rows, settings.GONGZHI_PAGE_SIZE).get_page(request.GET.get("page"))
    grid = selectors.grid_get(actor=actor, campaign=campaign, grid_id=grid_id) if grid_id else None
    coverage = None
    if grid is not None:
        coverage = (
            selectors.grid_coverage(actor=actor, campaign=campaign, grid_id=grid.pk)
            if sees_grid_counts(actor)
            else selectors.campaign_coverage(actor=actor, campaign=campaign)
        )
    return render(
        request,
        "campaigns/visit_list.html",
        {
            "campaign": campaign,
            "grids": grids,
            "grid": grid,
            "coverage": coverage,
            "state": state,
            "states": STATE_FILTERS,
            "page_obj": page,
            "lines": selectors.household_lines(page.object_list),
        },
    )


@login_required
def visit_record(request: ActorRequest, campaign_id: int, row_id: int) -> HttpResponseBase:
    actor = request.actor
    campaign = selectors.campaign_get(actor=actor, campaign_id=campaign_id)
    row = selectors.household_row_get(actor=actor, campaign=campaign, row_id=row_id)
    line = selectors.household_lines(
        selectors.household_rows(actor=actor, campaign=campaign, grid_id=row.grid_id).filter(pk=row.pk)
    )[0]
    line_people = selectors.household_line_people(row=row)
    error = None
    if request.method == "POST":
        answers, checks = parse_visit(request.POST, person_row_ids=[p.pk for p in line_people])
        try:
            services.visit_record(
                actor=actor,
                row=row,
                outcome=request.POST.get("outcome", ""),
                idempotency_key=request.POST.get("idempotency_key", ""),
                answers=answers,
                checks=checks,
                note=request.POST.get("note", ""),
            )
        except NotAllowed as exc:
            return HttpResponseForbidden(exc.message)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("已登记 %(address)s 的走访。") % {"address": line.address})
            return redirect(f"{reverse('campaigns:visit-list', args=[campaign.pk])}?grid={row.grid_id}")
    values = request.POST if request.method == "POST" else QueryDict()
    person_fields = results.fields_for(actor, campaign, FieldTarget.PERSON)
    people = [
        {
            "row": p,
            "name": mask_name(p.person.name),
            "status_name": f"p{p.pk}-status",
            "status": values.get(f"p{p.pk}-status", ""),
            "answers": [_answer(f, f"p{p.pk}-{f.key}", values) for f in person_fields],
        }
        for p in line_people
    ]
    return render(
        request,
        "campaigns/visit_form.html",
        {
            "campaign": campaign,
            "line": line,
            "error": error,
            "outcome": values.get("outcome", ""),
            "note": values.get("note", ""),
            "key": values.get("idempotency_key") or uuid.uuid4().hex,
            "outcomes": VISIT_OUTCOMES,
            "statuses": CHECK_STATUSES,
            "household_answers": [
                _answer(f, f"h-{f.key}", values) for f in results.fields_for(actor, campaign, FieldTarget.HOUSEHOLD)
            ],
            "people": people,
            "visits": results.household_visit_lines(actor=actor, row=row),
            "found_form": FoundPersonForm(),
        },
    )


def _answer(field: CampaignField, name: str, values: QueryDict) -> dict[str, Any]:
    return {"field": field, "name": name, "value": values.get(name, "")}


@login_required
@require_POST
def person_found(request: ActorRequest, campaign_id: int, row_id: int) -> HttpResponseBase:
    actor = request.actor
    campaign = selectors.campaign_get(actor=actor, campaign_id=campaign_id)
    row = selectors.household_row_get(actor=actor, campaign=campaign, row_id=row_id)
    form = FoundPersonForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.person_found(
                actor=actor,
                row=row,
                data=PersonData(name=d["name"], id_type=d["id_type"], id_number=d["id_number"], phone=d["phone"]),
                relation=d["relation"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已新增人员并登记到本户。"))
    else:
        messages.error(request, _("请填写新增人员的姓名和与户主关系。"))
    return redirect("campaigns:visit-record", campaign.pk, row.pk)


@login_required
def missing_list(request: ActorRequest, campaign_id: int, grid_id: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.campaign_get(actor=actor, campaign_id=campaign_id)
    grid = selectors.grid_get(actor=actor, campaign=campaign, grid_id=grid_id)
    households = selectors.household_rows(actor=actor, campaign=campaign, grid_id=grid.pk, state="missing")
    people = selectors.missing_people(actor=actor, campaign=campaign, grid_id=grid.pk)
    return render(
        request,
        "campaigns/missing_list.html",
        {
            "campaign": campaign,
            "grid": grid,
            "coverage": selectors.grid_coverage(actor=actor, campaign=campaign, grid_id=grid.pk)
            if sees_grid_counts(actor)
            else None,
            "lines": selectors.household_lines(households),
            "people": selectors.people_lines(people),
        },
    )


@login_required
def missing_export(request: ActorRequest, campaign_id: int, grid_id: int) -> HttpResponseBase:
    actor = request.actor
    campaign = selectors.campaign_get(actor=actor, campaign_id=campaign_id)
    grid = selectors.grid_get(actor=actor, campaign=campaign, grid_id=grid_id)
    return exports.missing_export(actor=actor, campaign=campaign, grid=grid)


@login_required
def campaign_map(request: ActorRequest, campaign_id: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.campaign_get(actor=actor, campaign_id=campaign_id)
    return render(
        request,
        "campaigns/campaign_map.html",
        {
            "campaign": campaign,
            "coverage": selectors.campaign_coverage(actor=actor, campaign=campaign),
            "map": selectors.map_data(actor=actor, campaign=campaign),
        },
    )


@login_required
def grid_reassign(request: ActorRequest, campaign_id: int, grid_id: int) -> HttpResponseBase:
    actor = request.actor
    campaign = selectors.campaign_get(actor=actor, campaign_id=campaign_id)
    grid = selectors.grid_get(actor=actor, campaign=campaign, grid_id=grid_id)
    if not can_manage_at(actor, path=grid.org_path):
        raise Http404
    history = list(selectors.assignment_history(actor=actor, campaign=campaign, grid=grid))
    current = {a.worker_id for a in history if a.ended_at is None}
    staff = selectors.reassign_candidates(grid=grid, current=current, on=timezone.localdate())
    candidates = [(str(u.pk), u.full_name or u.username) for u in staff]
    form = ReassignForm(request.POST or None, candidates=candidates, initial={"workers": [str(pk) for pk in current]})
    if request.method == "POST" and form.is_valid():
        try:
            services.grid_reassign(
                actor=actor,
                campaign=campaign,
                grid=grid,
                # The form accepts only the candidates' keys, so the chosen workers are among them.
                workers=[u for u in staff if str(u.pk) in form.cleaned_data["workers"]],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已调整 %(grid)s 的走访人员。") % {"grid": grid.name})
            target = f"{reverse('campaigns:campaign-detail', args=[campaign.pk])}"
            if grid.compound_id:
                target += f"?node={grid.compound_id}"
            return redirect(target)
    return render(
        request,
        "campaigns/reassign_form.html",
        {"campaign": campaign, "grid": grid, "form": form, "history": history},
    )


@login_required
def answer_summary(request: ActorRequest, campaign_id: int) -> HttpResponse:
    """Per question: counts of each choice, the numbers' distribution, and the follow-up list of flagged answers."""
    actor = request.actor
    campaign = selectors.campaign_get(actor=actor, campaign_id=campaign_id)
    if not sees_grid_counts(actor):
        raise Http404
    summary = results.answer_summary(actor=actor, campaign=campaign, with_follow_up=True)
    if summary.follow_up_count:
        exports.follow_up_viewed(actor=actor, campaign=campaign, count=summary.follow_up_count)
    return render(
        request,
        "campaigns/answer_summary.html",
        {"campaign": campaign, "summary": summary, "fever_from": results.FEVER_FROM},
    )


@login_required
def answer_export(request: ActorRequest, campaign_id: int) -> HttpResponseBase:
    actor = request.actor
    campaign = selectors.campaign_get(actor=actor, campaign_id=campaign_id)
    if not sees_grid_counts(actor):
        raise Http404
    return exports.answer_export(actor=actor, campaign=campaign)
