"""Issue 17 "done means", in the browser (and the monthly report's PDF, in the second test): jiedao opens the cockpit, switches the map to overdue cases,
drills down (a click on the map, then the table's links) to a grid and reaches the overdue case's page;
wangge_a sees only grid A's figures; the big screen at 1920×1080 and the phone layout at 390×844 fit.
Screenshots go to /tmp/shots/cockpit/."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.cases.choices import CaseStatus
from gongzhi.cases.models import Case
from gongzhi.cases.services import case_report, place_locate
from gongzhi.cases.tests.helpers import clean_photo, leak, report_leak
from gongzhi.dashboards import services
from gongzhi.territory.models import Grid
from gongzhi.testing.world import PASSWORD
from tests.e2e.conftest import login

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]

SHOTS = Path(os.environ.get("GONGZHI_SHOTS", "/tmp/shots")) / "cockpit"  # noqa: S108 (a place to look at)


def _overdue(case: Case) -> Case:
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.DISPATCHED, deadline_at=timezone.now() - dt.timedelta(hours=5)
    )
    return case


def _world_with_overdue_cases(world) -> tuple[Case, Case]:  # type: ignore[no-untyped-def]
    for i, grid in enumerate([world.grid_a, world.grid_b, world.grid_c]):
        ring = [
            [117.2 + i * 0.01, 31.8],
            [117.21 + i * 0.01, 31.8],
            [117.21 + i * 0.01, 31.81],
            [117.2 + i * 0.01, 31.81],
        ]
        Grid.objects.filter(pk=grid.pk).update(boundary={"type": "Polygon", "coordinates": [[*ring, ring[0]]]})
    in_a = _overdue(report_leak(world, actor_for_user(world.user("jumin"))))
    in_c = _overdue(
        case_report(
            actor=actor_for_user(world.user("jiedao")),
            category=leak(),
            description="9号楼楼道灯坏了",
            place=place_locate(dwelling=world.dwellings["9-101"]),
            photos=[clean_photo()],
        )
    )
    services.refresh()
    return in_a, in_c


def _as(browser, live_server, username, errors, width=1280, height=900):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live_server, username, PASSWORD)
    return page


def _fits(page, width: int) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_jiedao_drills_down_to_an_overdue_case_and_wangge_a_sees_only_grid_a(world, live_server, browser):
    in_a, in_c = _world_with_overdue_cases(world)
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []

    jiedao = _as(browser, live_server, "jiedao", errors)
    jiedao.get_by_role("link", name="驾驶舱").first.click()
    jiedao.wait_for_selector("#cockpit-map[data-ready='1']")
    assert jiedao.inner_text("[data-figure='cases_overdue'] .ck-tile-value") == "2"
    # The map drew from the map JSON it fetched, not from data inlined in the page.
    assert jiedao.locator("#cockpit-map-data").count() == 0
    assert jiedao.locator("#cockpit-map").get_attribute("data-map-url").startswith("/dashboards/map.json")
    # The monthly reports are a link away.
    assert jiedao.locator(".ck-head").get_by_role("link", name="月报").get_attribute("href") == "/dashboards/reports/"

    # The map shows overdue cases: the layer's own help line replaces the coverage's.
    jiedao.locator(".ck-layer[data-layer='overdue']").click()
    jiedao.wait_for_selector("#cockpit-map[data-layer='overdue']")
    assert jiedao.locator("[data-layer-help='overdue']").is_visible()
    assert not jiedao.locator("[data-layer-help='coverage']").is_visible()
    assert "layer=overdue" in jiedao.url

    # A click on the map's middle grid (B, in 第一社区) leads to its community …
    jiedao.locator("#cockpit-map").scroll_into_view_if_needed()
    box = jiedao.locator("#cockpit-map").bounding_box()
    assert box is not None
    with jiedao.expect_navigation():
        jiedao.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert f"node={world.community.pk}" in jiedao.url
    assert jiedao.locator("h1").inner_text().endswith("第一社区")
    # … and the table's links go on: area, compound, grid A.
    for label in ("第一片区", "X小区", "A网格"):
        jiedao.locator(".ck-map-table").get_by_role("link", name="A网格").click()
        assert jiedao.locator("h1").inner_text().endswith(label)
    rows = jiedao.locator(".ck-overdue tbody tr")
    assert rows.count() == 1
    assert jiedao.locator(f".ck-overdue [data-case='{in_c.pk}']").count() == 0
    rows.first.get_by_role("link").click()
    jiedao.wait_for_url(f"**/cases/{in_a.pk}/")
    assert "漏水" in jiedao.content()

    # The big screen at 1920×1080: tiles, map and two charts, nothing scrolls.
    screen = _as(browser, live_server, "jiedao", errors, 1920, 1080)
    screen.goto(f"{live_server.url}/dashboards/screen/")
    screen.wait_for_selector("#cockpit-map[data-ready='1']")
    screen.wait_for_selector("[data-chart='cases_daily'][data-ready='1']")
    assert screen.locator(".ck-chart-card").count() == 2
    _fits(screen, 1920)
    assert screen.evaluate("document.documentElement.scrollHeight") <= 1080
    # What the screen's script fetches every minute answers with the same figures.
    fetched = screen.evaluate(
        "fetch(document.body.dataset.refresh).then(r => r.json()).then(d => d.tiles.find(t => t.key === 'cases_overdue'))"
    )
    assert fetched["value"] == "2"
    screen.wait_for_timeout(1200)  # the charts' entry animation
    screen.screenshot(path=str(SHOTS / "screen-1920x1080.png"))

    # The phone: two tiles a row, the map full width, the table stacked.
    phone = _as(browser, live_server, "jiedao", errors, 390, 844)
    phone.goto(f"{live_server.url}/dashboards/")
    phone.wait_for_selector("#cockpit-map[data-ready='1']")
    _fits(phone, 390)
    tiles = phone.locator("#section-cases .ck-tile")
    first, second = tiles.nth(0).bounding_box(), tiles.nth(1).bounding_box()
    assert first and second and first["y"] == second["y"] and second["x"] > first["x"]
    map_box = phone.locator("#cockpit-map").bounding_box()
    assert map_box and map_box["width"] >= 340
    phone.wait_for_timeout(1200)
    phone.screenshot(path=str(SHOTS / "phone-390x844.png"), full_page=True)

    # wangge_a: grid A's figures only, another grid is not found.
    wangge = _as(browser, live_server, "wangge_a", errors, 390, 844)
    wangge.get_by_role("link", name="驾驶舱").first.click()
    wangge.wait_for_selector("#cockpit-map[data-ready='1']")
    assert wangge.locator(".ck-map-table tbody tr").all_inner_texts()[0].startswith("A网格")
    assert wangge.locator(".ck-map-table tbody tr").count() == 1
    assert wangge.inner_text("[data-figure='cases_overdue'] .ck-tile-value") == "1"
    assert wangge.locator(f".ck-overdue [data-case='{in_a.pk}']").count() == 1
    _fits(wangge, 390)
    wangge.screenshot(path=str(SHOTS / "wangge-a-phone.png"), full_page=True)
    response = wangge.goto(f"{live_server.url}/dashboards/?grid={world.grid_b.pk}")
    assert response is not None and response.status == 404
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_jiedao_generates_the_monthly_report_and_opens_its_pdf(world, live_server, browser, tmp_path):  # type: ignore[no-untyped-def]
    """The monthly report from the cockpit: generated on demand for this month, downloaded, and its PDF holds
    Chinese text and the charts (their titles and axes are drawn as text in the PDF; page 1 as a picture)."""
    _world_with_overdue_cases(world)
    SHOTS.mkdir(parents=True, exist_ok=True)
    jiedao = _as(browser, live_server, "jiedao", [])
    jiedao.goto(f"{live_server.url}/dashboards/")
    jiedao.locator(".ck-head").get_by_role("link", name="月报").click()
    assert jiedao.locator(".empty").inner_text() == "还没有月报。"
    jiedao.locator("summary", has_text="生成月报").click()
    jiedao.select_option("#id_node", label=world.subdistrict.name)
    jiedao.get_by_role("button", name="生成").click()
    link = jiedao.locator("table").get_by_role("link", name="PDF")
    assert jiedao.locator("table tbody tr").first.inner_text().startswith(f"{timezone.localdate():%Y}年")
    with jiedao.expect_download() as download:
        link.click(modifiers=["Alt"])
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(  # noqa: S603 - our own file
        ["/usr/bin/pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert world.subdistrict.name in text and "按期结案率" in text
    assert "每日上报案件" in text  # a chart's title, drawn with its axes
    subprocess.run(  # noqa: S603 - our own file
        ["/usr/bin/pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True
    )
    shutil.copy(next(tmp_path.glob("page*.png")), SHOTS / "report-page-1.png")
