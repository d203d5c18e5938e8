"""The monthly report: a real PDF with Chinese text and charts, an Excel whose figures are the tiles', kept one
per month and node, generated on the 1st for everyone, and downloadable only within one's scope."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from gongzhi.cases.tests.helpers import report_leak
from gongzhi.cases.worktime import TZ
from gongzhi.core.actors import Actor
from gongzhi.core.exceptions import NotAllowed
from gongzhi.dashboards import board, reports, selectors, services, svgcharts
from gongzhi.dashboards.models import Figure, MonthlyReport
from gongzhi.dashboards.selectors import Focus
from gongzhi.dashboards.tasks import monthly_reports
from gongzhi.territory.models import Node

pytestmark = pytest.mark.django_db
PDFTOTEXT = Path("/usr/bin/pdftotext")


@pytest.fixture
def month(world, actor_of):  # type: ignore[no-untyped-def]
    """This month, with a case reported in grid A and two cases overdue there at the last snapshot."""
    report_leak(world, actor_of("jumin"))
    services.refresh()
    today = timezone.localdate()
    Figure.objects.update_or_create(
        day=today,
        key="cases_overdue",
        path=world.compound_x.path,
        grid_id=world.grid_a.pk,
        defaults={"value": 2},
    )
    return selectors.month_first(today)


def _pdf_text(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return subprocess.run(  # noqa: S603
            [str(PDFTOTEXT), "-layout", f.name, "-"], capture_output=True, text=True, check=True
        ).stdout


@pytest.mark.skipif(not PDFTOTEXT.exists(), reason="poppler-utils is not installed")
def test_report_pdf_carries_the_node_the_month_the_rate_charts_and_overdue(world, actor_of, month) -> None:  # type: ignore[no-untyped-def]
    report = reports.generate_month(month=month, node=world.community, by=actor_of("shequ"))
    pdf = bytes(report.pdf)
    assert pdf.startswith(b"%PDF-")
    text = _pdf_text(pdf)
    assert "第一社区" in text
    assert "按期结案率" in text
    assert f"{month.year}年{month.month}月" in text
    assert "每日上报案件" in text and "志愿服务时长" in text
    assert "暂无数据" in text  # no volunteer hours in the test world
    # The overdue table: grid A in compound X, two overdue.
    overdue = next(line for line in text.splitlines() if world.grid_a.code in line)
    assert world.compound_x.name in overdue and overdue.split()[-1] == "2"
    html = reports.report_html(reports.report_data(actor=actor_of("shequ"), node=world.community, month=month))
    assert html.count("<svg") == 3


def test_report_excel_figures_equal_the_tiles(world, actor_of, month) -> None:  # type: ignore[no-untyped-def]
    report = reports.generate_month(month=month, node=world.community, by=actor_of("shequ"))
    sheet = openpyxl.load_workbook(io.BytesIO(bytes(report.xlsx)), read_only=True).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    cells = {(r[0], r[1]): r[2] for r in rows}
    sections = board.headline_sections(
        actor=Actor.system("t"), focus=Focus(label="", node=world.community), today=selectors.month_last(month)
    )
    tiles = [(s.title, t) for s in sections for t in s.tiles]
    assert len(tiles) >= 10
    for title, tile in tiles:
        cell = cells[(title, tile.label)]
        assert (f"{cell:,}" if isinstance(cell, int) else cell) == tile.value, tile.label
    reported = next(t for _s, t in tiles if t.key == "cases_reported")
    assert reported.value == "1"
    assert sum(r[2] for r in rows if r[0] == "每日上报案件") == 1
    assert cells[("月末超期在办", f"{world.compound_x.name} {world.grid_a.name}（{world.grid_a.code}）")] == 2


def test_shequ_cannot_download_the_subdistricts_report(world, actor_of, client_of, month) -> None:  # type: ignore[no-untyped-def]
    mine = reports.generate_month(month=month, node=world.community, by=actor_of("shequ"))
    theirs = reports.generate_month(month=month, node=world.subdistrict, by=actor_of("jiedao"))
    shequ = client_of("shequ")
    assert shequ.get(reverse("dashboards:report-pdf", args=[theirs.pk])).status_code == 404
    assert shequ.get(reverse("dashboards:report-xlsx", args=[theirs.pk])).status_code == 404
    listing = shequ.get(reverse("dashboards:report-list")).content.decode()
    assert reverse("dashboards:report-pdf", args=[mine.pk]) in listing
    assert reverse("dashboards:report-pdf", args=[theirs.pk]) not in listing
    response = client_of("jiedao").get(reverse("dashboards:report-pdf", args=[theirs.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    expected = reports.report_filename(theirs, "pdf")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert re.search(r"%E6%9C%88%E6%8A%A5\.pdf$", response["Content-Disposition"])  # 月报.pdf
    assert expected.endswith("月报.pdf") and world.subdistrict.name in expected
    xlsx = client_of("jiedao").get(reverse("dashboards:report-xlsx", args=[theirs.pk]))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


def test_shequ_cannot_generate_the_subdistricts_report_and_a_grid_worker_none(world, actor_of, client_of) -> None:  # type: ignore[no-untyped-def]
    month = selectors.month_first(timezone.localdate(), 1)
    with pytest.raises(NotAllowed):
        reports.generate_month(month=month, node=world.subdistrict, by=actor_of("shequ"))
    data = {"month": month.isoformat(), "node": world.subdistrict.pk}
    response = client_of("shequ").post(reverse("dashboards:report-generate"), data)
    assert response.status_code == 400
    assert "您不能生成该范围的月报。" in response.content.decode()
    assert client_of("wangge_a").post(reverse("dashboards:report-generate"), data).status_code == 404
    assert not MonthlyReport.objects.exists()


def test_regenerating_asks_first_and_keeps_one_row(world, client_of, month) -> None:  # type: ignore[no-untyped-def]
    shequ = client_of("shequ")
    url = reverse("dashboards:report-generate")
    data = {"month": month.isoformat(), "node": world.community.pk}
    assert shequ.post(url, data).status_code == 302
    first = MonthlyReport.objects.get()
    asked = shequ.post(url, data)
    assert asked.status_code == 200 and "替换" in asked.content.decode()
    assert MonthlyReport.objects.get().created_at == first.created_at
    assert shequ.post(url, {**data, "replace": "on"}).status_code == 302
    again = MonthlyReport.objects.get()
    assert again.pk == first.pk and again.created_at > first.created_at
    assert again.created_by == "社区工作者"
    future = {"month": selectors.month_first(month, -1).isoformat(), "node": world.community.pk}
    assert shequ.post(url, future).status_code == 400


def test_the_task_on_the_1st_makes_one_report_per_node_for_the_month_before(world) -> None:  # type: ignore[no-untyped-def]
    services.refresh()
    nodes = Node.objects.filter(kind__in=reports.REPORT_KINDS)
    with time_machine.travel(dt.datetime(2027, 1, 1, 6, 0, tzinfo=TZ), tick=False):
        assert monthly_reports.call() == nodes.count() == 3
        assert monthly_reports.call() == 3
    assert sorted(MonthlyReport.objects.values_list("node_id", flat=True)) == sorted(n.pk for n in nodes)
    assert set(MonthlyReport.objects.values_list("month", flat=True)) == {dt.date(2026, 12, 1)}


def test_charts_scale_in_integers_and_say_when_there_is_nothing() -> None:
    assert [svgcharts.nice_step(n) for n in (1, 4, 5, 9, 21, 399, 401)] == [1, 1, 2, 5, 10, 100, 200]
    assert svgcharts.axis_top([1, 0]) == (1, 1) and svgcharts.axis_top([3]) == (3, 1)
    assert svgcharts.axis_top([21]) == (40, 10)
    frame = svgcharts.Frame(height=230, top=30, bottom=30)  # a plot 170 high
    assert svgcharts.y_of(frame, 1, 3) == 200 - 57  # 170 / 3 = 56.67, rounded half up
    empty = svgcharts.bar_chart(title="志愿服务时长", labels=["1月", "2月"], values=[0, 0], empty="暂无数据")
    assert "暂无数据" in empty and "<rect x" in empty and 'fill="#2f6fb0"' not in empty
    bars = svgcharts.bar_chart(title="每日上报案件", labels=["1", "2", "3"], values=[3, 0, 1])
    assert bars.count('fill="#2f6fb0"') == 2
    line = svgcharts.line_chart(
        title="按期结案率", labels=["1月", "2月", "3月", "4月"], values=[955, None, 1000, 875],
        fmt=reports.tenths_percent, top=1000,
    )  # fmt: skip
    assert line.count("<polyline") == 1 and line.count("<circle") == 3
    assert "95.5%" in line and "87.5%" in line
    assert reports.month_label(dt.date(2026, 5, 1)) == "2026年5月"
    assert reports.hours_tenths(45) == 8 and reports.hours_tenths(39) == 7 and reports.hours_tenths(3) == 1
