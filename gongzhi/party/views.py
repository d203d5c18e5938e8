"""Party pages: the branch (committee, members, groups, warnings) for its secretary, the tree with coverage
figures for the subdistrict, the member list's export. Member lists are access-logged when shown."""

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

from gongzhi.core.exceptions import DomainError
from gongzhi.core.forms import cleaned_or_error
from gongzhi.core.http import ActorRequest, action_attempt, add_domain_error
from gongzhi.party import exports, selectors, services
from gongzhi.party.choices import OrgKind, Seat
from gongzhi.party.forms import CommitteeForm, ConsentForm, EndForm, MemberForm, MoveForm, OrganisationForm
from gongzhi.party.models import Organisation
from gongzhi.party.permissions import is_officer, may_create_organisation, may_keep, sees_party
from gongzhi.party.reporting import reporting_figures


def _party_only(request: ActorRequest) -> None:
    if not sees_party(request.actor):
        raise Http404


@login_required
def home(request: ActorRequest) -> HttpResponseBase:
    """The officer lands on the tree; a secretary on their branch (or their list, if they have several)."""
    _party_only(request)
    actor = request.actor
    if is_officer(actor):
        return redirect("party:tree")
    orgs = [o for o in selectors.organisation_list(actor=actor) if o.kind != OrgKind.GROUP]
    if len(orgs) == 1:
        return redirect("party:org-detail", organisation_id=orgs[0].pk)
    return redirect("party:tree")


@login_required
def tree(request: ActorRequest) -> HttpResponse:
    _party_only(request)
    actor = request.actor
    today = timezone.localdate()
    context: dict[str, Any] = {
        "rows": selectors.organisation_tree(actor=actor, on=today),
        "may_create": may_create_organisation(actor),
    }
    if is_officer(actor):
        subdistrict = selectors.subdistrict_of()
        if subdistrict is not None:
            context["coverage"] = selectors.coverage(under=subdistrict)
    context["figures"] = reporting_figures(actor=actor, year=today.year)
    return render(request, "party/tree.html", context)


def _org_form(request: ActorRequest, organisation: Organisation | None, data: Any = None) -> OrganisationForm:
    initial = {}
    if organisation is not None:
        initial = {
            "kind": organisation.kind,
            "name": organisation.name,
            "parent": organisation.parent_id,
            "territory": list(organisation.territory.values_list("pk", flat=True)),
            "manager": organisation.manager_id,
            "founded_on": organisation.founded_on,
            "is_active": organisation.is_active,
        }
    else:
        initial = {"kind": request.GET.get("kind", ""), "parent": request.GET.get("parent") or None}
    return OrganisationForm(
        data,
        initial=initial,
        parents=[
            p for p in selectors.parent_choices(actor=request.actor) if organisation is None or p[0] != organisation.pk
        ],
        places=selectors.place_choices(organisation=organisation),
        managers=selectors.manager_choices(),
        editing=organisation is not None,
    )


@login_required
def org_create(request: ActorRequest) -> HttpResponseBase:
    actor = request.actor
    if not may_create_organisation(actor):
        raise Http404
    form = _org_form(request, None, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = services.org_create(
                actor=actor,
                kind=data["kind"],
                name=data["name"],
                parent=_parent(request, data["parent"]),
                territory=selectors.places_get(data["territory"]),
                manager=selectors.manager_get(data["manager"]),
                founded_on=data["founded_on"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已设立%(n)s。") % {"n": organisation.name})
            return redirect("party:org-detail", organisation_id=organisation.pk)
    return render(request, "party/org_form.html", {"form": form, "organisation": None})


def _parent(request: ActorRequest, parent_id: int | None) -> Organisation | None:
    if parent_id is None:
        return None
    return selectors.organisation_get(actor=request.actor, organisation_id=parent_id)


@login_required
def org_edit(request: ActorRequest, organisation_id: int) -> HttpResponseBase:
    actor = request.actor
    organisation = selectors.organisation_get(actor=actor, organisation_id=organisation_id)
    if not may_create_organisation(actor):
        raise Http404
    form = _org_form(request, organisation, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.org_update(
                actor=actor,
                organisation=organisation,
                name=data["name"],
                parent=_parent(request, data["parent"]),
                territory=selectors.places_get(data["territory"]),
                manager=selectors.manager_get(data["manager"]),
                founded_on=data["founded_on"],
                is_active=data["is_active"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("party:org-detail", organisation_id=organisation.pk)
    return render(request, "party/org_form.html", {"form": form, "organisation": organisation})


@login_required
def org_detail(request: ActorRequest, organisation_id: int) -> HttpResponse:
    actor = request.actor
    organisation = selectors.organisation_page_get(actor=actor, organisation_id=organisation_id)
    today = timezone.localdate()
    children, groups = selectors.children_of(organisation=organisation)
    term = selectors.current_term(organisation=organisation, on=today)
    seats = selectors.term_seats(term)
    check = selectors.organisation_check(
        organisation=organisation, on=today, term=term, seats=seats, groups=len(groups)
    )
    keeps = may_keep(actor, organisation)
    search = request.GET.get("q", "")
    page = Paginator(
        selectors.member_list(actor=actor, organisation=organisation, search=search), settings.GONGZHI_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    members = list(page)
    # Party membership is restricted: a page of the list shown is a reveal, logged with its row count.
    services.members_reveal(actor=actor, organisation=organisation, row_count=len(members))
    consents = selectors.current_consents(m.pk for m in members)
    for m in members:
        m.consent = consents.get(m.pk)  # type: ignore[attr-defined]
    is_group = organisation.kind == OrgKind.GROUP
    context: dict[str, Any] = {
        "organisation": organisation,
        "check": check,
        "term": term,
        "seats": seats,
        "territory": list(organisation.territory.all()),
        "children": children,
        "groups": groups,
        "links": selectors.linked_organisations(organisation=organisation, on=today),
        "page_obj": page,
        "members": members,
        "q": search,
        "keeps": keeps,
        "may_edit": may_create_organisation(actor),
        "is_group": is_group,
        "holds": organisation.kind != OrgKind.GROUP,
    }
    if keeps:
        person_q = request.GET.get("person_q", "")
        context.update(
            person_q=person_q,
            member_form=MemberForm(
                people=selectors.person_candidates(actor=actor, organisation=organisation, search=person_q)
            ),
            committee_form=CommitteeForm(
                members=selectors.seat_choices(actor=actor, organisation=organisation), is_group=is_group
            ),
            # Repeated on every member's row: without ids, so the page has no duplicate ones.
            move_form=MoveForm(groups=[(g.pk, g.name) for g in groups], auto_id=False),
            end_form=EndForm(initial={"on": today}, auto_id=False),
            consent_form=ConsentForm(auto_id=False),
        )
    return render(request, "party/org_detail.html", context)


def _keeper_post(request: ActorRequest, organisation: Organisation, act: Any) -> HttpResponseBase:
    """Run one action on the organisation page; a refusal shows above the page, nothing written."""
    return action_attempt(request, act) or redirect("party:org-detail", organisation_id=organisation.pk)


@login_required
@require_POST
def member_add(request: ActorRequest, organisation_id: int) -> HttpResponseBase:
    actor = request.actor
    organisation = selectors.organisation_get(actor=actor, organisation_id=organisation_id)

    def act() -> str:
        # The person was offered by the search; the service checks they exist and are not on the roll.
        form = MemberForm(request.POST, people=[(int(request.POST.get("person") or 0), "")])
        data = cleaned_or_error(form)
        outside = data["outside_organisation"].strip()
        member = services.member_add(
            actor=actor,
            person_id=data["person"],
            kind=data["kind"],
            joined_on=data["joined_on"],
            organisation=None if outside else organisation,
            outside_organisation=outside,
        )
        return _("已登记党员%(n)s。") % {"n": member.person.name}

    if not may_keep(actor, organisation):
        return HttpResponseForbidden(_("只有本组织的书记或街道干部可以办理。"))
    return _keeper_post(request, organisation, act)


@login_required
def member_export(request: ActorRequest, organisation_id: int) -> HttpResponseBase:
    actor = request.actor
    organisation = selectors.organisation_get(actor=actor, organisation_id=organisation_id)
    return exports.member_export(actor=actor, organisation=organisation)


@login_required
@require_POST
def committee_set(request: ActorRequest, organisation_id: int) -> HttpResponseBase:
    actor = request.actor
    organisation = selectors.organisation_get(actor=actor, organisation_id=organisation_id)
    is_group = organisation.kind == OrgKind.GROUP

    def act() -> str:
        data = cleaned_or_error(
            CommitteeForm(
                request.POST, members=selectors.seat_choices(actor=actor, organisation=organisation), is_group=is_group
            )
        )
        wanted: list[tuple[int, str]] = []
        if is_group:
            wanted.append((data["secretary"], Seat.GROUP_LEADER))
        else:
            for name in CommitteeForm.SEATS:
                if data.get(name) is not None:
                    wanted.append((data[name], name))
            wanted += [(pk, Seat.MEMBER) for pk in data.get("others", [])]
        found = selectors.members_by_ids(actor=actor, ids=[pk for pk, _s in wanted])
        services.committee_set(
            actor=actor,
            organisation=organisation,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            seats=[(found[pk], seat) for pk, seat in wanted if pk in found],
        )
        return _("已登记本届组成。")

    return _keeper_post(request, organisation, act)


def _member_post(request: ActorRequest, member_id: int, act: Any) -> HttpResponseBase:
    member = selectors.member_get(actor=request.actor, member_id=member_id)
    back = member.organisation or member.group
    refused = action_attempt(request, lambda: act(member))
    if refused is not None:
        return refused
    if back is None:
        return redirect("party:home")
    return redirect("party:org-detail", organisation_id=back.pk)


@login_required
@require_POST
def member_move(request: ActorRequest, member_id: int) -> HttpResponseBase:
    actor = request.actor

    def act(member: Any) -> str:
        groups = selectors.groups_of(organisation=member.organisation) if member.organisation else []
        data = cleaned_or_error(MoveForm(request.POST, groups=[(g.pk, g.name) for g in groups]))
        group = next((g for g in groups if g.pk == data["group"]), None)
        services.member_move(actor=actor, member=member, group=group)
        return _("已编入%(g)s。") % {"g": group.name} if group else _("已移出党小组。")

    return _member_post(request, member_id, act)


@login_required
@require_POST
def member_end(request: ActorRequest, member_id: int) -> HttpResponseBase:
    actor = request.actor

    def act(member: Any) -> str:
        data = cleaned_or_error(EndForm(request.POST))
        services.member_end(actor=actor, member=member, status=data["status"], on=data["on"])
        return _("已办理。")

    return _member_post(request, member_id, act)


@login_required
@require_POST
def consent_give(request: ActorRequest, member_id: int) -> HttpResponseBase:
    actor = request.actor

    def act(member: Any) -> str:
        data = cleaned_or_error(ConsentForm(request.POST))
        services.consent_give(
            actor=actor, member=member, shows_badge=data["shows_badge"], shows_household=data["shows_household"]
        )
        return _("已登记亮身份同意。")

    return _member_post(request, member_id, act)


@login_required
@require_POST
def consent_withdraw(request: ActorRequest, member_id: int) -> HttpResponseBase:
    actor = request.actor

    def act(member: Any) -> str:
        services.consent_withdraw(actor=actor, member=member)
        return _("已撤回亮身份。")

    return _member_post(request, member_id, act)
