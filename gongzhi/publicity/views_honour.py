"""Honour campaign pages: the resident's campaign page by phase (nominate, vote, results), the staff's
setup, review queue, vote audit, judges' scoring, result and citations, and the honour roll (光荣榜)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseForbidden
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.http import ActorRequest, add_domain_error
from gongzhi.core.photos import photos_clean
from gongzhi.publicity import honour
from gongzhi.publicity import honour_selectors as selectors
from gongzhi.publicity.certificates import certificate_number, honour_certificate_pdf
from gongzhi.publicity.choices_honour import COUNTED_PHASES, CampaignPhase, NominationStatus
from gongzhi.publicity.forms_honour import (
    BallotForm,
    CampaignForm,
    CancelForm,
    CitationForm,
    NominationForm,
    ReviewForm,
    ScoreForm,
    TieForm,
    VoteOpenForm,
)
from gongzhi.publicity.honour_permissions import (
    can_manage_campaign,
    can_nominate,
    can_score,
    honour_roll_roots,
    is_judge,
    may_create_campaigns,
    sees_honour,
)
from gongzhi.publicity.models_honour import HonourCampaign
from gongzhi.votes.exceptions import AlreadyVoted
from gongzhi.votes.selectors import poll_turnout


@login_required
def campaign_list(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    if not sees_honour(actor):
        return render(request, "publicity/honour_list.html", {"campaigns": [], "may_create": False})
    return render(
        request,
        "publicity/honour_list.html",
        {"campaigns": selectors.campaign_list(actor=actor), "may_create": may_create_campaigns(actor)},
    )


@login_required
def campaign_create(request: ActorRequest) -> HttpResponseBase:
    actor = request.actor
    if not may_create_campaigns(actor):
        raise Http404
    form = CampaignForm(request.POST if request.method == "POST" else None, scopes=selectors.scope_choices(actor=actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = honour.campaign_create(
                actor=actor,
                scope=selectors.scope_get(actor=actor, node_id=data["scope"]),
                title=data["title"],
                description=data["description"],
                categories=form.categories(),
                rubric=form.rubric(),
                judges=selectors.judge_users(form.judge_usernames()),
                electorate=data["electorate"],
                vote_weight_percent=data["vote_weight_percent"],
                allows_self_nomination=data["allows_self_nomination"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("评选活动已创建（草稿）。开始提名后居民即可提名。"))
            return redirect("publicity:honour-detail", honour_id=campaign.pk)
    return render(request, "publicity/honour_form.html", {"form": form})


PHASE_ORDER = [
    CampaignPhase.NOMINATING,
    CampaignPhase.REVIEWING,
    CampaignPhase.VOTING,
    CampaignPhase.JUDGING,
    CampaignPhase.DECIDED,
    CampaignPhase.PUBLISHED,
]


def _phase_steps(campaign: HonourCampaign) -> list[tuple[str, str]]:
    now = PHASE_ORDER.index(CampaignPhase(campaign.phase)) if campaign.phase in PHASE_ORDER else -1
    return [(str(p.label), "now" if i == now else "done" if i < now else "") for i, p in enumerate(PHASE_ORDER)]


def _detail_context(request: ActorRequest, campaign: HonourCampaign, **extra: Any) -> dict[str, Any]:
    actor = request.actor
    manages = can_manage_campaign(actor, campaign)
    context: dict[str, Any] = {
        "campaign": campaign,
        "steps": _phase_steps(campaign),
        "categories": selectors.categories_of(campaign),
        "manages": manages,
        "can_nominate": can_nominate(actor, campaign),
        "mine": selectors.my_nominations(actor=actor, campaign=campaign),
        "is_judge": is_judge(actor, campaign),
        "can_score": can_score(actor, campaign),
    }
    if campaign.phase not in {CampaignPhase.DRAFT, CampaignPhase.NOMINATING}:
        context["finalists"] = selectors.finalists_by_category(campaign)
    if campaign.phase == CampaignPhase.VOTING and campaign.poll is not None:
        seats = selectors.voter_seats(actor=actor, campaign=campaign)
        context["seats"] = seats
        context["has_voted"] = any(s.participation is not None for s in seats)
        if seats and not context["has_voted"] and "ballot_form" not in extra:
            context["ballot_form"] = BallotForm(categories=context["finalists"])
    if campaign.phase in COUNTED_PHASES:
        context["public_votes"] = selectors.public_votes(campaign=campaign)
    context["results"] = selectors.honour_results(actor=actor, campaign=campaign)
    if manages:
        context["counts"] = selectors.nomination_counts(campaign=campaign)
        context["vote_open_form"] = VoteOpenForm()
        context["cancel_form"] = CancelForm()
        if campaign.phase == CampaignPhase.JUDGING:
            context["progress"] = selectors.score_progress(campaign=campaign)
        if campaign.phase == CampaignPhase.VOTING and campaign.poll is not None:
            context["turnout"] = poll_turnout(actor=actor, poll=campaign.poll)
    context.update(extra)
    return context


@login_required
def campaign_detail(request: ActorRequest, honour_id: int) -> HttpResponse:
    campaign = selectors.campaign_get(actor=request.actor, campaign_id=honour_id)
    return render(request, "publicity/honour_detail.html", _detail_context(request, campaign))


@login_required
def nominate(request: ActorRequest, honour_id: int) -> HttpResponseBase:
    actor = request.actor
    campaign = selectors.campaign_get(actor=actor, campaign_id=honour_id)
    if not can_nominate(actor, campaign):
        if campaign.phase != CampaignPhase.NOMINATING:
            messages.error(request, _("评选活动不在提名阶段。"))
            return redirect("publicity:honour-detail", honour_id=campaign.pk)
        return HttpResponseForbidden(_("只有居住在评选范围内的居民和社区工作人员可以提名。"))
    categories = selectors.categories_of(campaign)
    form = NominationForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        categories=categories,
        buildings=selectors.campaign_buildings(campaign=campaign),
        initial={"category": request.GET.get("category")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        category = next(c for c in categories if c.pk == data["category"])
        try:
            nominee = selectors.nominee_resolve(
                campaign=campaign, category=category, building_id=data["building"], room=data["room"], name=data["name"]
            )
            nomination = honour.nomination_create(
                actor=actor,
                category=category,
                reason=data["reason"],
                has_consent=data["has_consent"],
                photos=photos_clean(data["photos"]),
                **nominee,
            )
        except NotAllowed as exc:
            return HttpResponseForbidden(exc.message)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已提名“%(n)s”，社区审核通过后入围。") % {"n": nomination.label})
            return redirect("publicity:honour-detail", honour_id=campaign.pk)
    return render(request, "publicity/honour_nominate.html", {"campaign": campaign, "form": form})


@login_required
@require_POST
def vote(request: ActorRequest, honour_id: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.campaign_get(actor=actor, campaign_id=honour_id)
    if campaign.phase != CampaignPhase.VOTING:
        raise Http404
    form = BallotForm(request.POST, categories=selectors.finalists_by_category(campaign))
    if form.is_valid():
        try:
            honour.honour_ballot_cast(actor=actor, campaign=campaign, choices=form.choices())
        except NotAllowed as exc:
            return HttpResponseForbidden(exc.message)
        except AlreadyVoted as exc:
            messages.error(request, exc.message)
            return redirect("publicity:honour-detail", honour_id=campaign.pk)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("您的选票已记录。投票截止前不公布任何票数。"))
            return redirect("publicity:honour-detail", honour_id=campaign.pk)
    return render(
        request, "publicity/honour_detail.html", _detail_context(request, campaign, ballot_form=form), status=400
    )


@login_required
def review_queue(request: ActorRequest, honour_id: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.managed_campaign_get(actor=actor, campaign_id=honour_id)
    return render(
        request,
        "publicity/honour_review.html",
        {
            "campaign": campaign,
            "nominations": selectors.review_queue(actor=actor, campaign=campaign),
            "reviewable": campaign.phase in {CampaignPhase.NOMINATING, CampaignPhase.REVIEWING},
            "pending": NominationStatus.PENDING,
        },
    )


@login_required
@require_POST
def review_act(request: ActorRequest, honour_nomination_id: int) -> HttpResponse:
    actor = request.actor
    nomination = selectors.nomination_get(actor=actor, nomination_id=honour_nomination_id)
    if not can_manage_campaign(actor, nomination.campaign):
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            honour.nomination_review(
                actor=actor,
                nomination=nomination,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已审核“%(n)s”。") % {"n": nomination.label})
    else:
        messages.error(request, _("请选择通过或不通过。"))
    return redirect("publicity:honour-review", honour_id=nomination.campaign_id)


@login_required
@require_POST
def campaign_act(request: ActorRequest, honour_id: int) -> HttpResponse:
    """The staff's phase buttons: open/close nominations, open/close the vote, decide, publish, cancel."""
    actor = request.actor
    campaign = selectors.managed_campaign_get(actor=actor, campaign_id=honour_id)
    action = request.POST.get("action", "")
    try:
        if action == "open_nominations":
            honour.campaign_nominations_open(actor=actor, campaign=campaign)
            done = _("已开始提名。")
        elif action == "close_nominations":
            honour.campaign_nominations_close(actor=actor, campaign=campaign)
            done = _("提名已截止，请审核提名。")
        elif action == "open_vote":
            form = VoteOpenForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("请填写有效的投票截止时间。"), field="closes_at")
            honour.campaign_vote_open(actor=actor, campaign=campaign, closes_at=form.cleaned_data["closes_at"])
            done = _("投票已开始，投票人名册已锁定。")
        elif action == "close_vote":
            honour.campaign_vote_close(actor=actor, campaign=campaign)
            done = _("投票已截止并计票，请评委评分。")
        elif action == "decide":
            honour.campaign_decide(actor=actor, campaign=campaign)
            messages.success(request, _("已计算评选结果，请核对并撰写颁奖词。"))
            return redirect("publicity:honour-results", honour_id=campaign.pk)
        elif action == "publish":
            honour.campaign_publish(actor=actor, campaign=campaign)
            done = _("评选结果已公布，获评者已上光荣榜。")
        elif action == "cancel":
            honour.campaign_cancel(actor=actor, campaign=campaign, reason=request.POST.get("reason", ""))
            done = _("评选活动已取消。")
        else:
            raise Http404
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("publicity:honour-detail", honour_id=campaign.pk)


@login_required
def vote_audit(request: ActorRequest, honour_id: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.managed_campaign_get(actor=actor, campaign_id=honour_id)
    return render(
        request,
        "publicity/honour_audit.html",
        {"campaign": campaign, "audit": selectors.vote_audit(actor=actor, campaign=campaign)},
    )


@login_required
def score(request: ActorRequest, honour_id: int) -> HttpResponseBase:
    actor = request.actor
    campaign = selectors.campaign_get(actor=actor, campaign_id=honour_id)
    if not (is_judge(actor, campaign) or can_manage_campaign(actor, campaign)):
        raise Http404
    finalists = [n for _c, names in selectors.finalists_by_category(campaign) for n in names]
    items = list(campaign.rubric.all())
    sheet = None
    if is_judge(actor, campaign):
        mine = selectors.my_scores(actor=actor, campaign=campaign)
        initial = {f"s_{n}_{i}": p for (n, i), p in mine.items()}
        sheet = ScoreForm(
            request.POST if request.method == "POST" else None, finalists=finalists, items=items, initial=initial
        )
        if request.method == "POST":
            if not can_score(actor, campaign):
                return HttpResponseForbidden(_("评分阶段已结束。"))
            if sheet.is_valid():
                try:
                    honour.scores_record(actor=actor, campaign=campaign, points=sheet.points())
                except DomainError as exc:
                    add_domain_error(sheet, exc)
                else:
                    messages.success(request, _("评分已保存。全部评委评完后才显示各评委的评分。"))
                    return redirect("publicity:honour-score", honour_id=campaign.pk)
    elif request.method == "POST":
        return HttpResponseForbidden(_("您不是本次评选的评委。"))
    progress = selectors.score_progress(campaign=campaign)
    rows = []
    if sheet is not None:
        rows = [(n, [sheet[f"s_{n.pk}_{i.pk}"] for i in items]) for n in finalists]
    return render(
        request,
        "publicity/honour_score.html",
        {
            "campaign": campaign,
            "sheet": sheet,
            "rows": rows,
            "items": items,
            "finalists": finalists,
            "can_score": can_score(actor, campaign),
            "progress": progress,
            "panel": selectors.panel_scores(actor=actor, campaign=campaign, progress=progress),
        },
    )


@login_required
def results(request: ActorRequest, honour_id: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.managed_campaign_get(actor=actor, campaign_id=honour_id)
    return render(
        request,
        "publicity/honour_results.html",
        {
            "campaign": campaign,
            "results": selectors.honour_results(actor=actor, campaign=campaign),
            "editable": campaign.phase == CampaignPhase.DECIDED,
            "tie_form": TieForm(),
        },
    )


@login_required
@require_POST
def tie_resolve(request: ActorRequest, honour_result_id: int) -> HttpResponse:
    actor = request.actor
    result = selectors.result_get(actor=actor, result_id=honour_result_id)
    form = TieForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("请写明决定理由（至少4个字）。"), field="note")
        honour.tie_resolve(actor=actor, result=result, note=form.cleaned_data["note"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确定“%(n)s”获评。") % {"n": result.nomination.label})
    return redirect("publicity:honour-results", honour_id=result.category.campaign_id)


@login_required
@require_POST
def citation(request: ActorRequest, honour_result_id: int) -> HttpResponse:
    actor = request.actor
    result = selectors.result_get(actor=actor, result_id=honour_result_id)
    form = CitationForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("颁奖词应为10至300个字。"), field="citation")
        honour.citation_write(actor=actor, result=result, text=form.cleaned_data["citation"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存“%(n)s”的颁奖词。") % {"n": result.nomination.label})
    return redirect("publicity:honour-results", honour_id=result.category.campaign_id)


@login_required
def certificate(request: ActorRequest, honour_result_id: int) -> HttpResponse:
    actor = request.actor
    result = selectors.result_get(actor=actor, result_id=honour_result_id)
    try:
        pdf = honour_certificate_pdf(actor=actor, result=result)
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("publicity:honour-results", honour_id=result.category.campaign_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate_number(result)}.pdf"'
    return response


@login_required
def photo(request: ActorRequest, honour_photo_id: int) -> FileResponse:
    item = selectors.photo_get(actor=request.actor, photo_id=honour_photo_id)
    return FileResponse(item.image.open("rb"), content_type="image/jpeg")


@login_required
def honour_roll(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    roots = honour_roll_roots(actor)  # where the actor lives and works: read once for the page
    return render(
        request,
        "publicity/honour_roll.html",
        {
            "roll": selectors.honour_roll(actor=actor, roots=roots),
            "places": selectors.roll_places(actor=actor, roots=roots),
            "node": None,
        },
    )


@login_required
def honour_roll_node(request: ActorRequest, node_id: int) -> HttpResponse:
    actor = request.actor
    roots = honour_roll_roots(actor)  # where the actor lives and works: read once for the page
    node = selectors.roll_node_get(actor=actor, node_id=node_id, roots=roots)
    return render(
        request,
        "publicity/honour_roll.html",
        {
            "roll": selectors.honour_roll(actor=actor, node=node, roots=roots),
            "places": selectors.roll_places(actor=actor, roots=roots),
            "node": node,
        },
    )
