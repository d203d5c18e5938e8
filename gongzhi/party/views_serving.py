"""送服务 pages of an organisation: its party service activities (volunteering activities it tagged), what its
members served this month and year, and the form that publishes a new one. Sign-up, check-in and
certification happen on the volunteering activity's own pages, which these link to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.http import ActorRequest, add_domain_error
from gongzhi.party import selectors, services, serving
from gongzhi.party.choices import OrgKind
from gongzhi.party.permissions import may_keep
from gongzhi.volunteering.forms import ActivityForm
from gongzhi.volunteering.services import ActivityData


@login_required
def service_list(request: ActorRequest, organisation_id: int) -> HttpResponse:
    actor = request.actor
    organisation = selectors.organisation_get(actor=actor, organisation_id=organisation_id)
    today = timezone.localdate()
    month_start, year_start = today.replace(day=1), today.replace(month=1, day=1)
    members = list(selectors.member_list(actor=actor, organisation=organisation))
    page = Paginator(serving.service_activity_list(organisation=organisation), settings.GONGZHI_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    year_minutes = serving.member_service_minutes(members, since=year_start, until=today)
    # Names with their hours are member data: the table shown is a reveal, logged with its row count.
    served = sorted(
        ((m, year_minutes[m.pk]) for m in members if year_minutes.get(m.pk)),
        key=lambda pair: (-pair[1], pair[0].person.name_pinyin),
    )
    services.members_reveal(actor=actor, organisation=organisation, row_count=len(served), reason=_("查看党员服务时长"))
    month = serving.organisation_service_totals(
        organisation=organisation, members=members, since=month_start, until=today
    )
    year = serving.organisation_service_totals(
        organisation=organisation, members=members, since=year_start, until=today
    )
    context: dict[str, Any] = {
        "organisation": organisation,
        "month": month,
        "year": year,
        "page_obj": page,
        "tags": list(page),
        "served": served,
        "keeps": may_keep(actor, organisation) and organisation.kind != OrgKind.GROUP,
        "today": today,
    }
    return render(request, "party/service_list.html", context)


def _form(request: ActorRequest, organisation: Any) -> ActivityForm:
    """The volunteering activity form, offered the places the organisation covers."""
    nodes = list(organisation.territory.order_by("path"))
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    initial: dict[str, Any] = {
        "service_content": _("党员服务"),
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=2),
    }
    return ActivityForm(request.POST or None, nodes=nodes, teams=[], initial=initial)


@login_required
def service_create(request: ActorRequest, organisation_id: int) -> HttpResponseBase:
    actor = request.actor
    organisation = selectors.organisation_get(actor=actor, organisation_id=organisation_id)
    if not may_keep(actor, organisation) or organisation.kind == OrgKind.GROUP:
        raise PermissionDenied(_("只有本组织的书记或街道干部可以发布党员服务活动。"))
    form = _form(request, organisation)
    if request.method == "POST" and form.is_valid():
        try:
            tag = serving.service_activity_create(
                actor=actor, organisation=organisation, data=ActivityData(**form.cleaned_data)
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("党员服务活动已发布：党员报名、签到签退和时长认定在活动页办理。"))
            return redirect("volunteering:activity-detail", activity_id=tag.activity_id)
    return render(request, "party/service_form.html", {"organisation": organisation, "form": form})
