from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.http import ActorRequest, add_domain_error
from gongzhi.territory import selectors as territory_selectors
from gongzhi.votes import exports, selectors, services
from gongzhi.votes.choices import PollStatus
from gongzhi.votes.exceptions import ResultsSealed
from gongzhi.votes.forms import (
    BallotForm,
    CorrectionForm,
    OwnersRulesForm,
    PaperBallotForm,
    PollForm,
    ProxyForm,
    QuestionFormSet,
    ReasonForm,
)
from gongzhi.votes.models import Poll
from gongzhi.votes.permissions import can_manage_poll, may_create_polls


@login_required
def poll_list(request: ActorRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in PollStatus.values:
        status = ""
    polls = selectors.poll_list(actor=request.actor, status=status)
    page = Paginator(polls, settings.GONGZHI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "votes/poll_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": PollStatus.choices,
            "can_create": may_create_polls(request.actor),
        },
    )


@login_required
def poll_create(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    if not may_create_polls(actor):
        raise Http404
    scopes = [(str(n.pk), f"{n.kind_label} · {n.name}") for n in selectors.poll_scopes(actor=actor)]
    form = PollForm(request.POST or None, scopes=scopes)
    questions = QuestionFormSet(request.POST or None, prefix="q")
    if request.method == "POST" and form.is_valid() and questions.is_valid():
        data = form.cleaned_data
        try:
            poll = services.poll_create(
                actor=actor,
                scope=territory_selectors.node_get(actor=actor, node_id=int(data["scope"])),
                title=data["title"],
                description=data["description"],
                electorate=data["electorate"],
                electorate_config=form.electorate_config(),
                is_secret=data["is_secret"],
                notice_days=data["notice_days"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                questions=[q.spec() for q in questions.forms if q.has_changed() and q.cleaned_data],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("投票已公告。"))
            return redirect("votes:poll-detail", poll_id=poll.pk)
    return render(request, "votes/poll_form.html", {"form": form, "questions": questions})


def _detail_context(request: ActorRequest, poll: Poll, ballot_form: BallotForm | None = None) -> dict[str, Any]:
    actor = request.actor
    questions = selectors.poll_questions(poll=poll)
    seats = selectors.my_seats(actor=actor, poll=poll)
    open_seats = [s for s in seats if s.participation is None]
    manages = can_manage_poll(actor, poll)
    turnout = selectors.poll_turnout(actor=actor, poll=poll) if manages and poll.opened_at else None
    if ballot_form is None and poll.status == PollStatus.OPEN and open_seats:
        ballot_form = BallotForm(questions=questions, seats=[(s.entry.voter_key, _seat_label(s)) for s in open_seats])
    try:
        result = selectors.poll_result(actor=actor, poll=poll)
    except ResultsSealed as exc:
        result, sealed_reason = None, exc.message
    else:
        sealed_reason = ""
    return {
        "poll": poll,
        "questions": questions,
        "seats": seats,
        "ballot_form": ballot_form,
        "manages": manages,
        "turnout": turnout,
        # An owners' vote runs its announced period unless everyone has voted (services.poll_close).
        "can_close": poll.electorate != "owners"
        or timezone.now() >= poll.closes_at
        or (turnout is not None and turnout.voted == turnout.roll),
        "result": result,
        "sealed_reason": sealed_reason,
        "cancel_form": ReasonForm(),
        "now": timezone.now(),
        "open_seats": open_seats,
        "rules_compound": selectors.compound_of(poll.scope) if manages and poll.electorate == "owners" else None,
    }


def _seat_label(seat: selectors.VoterSeat) -> str:
    if seat.proxy is not None:
        return _("受%(w)s委托") % {"w": seat.entry.label}
    return seat.entry.label


@login_required
def poll_detail(request: ActorRequest, poll_id: int) -> HttpResponse:
    poll = selectors.poll_get(actor=request.actor, poll_id=poll_id)
    return render(request, "votes/poll_detail.html", _detail_context(request, poll))


@login_required
@require_POST
def ballot_cast(request: ActorRequest, poll_id: int) -> HttpResponse:
    actor = request.actor
    poll = selectors.poll_get(actor=actor, poll_id=poll_id)
    open_seats = [s for s in selectors.my_seats(actor=actor, poll=poll) if s.participation is None]
    form = BallotForm(
        request.POST,
        questions=selectors.poll_questions(poll=poll),
        seats=[(s.entry.voter_key, _seat_label(s)) for s in open_seats],
    )
    if form.is_valid():
        try:
            services.ballot_cast(
                actor=actor,
                poll=poll,
                choices=form.choices(),
                voter_key=form.cleaned_data.get("voter_key") or (open_seats[0].entry.voter_key if open_seats else None),
            )
        except NotAllowed as exc:
            return HttpResponseForbidden(exc.message)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("您的选票已记录。投票截止前不公布任何结果。"))
            return redirect("votes:poll-detail", poll_id=poll.pk)
    return render(request, "votes/poll_detail.html", _detail_context(request, poll, form), status=400)


def _managed_poll(request: ActorRequest, poll_id: int) -> Poll:
    poll = selectors.poll_get(actor=request.actor, poll_id=poll_id)
    if not can_manage_poll(request.actor, poll):
        raise Http404
    return poll


def _step(request: ActorRequest, poll_id: int, action: str) -> HttpResponse:
    actor = request.actor
    poll = _managed_poll(request, poll_id)
    try:
        if action == "open":
            services.poll_open(actor=actor, poll=poll)
            done = _("投票已开始，投票人名册已锁定。")
        elif action == "close":
            services.poll_close(actor=actor, poll=poll)
            done = _("投票已截止并完成计票，请核对后公布。")
        elif action == "publish":
            services.poll_publish(actor=actor, poll=poll)
            done = _("结果已公布。")
        else:
            form = ReasonForm(request.POST)
            services.poll_cancel(actor=actor, poll=poll, reason=form.data.get("reason", ""))
            done = _("投票已取消。")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("votes:poll-detail", poll_id=poll.pk)


@login_required
@require_POST
def poll_open(request: ActorRequest, poll_id: int) -> HttpResponse:
    return _step(request, poll_id, "open")


@login_required
@require_POST
def poll_close(request: ActorRequest, poll_id: int) -> HttpResponse:
    return _step(request, poll_id, "close")


@login_required
@require_POST
def poll_publish(request: ActorRequest, poll_id: int) -> HttpResponse:
    return _step(request, poll_id, "publish")


@login_required
@require_POST
def poll_cancel(request: ActorRequest, poll_id: int) -> HttpResponse:
    return _step(request, poll_id, "cancel")


@login_required
def roll(request: ActorRequest, poll_id: int) -> HttpResponse:
    actor = request.actor
    poll = _managed_poll(request, poll_id)
    search = request.GET.get("q", "").strip()
    voted = {"1": True, "0": False}.get(request.GET.get("voted", ""))
    page = Paginator(
        selectors.roll_list(actor=actor, poll=poll, search=search, voted=voted), settings.GONGZHI_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    channels = selectors.roll_channels(actor=actor, poll=poll, voter_keys=[e.voter_key for e in page])
    return render(
        request,
        "votes/roll.html",
        {
            "poll": poll,
            "page_obj": page,
            "channels": channels,
            "q": search,
            "voted": request.GET.get("voted", ""),
            "turnout": selectors.poll_turnout(actor=actor, poll=poll) if poll.opened_at else None,
            "proxies": selectors.poll_proxies(actor=actor, poll=poll),
        },
    )


def _roll_entry(request: ActorRequest, poll: Poll) -> Any:
    key = request.GET.get("voter") or request.POST.get("voter") or ""
    entry = selectors.roll_list(actor=request.actor, poll=poll).filter(voter_key=key).first() if key else None
    return entry


@login_required
def paper_entry(request: ActorRequest, poll_id: int) -> HttpResponse:
    actor = request.actor
    poll = _managed_poll(request, poll_id)
    entry = _roll_entry(request, poll)
    if entry is None:
        raise Http404
    form = PaperBallotForm(request.POST or None, questions=selectors.poll_questions(poll=poll))
    if request.method == "POST" and form.is_valid():
        try:
            ballot = services.paper_ballot_enter(
                actor=actor,
                poll=poll,
                voter_key=entry.voter_key,
                choices=form.choices(),
                via_proxy=form.cleaned_data.get("via_proxy", False),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if poll.is_secret:
                messages.success(
                    request, _("纸质选票已录入。选票编号：%(r)s（请写在纸质选票上，更正时需要）。") % {"r": ballot.pk}
                )
            else:
                messages.success(request, _("%(w)s的纸质选票已录入。") % {"w": entry.label})
            return redirect("votes:roll", poll_id=poll.pk)
    return render(request, "votes/paper_form.html", {"poll": poll, "entry": entry, "form": form, "mode": "enter"})


@login_required
def paper_correct(request: ActorRequest, poll_id: int) -> HttpResponse:
    actor = request.actor
    poll = _managed_poll(request, poll_id)
    entry = None if poll.is_secret else _roll_entry(request, poll)
    if entry is None and not poll.is_secret:
        raise Http404
    form = CorrectionForm(request.POST or None, questions=selectors.poll_questions(poll=poll))
    if request.method == "POST" and form.is_valid():
        try:
            services.paper_ballot_correct(
                actor=actor,
                poll=poll,
                choices=form.choices(),
                reason=form.cleaned_data["reason"],
                voter_key=entry.voter_key if entry else None,
                receipt=form.cleaned_data.get("receipt"),
            )
        except NotAllowed as exc:
            form.add_error(None, exc.message)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("选票已更正，原选票保留备查。"))
            return redirect("votes:roll", poll_id=poll.pk)
    return render(request, "votes/paper_form.html", {"poll": poll, "entry": entry, "form": form, "mode": "correct"})


@login_required
def proxy_register(request: ActorRequest, poll_id: int) -> HttpResponse:
    actor = request.actor
    poll = _managed_poll(request, poll_id)
    entry = _roll_entry(request, poll)
    if entry is None:
        raise Http404
    form = ProxyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.proxy_register(
                actor=actor,
                poll=poll,
                voter_key=entry.voter_key,
                agent_name=form.cleaned_data["agent_name"],
                document_no=form.cleaned_data["document_no"],
                agent_user=form.cleaned_data["agent_username"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("书面委托已登记。"))
            return redirect("votes:roll", poll_id=poll.pk)
    return render(request, "votes/proxy_form.html", {"poll": poll, "entry": entry, "form": form})


@login_required
def poll_export(request: ActorRequest, poll_id: int) -> HttpResponseBase:
    poll = _managed_poll(request, poll_id)
    try:
        return exports.poll_export(actor=request.actor, poll=poll)
    except ResultsSealed as exc:
        return HttpResponseForbidden(exc.message)


@login_required
def owners_rules(request: ActorRequest, compound_id: int) -> HttpResponse:
    actor = request.actor
    rules = selectors.owners_rules_get(actor=actor, compound_id=compound_id)
    form = OwnersRulesForm(
        request.POST or None,
        initial={
            "notice_days": rules.notice_days,
            "follow_majority": rules.follow_majority,
            "follow_majority_basis": rules.follow_majority_basis,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.owners_rules_set(
                actor=actor,
                compound=rules.compound,
                notice_days=form.cleaned_data["notice_days"],
                follow_majority=form.cleaned_data["follow_majority"],
                basis=form.cleaned_data["follow_majority_basis"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("议事规则已保存。已开始的投票仍按开始时的规则计票。"))
            return redirect("votes:owners-rules", compound_id=compound_id)
    return render(request, "votes/owners_rules.html", {"rules": rules, "form": form})
