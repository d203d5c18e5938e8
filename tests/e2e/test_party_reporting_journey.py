"""The 双报到 journey of issue 15 on phone-size pages: jumin fills in their 报到单 from the nav, dangzhibu finds
it on the register and accepts it, jumin sees it accepted with their service card and claims a need."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongzhi.party import reporting
from gongzhi.party.models import NeedClaim, Registration
from gongzhi.party.tests.helpers import SYSTEM, build_party
from gongzhi.testing.world import PASSWORD
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path("test-results")


def phone(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions
    return page


def test_jumin_reports_dangzhibu_accepts_and_jumin_claims_a_need(world, live_server, browser):  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    party = build_party(world)
    reporting.need_create(
        actor=SYSTEM, organisation=party.branch_x, category="patrol", title="夜间安全巡逻", node=world.compound_x
    )

    jumin = phone(browser)
    login(jumin, live_server, "jumin", PASSWORD)
    jumin.goto(f"{live_server.url}/party/me/")
    jumin.click("#report-start")
    jumin.fill("#id_work_unit_name", "蚌埠市财政局")
    jumin.fill("#id_post", "科员")
    jumin.fill("#id_holding_organisation", "蚌埠市财政局机关党支部")
    jumin.fill("#id_joined_on", "2012-07-01")
    jumin.check("input[name=service_posts][value=patrol]")
    jumin.click("#slip-submit")
    jumin.wait_for_selector("text=待确认")
    assert jumin.evaluate("document.documentElement.scrollWidth") <= 390
    jumin.screenshot(path=str(SHOTS / "party-reporting-submitted.png"), full_page=True)

    secretary = phone(browser)
    login(secretary, live_server, "dangzhibu", PASSWORD)
    secretary.goto(f"{live_server.url}/party/reporting/?status=submitted")
    secretary.get_by_role("link", name="居民甲").click()
    secretary.click("#accept-submit")
    secretary.wait_for_selector("text=已确认报到")
    registration = Registration.objects.get(person=world.people["jumin"])
    assert registration.status == "accepted" and registration.member_id == party.jumin.pk

    jumin.goto(f"{live_server.url}/party/me/")
    jumin.wait_for_selector("text=服务登记卡")
    jumin.get_by_role("button", name="认领").click()
    jumin.wait_for_selector("text=我已认领")
    assert NeedClaim.objects.filter(registration=registration).count() == 1
    jumin.screenshot(path=str(SHOTS / "party-reporting-claimed.png"), full_page=True)
