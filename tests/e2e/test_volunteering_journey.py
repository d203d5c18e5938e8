"""The volunteering journey of issue 8 on phone-size pages: jumin registers and signs up, zhiyuan checks her in
and out by her code and certifies 3 hours, the points appear, jumin redeems an item and gets a pickup code,
zhiyuan hands it over, and jumin gets a certificate PDF whose Chinese text renders."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.testing.world import PASSWORD
from gongzhi.volunteering import ledger
from gongzhi.volunteering.testing import ensure_default_rule, make_activity
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path("test-results")


def fits_phone(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def phone(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions
    return page


def test_jumin_serves_three_hours_redeems_and_prints_a_certificate(world, live_server, browser):
    SHOTS.mkdir(exist_ok=True)
    ensure_default_rule()
    zhiyuan_actor = actor_for_user(world.user("zhiyuan"))
    activity = make_activity(
        organiser=zhiyuan_actor,
        node=world.community,
        starts_at=timezone.now() + dt.timedelta(minutes=30),
        title="重阳节敬老院探访",
    )
    ledger.shop_item_create(
        actor=zhiyuan_actor, node=world.subdistrict, data=ledger.ItemData(name="洗衣液", points_price=20), stock=5
    )

    # jumin registers as a volunteer and signs up, on her phone.
    jumin = phone(browser)
    login(jumin, live_server, "jumin", PASSWORD)
    jumin.get_by_role("link", name="志愿服务").first.click()
    jumin.get_by_role("link", name="登记成为志愿者").click()
    jumin.check("input[name=skills][value=elder_care]")
    jumin.check("#id_consent")
    jumin.click("#register-submit")
    jumin.wait_for_selector("text=登记成功")
    number = re.search(r"ZY\d{8}", jumin.inner_text("main")).group(0)
    jumin.get_by_role("link", name="报名活动").click()
    jumin.get_by_role("link", name="重阳节敬老院探访").click()
    jumin.get_by_role("button", name="我要报名").click()
    jumin.wait_for_selector("text=报名成功")
    assert fits_phone(jumin)
    jumin.screenshot(path=str(SHOTS / "volunteering-1-signed-up.png"), full_page=True)

    # At the door she shows her code; zhiyuan's browser cannot scan, so he types it.
    jumin.goto(f"{live_server.url}/volunteering/me/code/")
    assert jumin.locator(".qr-big").is_visible()
    jumin.screenshot(path=str(SHOTS / "volunteering-2-code.png"), full_page=True)
    digits = jumin.inner_text("#checkin-digits").strip()
    zhiyuan = phone(browser)
    login(zhiyuan, live_server, "zhiyuan", PASSWORD)
    zhiyuan.goto(f"{live_server.url}/volunteering/activities/{activity.pk}/roster/")
    zhiyuan.fill("#id_code", f"{number} {digits}")
    zhiyuan.click("#scan-submit")
    zhiyuan.wait_for_selector(".scan-result.ok >> text=居民甲 签到成功")
    zhiyuan.check("input[name=direction][value=out]")
    zhiyuan.fill("#id_code", f"{number} {digits}")
    zhiyuan.click("#scan-submit")
    zhiyuan.wait_for_selector(".scan-result.ok >> text=居民甲 签退成功")
    assert fits_phone(zhiyuan)
    zhiyuan.screenshot(path=str(SHOTS / "volunteering-3-roster.png"), full_page=True)

    # zhiyuan certifies 3 hours.
    zhiyuan.reload()
    zhiyuan.fill("input.hours-input", "3")
    zhiyuan.click("#certify-submit")
    zhiyuan.wait_for_selector("text=已认定 1 人的服务时长，共发放 30 积分")

    # The points appear on jumin's phone; she redeems an item and gets a pickup code.
    jumin.goto(f"{live_server.url}/volunteering/")
    assert jumin.inner_text("#points-balance").strip() == "30"
    jumin.get_by_role("link", name="积分兑换").click()
    jumin.locator(".item-card").filter(has_text="洗衣液").get_by_role("button", name="兑换").click()
    jumin.wait_for_selector("text=兑换成功")
    code = jumin.get_attribute("[data-pickup-code]", "data-pickup-code")
    assert code and len(code) == 8
    assert fits_phone(jumin)
    jumin.screenshot(path=str(SHOTS / "volunteering-4-pickup-code.png"), full_page=True)

    # zhiyuan hands the item over against the code.
    zhiyuan.goto(f"{live_server.url}/volunteering/manage/pickup/")
    zhiyuan.fill("#id_code", code)
    zhiyuan.get_by_role("button", name="查找").click()
    zhiyuan.click("#handover-submit")
    zhiyuan.wait_for_selector("text=已领取：洗衣液 ×1（居民甲）")

    # jumin asks for her certificate and gets the PDF.
    jumin.goto(f"{live_server.url}/volunteering/me/certificates/")
    jumin.click("#certificate-submit")
    jumin.wait_for_selector("text=证明已开具")
    jumin.screenshot(path=str(SHOTS / "volunteering-5-certificates.png"), full_page=True)
    href = jumin.get_attribute("a:has-text('下载PDF')", "href")
    response = jumin.request.get(f"{live_server.url}{href}")
    assert response.headers["content-type"] == "application/pdf"
    pdf = SHOTS / "volunteering-certificate.pdf"
    pdf.write_bytes(response.body())
    text = subprocess.run(["/usr/bin/pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    compact = "".join(text.split())
    assert "志愿服务记录证明" in compact and "居民甲" in compact and "累计志愿服务时长3小时" in compact
    # A picture of the first page, to look at the Chinese rendering by eye.
    subprocess.run(  # noqa: S603
        ["/usr/bin/pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(SHOTS / "volunteering-certificate")],
        check=True,
    )
    assert (SHOTS / "volunteering-certificate.png").stat().st_size > 10_000
