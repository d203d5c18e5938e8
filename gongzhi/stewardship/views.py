"""Stewardship pages: compounds and who manages them, managers, committees, and the phone ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseForbidden
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.forms import cleaned_or_error
from gongzhi.core.http import ActorRequest, action_attempt, add_domain_error
from gongzhi.core.photos import photos_clean
from gongzhi.registry.models import Person
from gongzhi.stewardship import elections, exports, selectors, services
from gongzhi.stewardship.choices import LedgerSide
from gongzhi.stewardship.forms import (
    CommentForm,
    ContractForm,
    ElectionForm,
    FilingForm,
    LedgerForm,
    ManagerForm,
    MemberForm,
    PositionForm,
    TermForm,
    TerminateForm,
)
from gongzhi.stewardship.models import (
    Committee,
    CommitteeMember,
    CommitteeTerm,
    Contract,
    LedgerPhoto,
    Manager,
)
from gongzhi.stewardship.permissions import (
    STAFF_ROLES,
    is_staff_for,
    ledger_side_of,
    may_comment,
    may_register,
    visible_entries,
    visible_managers,
)


def _members(committee: Any) -> list[tuple[int, str]]:
    """The current term's sitting members, for choosing who becomes 主任 / 副主任."""
    members = committee.members if committee else []
    return [(m.pk, f"{m.person.name}（{m.get_position_display()}）") for m in members]


def _owners(compound: Any) -> list[tuple[int, str]]:
    """Current owners of the compound's dwellings, for choosing committee members."""
    rows = (
        Person.objects.filter(
            ownerships__ended_on__isnull=True, ownerships__dwelling__org_path__startswith=compound.path
        )
        .distinct()
        .order_by("name_pinyin")
        .values_list("pk", "name", "id_masked")[:500]
    )
    return [(pk, f"{name} {masked}".strip()) for pk, name, masked in rows]


@login_required
def compound_list(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    search = request.GET.get("q", "")
    page = Paginator(selectors.compound_list(actor=actor, search=search), settings.GONGZHI_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    rows = [
        {
            "compound": c,
            "contract": selectors.contract_current(compound=c, on=today),
            "committee": getattr(c, "committee", None),
        }
        for c in page
    ]
    return render(
        request,
        "stewardship/compound_list.html",
        {"page_obj": page, "rows": rows, "q": search, "may_register": may_register(actor)},
    )


@login_required
def compound_detail(request: ActorRequest, compound_id: int) -> HttpResponse:
    actor = request.actor
    compound = selectors.compound_get(actor=actor, compound_id=compound_id)
    today = timezone.localdate()
    registrar = may_register(actor, compound)
    staff = is_staff_for(actor, compound)
    context: dict[str, Any] = {
        "compound": compound,
        "contract": selectors.contract_current(compound=compound, on=today),
        "committee": selectors.committee_view(compound=compound, on=today),
        "registrar": registrar,
        "staff": staff,
        "keeps_ledger": ledger_side_of(actor, compound) is not None,
        "sees_ledger": staff or ledger_side_of(actor, compound) is not None,
    }
    if staff or registrar:
        context["contracts"] = selectors.contract_history(compound=compound)
        context["modes"] = selectors.mode_history(compound=compound)
    if registrar:
        managers = [(m.pk, m.name) for m in Manager.objects.filter(is_active=True).order_by("name")]
        owners = _owners(compound)
        context.update(
            contract_form=ContractForm(managers=managers),
            terminate_form=TerminateForm(),
            term_form=TermForm(),
            filing_form=FilingForm(),
            member_form=MemberForm(owners=owners),
            election_form=ElectionForm(owners=owners),
            position_form=PositionForm(members=_members(context["committee"])),
        )
    return render(request, "stewardship/compound_detail.html", context)


def _registrar_post(request: ActorRequest, compound_id: int, act: Any) -> HttpResponseBase:
    """Run one registrar action on the compound page; a refusal is shown above the page, nothing written."""
    compound = selectors.compound_get(actor=request.actor, compound_id=compound_id)
    return action_attempt(request, lambda: act(compound)) or redirect(
        "stewardship:compound-detail", compound_id=compound.pk
    )


@login_required
@require_POST
def contract_create(request: ActorRequest, compound_id: int) -> HttpResponseBase:
    def act(compound: Any) -> str:
        managers = [(m.pk, m.name) for m in Manager.objects.filter(is_active=True)]
        data = cleaned_or_error(ContractForm(request.POST, managers=managers))
        services.contract_create(
            actor=request.actor,
            manager=get_object_or_404(Manager, pk=data["manager"]),
            compound=compound,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            fee_fen_per_m2=int(data["fee_yuan"] * Decimal(100)),
            service_grade=data["service_grade"],
            note=data["note"],
        )
        return _("合同已登记，小区的管理模式已随之更新。")

    return _registrar_post(request, compound_id, act)


@login_required
@require_POST
def contract_terminate(request: ActorRequest, compound_id: int, contract_id: int) -> HttpResponseBase:
    def act(compound: Any) -> str:
        data = cleaned_or_error(TerminateForm(request.POST))
        contract = get_object_or_404(Contract, pk=contract_id, compound=compound)
        services.contract_terminate(actor=request.actor, contract=contract, on=data["on"], reason=data["reason"])
        return _("已登记解约。")

    return _registrar_post(request, compound_id, act)


@login_required
@require_POST
def committee_create(request: ActorRequest, compound_id: int) -> HttpResponseBase:
    def act(compound: Any) -> str:
        services.committee_create(actor=request.actor, compound=compound, name=request.POST.get("name", ""))
        return _("已登记业主委员会。")

    return _registrar_post(request, compound_id, act)


@login_required
@require_POST
def term_open(request: ActorRequest, compound_id: int) -> HttpResponseBase:
    def act(compound: Any) -> str:
        data = cleaned_or_error(TermForm(request.POST))
        committee = get_object_or_404(Committee, compound=compound)
        term = services.term_open(
            actor=request.actor,
            committee=committee,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            elected_on=data["elected_on"],
        )
        return _("已登记第%(n)d届。") % {"n": term.number}

    return _registrar_post(request, compound_id, act)


@login_required
@require_POST
def term_file(request: ActorRequest, compound_id: int, term_id: int) -> HttpResponseBase:
    def act(compound: Any) -> str:
        data = cleaned_or_error(FilingForm(request.POST))
        term = get_object_or_404(CommitteeTerm, pk=term_id, committee__compound=compound)
        services.term_file(
            actor=request.actor, term=term, filed_on=data["filed_on"], filing_number=data["filing_number"]
        )
        return _("已登记备案。")

    return _registrar_post(request, compound_id, act)


@login_required
@require_POST
def member_add(request: ActorRequest, compound_id: int, term_id: int) -> HttpResponseBase:
    def act(compound: Any) -> str:
        data = cleaned_or_error(MemberForm(request.POST, owners=_owners(compound)))
        term = get_object_or_404(CommitteeTerm, pk=term_id, committee__compound=compound)
        person = get_object_or_404(Person, pk=data["owner"])
        services.member_add(actor=request.actor, term=term, person=person, position=data["position"])
        return _("已添加成员 %(name)s。") % {"name": person.name}

    return _registrar_post(request, compound_id, act)


@login_required
@require_POST
def election_open(request: ActorRequest, compound_id: int, term_id: int) -> HttpResponseBase:
    def act(compound: Any) -> str:
        data = cleaned_or_error(ElectionForm(request.POST, owners=_owners(compound)))
        term = get_object_or_404(CommitteeTerm, pk=term_id, committee__compound=compound)
        people = Person.objects.in_bulk(data["candidates"])
        poll = elections.election_open(
            actor=request.actor,
            term=term,
            candidates=[people[pk] for pk in data["candidates"] if pk in people],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
        )
        return _("已发布选举公告（%(n)d名候选人），投票在“投票表决”中进行。") % {"n": poll.questions.count()}

    return _registrar_post(request, compound_id, act)


@login_required
@require_POST
def election_apply(request: ActorRequest, compound_id: int, term_id: int) -> HttpResponseBase:
    def act(compound: Any) -> str:
        term = get_object_or_404(CommitteeTerm, pk=term_id, committee__compound=compound)
        outcome = elections.election_apply(actor=request.actor, term=term)
        done = _("按选举结果登记委员%(n)d名。") % {"n": len(outcome.members)}
        if outcome.not_seated:
            done += _("%(names)s当选但已不是本小区业主，未登记。") % {"names": "、".join(outcome.not_seated)}
        return done

    return _registrar_post(request, compound_id, act)


@login_required
@require_POST
def position_set(request: ActorRequest, compound_id: int, term_id: int) -> HttpResponseBase:
    def act(compound: Any) -> str:
        committee = selectors.committee_view(compound=compound, on=timezone.localdate())
        data = cleaned_or_error(PositionForm(request.POST, members=_members(committee)))
        member = get_object_or_404(
            CommitteeMember, pk=data["member"], term_id=term_id, term__committee__compound=compound
        )
        elections.member_position_set(actor=request.actor, member=member, position=data["position"])
        return _("已登记职务。")

    return _registrar_post(request, compound_id, act)


# --- managers ----------------------------------------------------------------------------------------


@login_required
def manager_list(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    if not (may_register(actor) or actor.has_role(*STAFF_ROLES)):
        raise Http404
    form = ManagerForm(request.POST or None) if may_register(actor) else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            manager = services.manager_register(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已登记 %(name)s。") % {"name": manager.name})
            return redirect("stewardship:manager-list")
    today = timezone.localdate()
    served = services.current_contracts(on=today)
    managers = [
        {"manager": m, "compounds": [c.compound for c in served.filter(manager=m).select_related("compound")]}
        for m in visible_managers(actor).order_by("kind", "name")
    ]
    return render(request, "stewardship/manager_list.html", {"managers": managers, "form": form})


# --- ledgers -----------------------------------------------------------------------------------------


def _month(request: ActorRequest) -> str:
    month = request.GET.get("month") or f"{timezone.localdate():%Y-%m}"
    try:
        selectors.month_bounds(month)
    except ValueError as exc:
        raise Http404 from exc
    return month


@login_required
def ledger(request: ActorRequest, compound_id: int) -> HttpResponse:
    actor = request.actor
    compound = selectors.compound_get(actor=actor, compound_id=compound_id)
    side = ledger_side_of(actor, compound)
    if side is None and not is_staff_for(actor, compound):
        raise Http404
    month = _month(request)
    first, last = selectors.month_bounds(month)
    entries = selectors.ledger_month(actor=actor, compound=compound, first=first, last=last)
    page = Paginator(entries, settings.GONGZHI_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    sides = selectors.ledger_sides(compound=compound, on=min(today, last))
    if side == LedgerSide.MANAGER:
        sides = [s for s in sides if s == LedgerSide.MANAGER]
    previous = (first.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    following = (last + dt.timedelta(days=1)).strftime("%Y-%m") if last < today else ""
    return render(
        request,
        "stewardship/ledger.html",
        {
            "compound": compound,
            "month": month,
            "previous": previous,
            "following": following,
            "page_obj": page,
            "completeness": [selectors.completeness(compound=compound, side=s, first=first, last=last) for s in sides],
            "keeps": side,
            "may_comment": may_comment(actor, compound),
            "comment_form": CommentForm(),
        },
    )


@login_required
def ledger_new(request: ActorRequest, compound_id: int) -> HttpResponse:
    actor = request.actor
    compound = selectors.compound_get(actor=actor, compound_id=compound_id)
    if ledger_side_of(actor, compound) is None:
        raise Http404
    form = LedgerForm(request.POST or None, request.FILES or None, initial={"day": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.ledger_add(
                actor=actor,
                compound=compound,
                kind=data["kind"],
                day=data["day"],
                text=data["text"],
                photos=photos_clean(data["photos"]),
            )
        except NotAllowed as exc:
            return HttpResponseForbidden(exc.message)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已记入 %(d)s 的台账。") % {"d": entry.day})
            return redirect(reverse("stewardship:ledger", args=[compound.pk]) + f"?month={entry.day:%Y-%m}")
    return render(request, "stewardship/ledger_form.html", {"compound": compound, "form": form})


@login_required
@require_POST
def ledger_comment(request: ActorRequest, entry_id: int) -> HttpResponseBase:
    actor = request.actor
    entry = get_object_or_404(visible_entries(actor).select_related("compound"), pk=entry_id)
    form = CommentForm(request.POST)
    try:
        services.ledger_comment(actor=actor, entry=entry, text=cleaned_or_error(form)["text"])
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已点评。"))
    return redirect(reverse("stewardship:ledger", args=[entry.compound_id]) + f"?month={entry.day:%Y-%m}")


@login_required
def ledger_photo(request: ActorRequest, ledger_photo_id: int) -> HttpResponseBase:
    photo = get_object_or_404(LedgerPhoto.objects.filter(entry__in=visible_entries(request.actor)), pk=ledger_photo_id)
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")


@login_required
def ledger_export(request: ActorRequest, compound_id: int) -> HttpResponseBase:
    actor = request.actor
    compound = selectors.compound_get(actor=actor, compound_id=compound_id)
    if ledger_side_of(actor, compound) is None and not is_staff_for(actor, compound):
        raise Http404
    first, last = selectors.month_bounds(_month(request))
    return exports.ledger_export(actor=actor, compound=compound, first=first, last=last)
