"""Import and export pages: the ledgers staff keep in Excel."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseForbidden
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.http import ActorRequest
from gongzhi.core.xlsx import XLSX_CONTENT_TYPE, xlsx_response
from gongzhi.registry import exporting, imports, selectors
from gongzhi.registry.forms import ExportForm, ImportForm, PersonFilterForm
from gongzhi.registry.importing import write_template
from gongzhi.registry.permissions import can_export_registry, can_import_registry
from gongzhi.territory import selectors as territory_selectors


@login_required
def import_page(request: ActorRequest) -> HttpResponseBase:
    if not can_import_registry(request.actor):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_job_start(
                actor=request.actor,
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["mode"] == "dry_run",
                valid_rows_only=form.cleaned_data["mode"] == "valid_rows_only",
            )
        except DomainError as exc:
            form.add_error("file" if exc.field == "file" else None, exc.message)
        else:
            return redirect("registry:import-detail", job_id=job.pk)
    return render(
        request, "registry/import.html", {"form": form, "jobs": imports.import_job_list(actor=request.actor)[:20]}
    )


@login_required
def import_template(request: ActorRequest) -> HttpResponseBase:
    buffer = io.BytesIO()
    write_template(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename="人口台账导入模板.xlsx", content_type=XLSX_CONTENT_TYPE)


@login_required
def import_detail(request: ActorRequest, job_id: int) -> HttpResponseBase:
    job = imports.import_job_get(actor=request.actor, job_id=job_id)
    template = "registry/_import_progress.html" if request.htmx else "registry/import_detail.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})


@login_required
def import_rejects(request: ActorRequest, job_id: int) -> HttpResponseBase:
    job = imports.import_job_get(actor=request.actor, job_id=job_id)
    if not job.rejects_file:
        raise Http404
    return FileResponse(
        job.rejects_file.open("rb"),
        as_attachment=True,
        filename=f"未导入的行-{job.original_name}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


def _filters(request: ActorRequest) -> dict[str, object]:
    if not can_export_registry(request.actor):
        raise Http404
    form = PersonFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    actor = request.actor
    return {
        "search": data.get("q") or "",
        "node": territory_selectors.node_get(actor=actor, node_id=data["node"]) if data.get("node") else None,
        "grid_id": territory_selectors.grid_get(actor=actor, grid_id=data["grid"]).pk if data.get("grid") else None,
        "care_tag_id": data["care_tag"].pk if data.get("care_tag") else None,
    }


@login_required
def export_people(request: ActorRequest) -> HttpResponseBase:
    """GET: a masked export of the filtered list. POST (with a reason): unmasked, for roles that may reveal."""
    filters = _filters(request)
    form = ExportForm(request.POST or None)
    unmasked = request.method == "POST"
    if unmasked and not form.is_valid():
        messages.error(request, _("导出完整信息须填写原因（至少4个字）。"))
        return redirect(f"{reverse('registry:person-list')}?{request.GET.urlencode()}")
    try:
        export = exporting.people_export(
            actor=request.actor,
            people=selectors.person_list(actor=request.actor, **filters),  # type: ignore[arg-type]
            unmasked=unmasked,
            reason=form.cleaned_data.get("reason", "") if unmasked else "",
        )
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("registry:person-list")
    return xlsx_response(
        filename=export.filename, title=export.title, columns=export.columns, rows=export.rows, notice=export.notice
    )


@login_required
def export_households(request: ActorRequest) -> HttpResponseBase:
    filters = _filters(request)
    try:
        export = exporting.households_export(
            actor=request.actor,
            households=selectors.household_list(actor=request.actor, grid_id=filters["grid_id"], node=filters["node"]),  # type: ignore[arg-type]
        )
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    return xlsx_response(
        filename=export.filename, title=export.title, columns=export.columns, rows=export.rows, notice=export.notice
    )


@login_required
def export_dwellings(request: ActorRequest) -> HttpResponseBase:
    filters = _filters(request)
    try:
        export = exporting.dwellings_export(
            actor=request.actor,
            dwellings=selectors.dwelling_search(actor=request.actor, grid_id=filters["grid_id"], node=filters["node"]),  # type: ignore[arg-type]
        )
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    return xlsx_response(
        filename=export.filename, title=export.title, columns=export.columns, rows=export.rows, notice=export.notice
    )
