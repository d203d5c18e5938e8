"""Issue 16 "done means", the notices half, on a phone: shequ sends a notice to every elderly person living
alone in grid A (the count shown before publishing), jumin reads it twice and is counted once, shequ sees who
has read it, and wangge_a marks the one without an account told in person, after which everyone knows."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gongzhi.publicity.models import Notice, NoticeTally, Recipient
from gongzhi.registry.models import CareTag, PersonCareTag
from gongzhi.testing.world import PASSWORD
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("GONGZHI_SHOTS", "/tmp/shots")) / "publicity"  # noqa: S108 (a place to look at)
TITLE = "高温天气防暑提醒"


def _as(browser, live_server, username, asked):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()

    def confirm(dialog):  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)
    login(page, live_server, username, PASSWORD)
    return page


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_notice_to_the_elderly_of_grid_a_is_read_or_told(world, browser, live_server):  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    alone = CareTag.objects.get(code="elderly_alone")
    for key in ("jumin", "jumin_spouse", "grid_b"):  # 住户丙 lives alone too, but in grid B
        PersonCareTag.objects.create(person=world.people[key], tag=alone)
    asked: list[str] = []

    shequ = _as(browser, live_server, "shequ", asked)
    shequ.goto(f"{live_server.url}/publicity/manage/")
    shequ.click("#notice-new")
    shequ.fill("#id_title", TITLE)
    shequ.fill("#id_body", "连日高温，请减少午间外出，多饮水。\n如有不适，请联系网格员。")
    shequ.select_option("#id_grids", label="A网格")
    shequ.get_by_label("独居老人").check()
    _shot(shequ, "1-compose")
    shequ.click("#notice-save")
    shequ.wait_for_selector("#notice-counts")
    assert shequ.inner_text("#notice-counts").split()[0] == "2"  # jumin and 曾小红; not 住户丙
    _shot(shequ, "2-count")
    shequ.click("#notice-publish")
    shequ.wait_for_selector("#read-rate")
    assert "将立即发给2人" in asked[-1]
    assert shequ.inner_text("#notice-status") == "已发布"
    notice = Notice.objects.get(title=TITLE)
    assert set(Recipient.objects.filter(notice=notice).values_list("person__name", flat=True)) == {"居民甲", "曾小红"}

    jumin = _as(browser, live_server, "jumin", asked)
    jumin.goto(f"{live_server.url}/publicity/?unread=1")
    jumin.click(f"text={TITLE}")
    jumin.wait_for_selector(".notice-body")
    assert "多饮水" in jumin.inner_text(".notice-body")
    _shot(jumin, "3-read")
    jumin.reload()  # opened again: still one read
    jumin.goto(f"{live_server.url}/publicity/?unread=1")
    assert TITLE not in jumin.inner_text("main")
    assert NoticeTally.objects.get(notice=notice).read == 1

    shequ.reload()
    rate = shequ.inner_text("#read-rate")
    assert "50.0%" in rate
    _shot(shequ, "4-read-rate")

    wangge = _as(browser, live_server, "wangge_a", asked)
    wangge.goto(f"{live_server.url}/publicity/manage/")
    wangge.click(f"text={TITLE}")
    wangge.click("text=未读名单")
    listing = wangge.inner_text("#recipients")
    assert "曾小红" in listing and "无账号" in listing and "居民甲" not in listing
    _shot(wangge, "5-unread")
    wangge.click("[data-tell]")
    wangge.wait_for_selector("text=都已知晓")
    _shot(wangge, "6-told")

    shequ.reload()
    assert "100.0%" in shequ.inner_text("#read-rate")
    tally = NoticeTally.objects.get(notice=notice)
    assert (tally.recipients, tally.read, tally.told) == (2, 1, 1)
    _shot(shequ, "7-everyone-knows")
