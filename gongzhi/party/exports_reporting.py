"""双报到 exports: the register and the quarterly feedback sheet as Excel, the sheet as PDF. Each writes an
access-log row (export of party.member): they name members."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.http import FileResponse, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.audit import access_record
from gongzhi.core.xlsx import Column, xlsx_response
from gongzhi.party import reporting
from gongzhi.party.models import Registration, WorkUnit
from gongzhi.party.reporting import FeedbackSheet
from gongzhi.volunteering.hours import hours_text

REGISTER_COLUMNS = [
    Column(_("姓名"), 10),
    Column(_("报到党组织"), 24),
    Column(_("工作单位"), 26),
    Column(_("职务/岗位"), 14),
    Column(_("组织关系所在党组织"), 26),
    Column(_("党员类别"), 10),
    Column(_("居住楼栋"), 26),
    Column(_("状态"), 8),
    Column(_("提交时间"), 16),
    Column(_("回执编号"), 14),
]
SHEET_COLUMNS = [
    Column(_("姓名"), 10),
    Column(_("职务/岗位"), 14),
    Column(_("居住地"), 28),
    Column(_("服务次数"), 10),
    Column(_("服务时长（小时）"), 14),
    Column(_("认领需求"), 10),
    Column(_("最近评议"), 14),
]


def _notice(actor: Actor) -> str:
    now = timezone.localtime()
    return _("党员信息属受限数据，仅供工作使用，不得外传。导出人：%(u)s，%(t)s") % {
        "u": actor.display_name or actor.username,
        "t": f"{now:%Y-%m-%d %H:%M}",
    }


def _log(actor: Actor, *, subject_id: str, label: str, reason: str, rows: int) -> None:
    access_record(
        actor=actor,
        action="export",
        subject_type="party.member",
        subject_id=subject_id,
        subject_label=label,
        fields="registration",
        reason=reason,
        row_count=rows,
    )


def register_export(*, actor: Actor, registrations: list[Registration]) -> FileResponse:
    names = reporting.ancestor_names([r.residence for r in registrations])
    _log(actor, subject_id="", label=_("双报到登记"), reason=_("导出双报到登记"), rows=len(registrations))

    def rows() -> Iterator[Sequence[Any]]:
        for r in registrations:
            yield (
                r.person.name,
                r.organisation.name,
                r.work_unit.name,
                r.post,
                r.holding_organisation,
                r.get_member_kind_display(),
                reporting.residence_label(r.residence, names),
                r.get_status_display(),
                f"{timezone.localtime(r.submitted_at):%Y-%m-%d %H:%M}",
                reporting.receipt_number(r) if r.decided_at and r.status != "declined" else "",
            )

    return xlsx_response(
        filename=f"双报到登记{timezone.localdate():%Y%m%d}.xlsx",
        title=_("在职党员到社区报到登记"),
        columns=REGISTER_COLUMNS,
        rows=rows(),
        notice=_notice(actor),
    )


def _sheet_title(sheet: FeedbackSheet) -> str:
    return _("%(u)s %(y)d年第%(q)d季度在职党员到社区报到情况反馈") % {
        "u": sheet.work_unit.name,
        "y": sheet.year,
        "q": sheet.quarter,
    }


def _log_sheet(actor: Actor, work_unit: WorkUnit, sheet: FeedbackSheet, what: str) -> None:
    _log(
        actor,
        subject_id=str(work_unit.organisation_id),
        label=work_unit.name,
        reason=_("导出季度反馈（%(w)s）") % {"w": what},
        rows=len(sheet.rows),
    )


def feedback_xlsx(*, actor: Actor, work_unit: WorkUnit, sheet: FeedbackSheet) -> FileResponse:
    _log_sheet(actor, work_unit, sheet, "Excel")

    def rows() -> Iterator[Sequence[Any]]:
        for r in sheet.rows:
            yield (
                r.name,
                r.post,
                r.residence,
                r.services,
                hours_text(r.minutes),
                r.claims,
                f"{r.appraisal.year} {r.appraisal.get_result_display()}" if r.appraisal else "",
            )

    return xlsx_response(
        filename=f"{work_unit.name}{sheet.year}Q{sheet.quarter}反馈.xlsx",
        title=_sheet_title(sheet),
        columns=SHEET_COLUMNS,
        rows=rows(),
        notice=_notice(actor),
    )


def feedback_pdf(*, actor: Actor, work_unit: WorkUnit, sheet: FeedbackSheet) -> HttpResponse:
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s, and only this needs it

    _log_sheet(actor, work_unit, sheet, "PDF")
    html = render_to_string(
        "party/report_feedback_pdf.html",
        {
            "sheet": sheet,
            "title": _sheet_title(sheet),
            "total_hours": hours_text(sheet.total_minutes),
            "printed_at": timezone.localtime(),
        },
    )
    response = HttpResponse(bytes(HTML(string=html).write_pdf()), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="feedback-{sheet.year}Q{sheet.quarter}.pdf"'
    return response


def slip_pdf(*, actor: Actor, registration: Registration) -> HttpResponse:
    """The signed 报到单 with its receipt (回执) for the unit, as an A4 PDF. A keeper printing a member's slip
    is logged (it names them); the member printing their own is not."""
    from weasyprint import HTML

    if not reporting.is_own(actor, registration):
        access_record(
            actor=actor,
            action="print",
            subject_type="party.member",
            subject_id=str(registration.organisation_id),
            subject_label=registration.organisation.name,
            fields="registration",
            reason=_("打印报到单及回执"),
        )
    names = reporting.ancestor_names([registration.residence])
    html = render_to_string(
        "party/report_slip_pdf.html",
        {
            "r": registration,
            "residence": reporting.residence_label(registration.residence, names),
            "skills": reporting.choice_labels(registration.skills, "skills"),
            "posts": reporting.choice_labels(registration.service_posts, "service_posts"),
            "receipt": reporting.receipt_number(registration),
        },
    )
    response = HttpResponse(bytes(HTML(string=html).write_pdf()), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="slip-{reporting.receipt_number(registration)}.pdf"'
    return response
