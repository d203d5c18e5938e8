from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.cases.measures import GROUPS, MeasureRow, case_measures, ratio_text, total
from gongzhi.cases.permissions import may_see_measures
from gongzhi.cases.views import _render
from gongzhi.core.http import ActorRequest
from gongzhi.core.xlsx import Column, xlsx_response


def _params(request: ActorRequest) -> tuple[dt.date, str]:
    if not may_see_measures(request.actor):
        raise Http404
    by = request.GET.get("by", "grid")
    by = by if by in GROUPS else "grid"
    try:
        year, month_number = request.GET.get("month", "").split("-")
        month = dt.date(int(year), int(month_number), 1)
    except ValueError:
        month = timezone.localdate().replace(day=1)
    return month, by


def _cells(row: MeasureRow) -> list[object]:
    return [
        row.label,
        row.due,
        row.closed,
        row.on_time,
        ratio_text(row.on_time, row.due, suffix="%"),
        ratio_text(row.closed, row.due, suffix="%"),
        ratio_text(row.reworked, row.due, suffix="%"),
        ratio_text(row.handling_minutes, row.handled * 60, scale=1),
        ratio_text(row.rating_sum, row.rated, scale=1, places=2),
        ratio_text(row.satisfied, row.rated, suffix="%"),
    ]


HEADERS = [
    gettext_lazy("名称"),
    gettext_lazy("应结案"),
    gettext_lazy("结案"),
    gettext_lazy("按期结案"),
    gettext_lazy("按期结案率"),
    gettext_lazy("结案率"),
    gettext_lazy("返工率"),
    gettext_lazy("平均处置用时（工作时）"),
    gettext_lazy("平均满意度"),
    gettext_lazy("满意率"),
]


@login_required
def measures(request: ActorRequest) -> HttpResponse:
    month, by = _params(request)
    rows = case_measures(actor=request.actor, month=month, by=by)
    chart = {
        "labels": [r.label for r in rows],
        "on_time": [ratio_text(r.on_time, r.due) if r.due else 0 for r in rows],
        "closure": [ratio_text(r.closed, r.due) if r.due else 0 for r in rows],
        "names": [str(_("按期结案率")), str(_("结案率"))],
    }
    return _render(
        request,
        "cases/measures.html",
        {
            # Built here rather than in a template loop: by grid, the officer's table has thousands of rows.
            "rows_html": format_html_join("\n", "<tr>" + "<td>{}</td>" * len(HEADERS) + "</tr>", map(_cells, rows)),
            "has_rows": bool(rows),
            "total": _cells(total(rows)) if rows else None,
            "headers": HEADERS,
            "month": month.strftime("%Y-%m"),
            "by": by,
            "groups": [(k, v[1]) for k, v in GROUPS.items()],
            "chart": chart,
        },
    )


@login_required
def measures_export(request: ActorRequest) -> FileResponse:
    month, by = _params(request)
    rows = case_measures(actor=request.actor, month=month, by=by)
    columns = [Column(str(h), width=14) for h in HEADERS]
    data = [_cells(r) for r in rows] + ([_cells(total(rows))] if rows else [])
    notice = _("%(user)s 于 %(at)s 导出") % {
        "user": request.actor.username,
        "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }
    return xlsx_response(
        filename=f"事件考核-{month:%Y-%m}-{by}.xlsx",
        title=str(_("事件考核")),
        columns=columns,
        rows=data,
        notice=notice,
    )
