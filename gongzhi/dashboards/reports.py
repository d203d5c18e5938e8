"""The monthly report (月报) of the subdistrict and of each community: the month's headline figures, three
charts drawn on the server (svgcharts), the sections' tables (the stewardship ranking, when a section
carries one) and the overdue cases at the month's end, as a PDF and an Excel of the same figures.

Generated on the 1st for the month before by the task ``monthly_reports`` and on demand from the reports
page; kept in ``MonthlyReport``, one row per month and node (a new generation replaces it). Everything in
it comes from the stored figures (dashboards.Figure) through selectors and the headline, like the cockpit.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.audit import audit_record
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.numbers import ratio_text
from gongzhi.core.xlsx import Column, write_xlsx
from gongzhi.dashboards import board, selectors, svgcharts
from gongzhi.dashboards.headline import Section
from gongzhi.dashboards.models import Figure, MonthlyReport
from gongzhi.dashboards.permissions import can_generate_report, figure_scope_q
from gongzhi.dashboards.selectors import Focus
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Grid, Node
from gongzhi.territory.permissions import visible_nodes

REPORT_KINDS = (NodeKind.SUBDISTRICT, NodeKind.COMMUNITY)
TREND_MONTHS = 12


@dataclass(frozen=True)
class OverdueRow:
    place: str  # the compound (or community) the grid lies in
    grid: str  # the grid's name and code; "未划网格" for what lies in none
    open: int
    overdue: int


@dataclass(frozen=True)
class MonthPoint:
    month: dt.date
    due: int
    on_time: int
    volunteer_minutes: int

    @property
    def rate_tenths(self) -> int | None:
        """The on-time rate in tenths of a percent, rounded half up; None when nothing was due."""
        if not self.due:
            return None
        return (2 * self.on_time * 1000 + self.due) // (2 * self.due)


@dataclass
class ReportData:
    month: dt.date
    node: Node
    sections: list[Section]
    days: list[tuple[dt.date, int]]  # cases reported per day of the month
    months: list[MonthPoint]  # the 12 months ending with this one
    overdue_day: dt.date | None  # the day of the last snapshot of open cases at or before the month's end
    overdue: list[OverdueRow]
    created_by: str
    created_at: dt.datetime
    charts: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return _("%(node)s %(month)s 月报") % {"node": self.node.name, "month": month_label(self.month)}

    @property
    def last(self) -> dt.date:
        return selectors.month_last(self.month)

    @property
    def overdue_total(self) -> int:
        return sum(r.overdue for r in self.overdue)


def month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def tenths_percent(value: int) -> str:
    return f"{value // 10}.{value % 10}%"


def hours_tenths(minutes: int) -> int:
    """Minutes as tenths of an hour, rounded half up."""
    return (2 * minutes * 10 + 60) // 120


def tenths(value: int) -> str:
    return f"{value // 10}.{value % 10}"


def report_nodes(*, actor: Actor) -> list[Node]:
    """The nodes whose report the actor may generate: the subdistrict and communities they hold."""
    nodes = visible_nodes(actor).filter(kind__in=REPORT_KINDS).order_by("path")
    return [n for n in nodes if can_generate_report(actor, n.path)]


def month_choices(today: dt.date) -> list[dt.date]:
    """The months a report can be generated for: this one (to date) and the 11 before, newest first."""
    return [selectors.month_first(today, back) for back in range(TREND_MONTHS)]


def _overdue_rows(actor: Actor, focus: Focus, day: dt.date) -> list[OverdueRow]:
    rows = (
        Figure.objects.filter(figure_scope_q(actor))
        .filter(focus.q, day=day, key__in=["cases_open", "cases_overdue"])
        .values_list("path", "grid_id", "key")
        .annotate(total=Sum("value"))
        .order_by()
    )
    cells: dict[tuple[str, int], dict[str, int]] = {}
    for path, grid_id, key, total in rows:
        cells.setdefault((path, grid_id), {"cases_open": 0, "cases_overdue": 0})[key] = int(total or 0)
    names = dict(Node.objects.filter(path__in={p for p, _g in cells}).values_list("path", "name"))
    grids = {g.pk: g for g in Grid.objects.filter(pk__in={g for _p, g in cells if g})}
    result = []
    for (path, grid_id), values in cells.items():
        if not values["cases_overdue"]:
            continue
        grid = grids.get(grid_id)
        result.append(
            OverdueRow(
                place=names.get(path, path),
                grid=f"{grid.name}（{grid.code}）" if grid else _("未划网格"),
                open=values["cases_open"],
                overdue=values["cases_overdue"],
            )
        )
    return sorted(result, key=lambda r: (-r.overdue, r.place, r.grid))


def report_data(*, actor: Actor, node: Node, month: dt.date, created_by: str = "") -> ReportData:
    """The figures of ``month`` for ``node``'s subtree, as the cockpit showed them on the month's last day."""
    month = selectors.month_first(month)
    last = selectors.month_last(month)
    focus = Focus(label=node.name, node=node)
    daily = selectors.by_day(actor=actor, focus=focus, keys=["cases_reported"], since=month, until=last)
    monthly = selectors.by_month(
        actor=actor,
        focus=focus,
        keys=["cases_due", "cases_due_on_time", "volunteer_minutes"],
        last=month,
        months=TREND_MONTHS,
    )
    overdue_day = selectors.stock_day(keys=["cases_overdue"], on=last)
    data = ReportData(
        month=month,
        node=node,
        sections=board.headline_sections(actor=actor, focus=focus, today=last),
        days=[(day, values["cases_reported"]) for day, values in daily.items()],
        months=[MonthPoint(m, v["cases_due"], v["cases_due_on_time"], v["volunteer_minutes"]) for m, v in monthly],
        overdue_day=overdue_day,
        overdue=_overdue_rows(actor, focus, overdue_day) if overdue_day else [],
        created_by=created_by or actor.display_name or actor.username,
        created_at=timezone.localtime(),
    )
    data.charts = report_charts(data)
    return data


def report_charts(data: ReportData) -> dict[str, str]:
    month_labels = [f"{p.month.month}月" for p in data.months]
    return {
        "cases_per_day": svgcharts.bar_chart(
            title=_("每日上报案件（件）"),
            labels=[str(day.day) for day, _n in data.days],
            values=[n for _day, n in data.days],
            every=5,
            empty=_("暂无数据"),
        ),
        "on_time_rate": svgcharts.line_chart(
            title=_("按期结案率（近 12 个月）"),
            labels=month_labels,
            values=[p.rate_tenths for p in data.months],
            fmt=tenths_percent,
            top=1000,
            empty=_("暂无数据"),
        ),
        "volunteer_hours": svgcharts.bar_chart(
            title=_("志愿服务时长（小时，近 12 个月）"),
            labels=month_labels,
            values=[hours_tenths(p.volunteer_minutes) for p in data.months],
            fmt=tenths,
            empty=_("暂无数据"),
        ),
    }


def report_html(data: ReportData) -> str:
    return render_to_string("dashboards/report_pdf.html", {"r": data, "tenths_percent": tenths_percent})


def report_pdf(data: ReportData) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s, and only this needs it

    return bytes(HTML(string=report_html(data)).write_pdf())


def _cell(value: str) -> Any:
    """A tile's value as Excel should hold it: a whole number as a number, anything else ("95.0%", "—") as
    the text the tile shows."""
    plain = value.replace(",", "")
    return int(plain) if plain.lstrip("-").isdigit() else value


XLSX_COLUMNS = [
    Column(_("类别"), 22),
    Column(_("项目"), 28),
    Column(_("数值"), 14),
    Column(_("较上月"), 16),
    Column(_("说明"), 60),
]


def xlsx_rows(data: ReportData) -> list[list[Any]]:
    """The report's figures as rows of (类别, 项目, 数值, 较上月, 说明): the tiles, the sections' tables, the
    charts' series and the overdue cases per grid."""
    rows: list[list[Any]] = []
    for section in data.sections:
        for tile in section.tiles:
            rows.append([section.title, tile.label, _cell(tile.value), tile.change, tile.help])
        for line in section.rows:
            rows.append([f"{section.title}·{line.group}", line.label, _cell(line.value), "", line.note])
    for day, n in data.days:
        rows.append([_("每日上报案件"), day, n, "", ""])
    for p in data.months:
        rate = tenths_percent(p.rate_tenths) if p.rate_tenths is not None else "—"
        note = _("按期结案 %(a)s / 应结案 %(b)s") % {"a": p.on_time, "b": p.due}
        rows.append([_("按期结案率（月）"), month_label(p.month), rate, "", note])
    for p in data.months:
        hours = ratio_text(p.volunteer_minutes, 60, scale=1, places=1)
        note = _("%(m)s 分钟") % {"m": p.volunteer_minutes}
        rows.append([_("志愿服务时长（小时）"), month_label(p.month), hours, "", note])
    for r in data.overdue:
        rows.append([_("月末超期在办"), f"{r.place} {r.grid}", r.overdue, "", _("在办 %(n)s 件") % {"n": r.open}])
    return rows


def report_xlsx(data: ReportData) -> bytes:
    out = io.BytesIO()
    notice = _("%(title)s · %(by)s 生成于 %(at)s · 数据来自驾驶舱的聚合数据") % {
        "title": data.title,
        "by": data.created_by,
        "at": f"{data.created_at:%Y-%m-%d %H:%M}",
    }
    write_xlsx(out, title=data.title, columns=XLSX_COLUMNS, rows=xlsx_rows(data), notice=notice)
    return out.getvalue()


def generate_month(*, month: dt.date, node: Node, by: Actor) -> MonthlyReport:
    """Generate ``node``'s report of ``month`` and keep it, replacing that month's report if there is one."""
    if not can_generate_report(by, node.path):
        raise NotAllowed(_("您不能生成该范围的月报。"))
    if node.kind not in REPORT_KINDS:
        raise DomainError(_("月报只为街道和社区生成。"), field="node")
    month = selectors.month_first(month)
    if month > selectors.month_first(timezone.localdate()):
        raise DomainError(_("不能生成未来月份的月报。"), field="month")
    data = report_data(actor=by, node=node, month=month)
    pdf, xlsx = report_pdf(data), report_xlsx(data)
    with transaction.atomic():
        report, created = MonthlyReport.objects.update_or_create(
            month=month,
            node_id=node.pk,
            defaults={
                "node_path": node.path,
                "node_name": node.name,
                "pdf": pdf,
                "xlsx": xlsx,
                "created_by": data.created_by[:150],
                "created_at": timezone.now(),
            },
        )
        audit_record(
            actor=by,
            action="dashboards.report_generate",
            target=report,
            label=str(report),
            after={"month": month.isoformat(), "node": node.pk, "replaced": not created},
        )
    return report


def report_existing(*, month: dt.date, node: Node) -> MonthlyReport | None:
    """The kept report of that month and node, without its files (the 生成 form asks before replacing it)."""
    return MonthlyReport.objects.filter(month=month, node_id=node.pk).defer("pdf", "xlsx").first()


def generate_all(*, month: dt.date) -> list[MonthlyReport]:
    """The month's reports of the subdistrict and every community (the scheduled run)."""
    system = Actor.system("月报定时生成")
    nodes = Node.objects.filter(kind__in=REPORT_KINDS).order_by("path")
    return [generate_month(month=month, node=node, by=system) for node in nodes]


def report_filename(report: MonthlyReport, ext: str) -> str:
    return f"{report.node_name}{month_label(report.month)}月报.{ext}"
