import pytest

from gongzhi.testing.world import PASSWORD
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_grid_worker_logs_in_and_opens_a_household_on_a_phone(world, live_server, phone_page):
    page = phone_page
    login(page, live_server, "wangge_a", PASSWORD)
    page.get_by_role("link", name="人员").first.click()
    page.fill("input[name=q]", "曾小红")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="X小区 1号楼 1单元 101").click()
    page.wait_for_url("**/registry/households/**")
    body = page.inner_text("main")
    assert "居民甲户" in body
    assert "曾小红" in body and "配偶" in body
    assert "340303********1233" in body  # masked, never the full number
    # The page fits a phone: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="test-results/household-phone.png", full_page=True)


def test_language_switch_to_english_keeps_the_page(world, live_server, page):
    login(page, live_server, "jiedao", PASSWORD)
    page.get_by_role("button", name="EN").click()
    assert page.locator("html").get_attribute("lang") == "en"
