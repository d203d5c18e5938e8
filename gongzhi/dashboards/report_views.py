"""The monthly reports' pages: the list with the 生成 form, the confirmation before a report is replaced,
and the PDF and Excel downloads."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.http import ActorRequest, action_attempt
from gongzhi.core.xlsx import XLSX_CONTENT_TYPE
from gongzhi.dashboards import reports, selectors
from gongzhi.dashboards.models import MonthlyReport
from gongzhi.dashboards.permissions import REPORT_ROLES
from gongzhi.dashboards.report_forms import ReportForm


def _form(request: ActorRequest, data: object = None) -> ReportForm | None:
    """The 生成 form, for whoever may generate a report of some node; None for everyone else."""
    nodes = reports.report_nodes(actor=request.actor)
    if not nodes:
        return None
    months = reports.month_choices(timezone.localdate())
    return ReportForm(data, months=months, nodes=nodes, initial={"month": months[min(1, len(months) - 1)]})


def _list(request: ActorRequest, form: ReportForm | None, status: int = 200) -> HttpResponse:
    context = {"reports": selectors.report_list(actor=request.actor), "form": form}
    return render(request, "dashboards/report_list.html", context, status=status)


@login_required
def report_list(request: ActorRequest) -> HttpResponse:
    return _list(request, _form(request))


@login_required
@require_POST
def report_generate(request: ActorRequest) -> HttpResponse:
    if not (request.actor.is_system or request.actor.has_role(*REPORT_ROLES)):
        raise Http404
    form = _form(request, request.POST)
    if form is None:
        raise Http404
    if not form.is_valid():
        return _list(request, form, status=400)
    month, node = form.cleaned_data["month"], form.chosen_node()
    existing = reports.report_existing(month=month, node=node)
    if existing is not None and not form.cleaned_data["replace"]:
        return render(request, "dashboards/report_confirm.html", {"form": form, "existing": existing, "node": node})
    refused = action_attempt(
        request,
        lambda: reports.generate_month(month=month, node=node, by=request.actor),
        _("已生成%(node)s %(month)s 月报。") % {"node": node.name, "month": reports.month_label(month)},
    )
    return refused or redirect("dashboards:report-list")


def _download(report: MonthlyReport, ext: str, content: bytes, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # RFC 6266 filename* for the Chinese name, with an ASCII fallback, as the other exports do.
    fallback = f"report-{report.month:%Y-%m}-{report.node_id}.{ext}"
    response["Content-Disposition"] = (
        f"attachment; filename={fallback}; filename*=UTF-8''{quote(reports.report_filename(report, ext))}"
    )
    return response


@login_required
def report_pdf(request: ActorRequest, report_id: int) -> HttpResponse:
    report = selectors.report_get(actor=request.actor, report_id=report_id)
    return _download(report, "pdf", bytes(report.pdf), "application/pdf")


@login_required
def report_xlsx(request: ActorRequest, report_id: int) -> HttpResponse:
    report = selectors.report_get(actor=request.actor, report_id=report_id)
    return _download(report, "xlsx", bytes(report.xlsx), XLSX_CONTENT_TYPE)
