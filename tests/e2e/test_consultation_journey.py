"""Issue 7 "done means", on a phone: jumin posts a suggestion, supports push it to a topic, shequ convenes
a meeting, records minutes and puts a resolution to a vote, residents vote, and the result with its
follow-up is published."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.consultation.models import Topic
from gongzhi.consultation.tests.helpers import resident, threshold
from gongzhi.testing.world import PASSWORD
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _as(browser, live_server, username):  # type: ignore[no-untyped-def]
    """A phone-sized page logged in as one persona; confirmation dialogs are answered yes."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, username, PASSWORD)
    return page


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_a_suggestion_becomes_a_topic_a_vote_and_a_published_result_on_a_phone(world, live_server, browser):
    threshold(world.compound_x, 2)
    resident(world, "linju")
    resident(world, "zhuhu")

    # jumin posts a suggestion in 广言亭
    jumin = _as(browser, live_server, "jumin")
    jumin.get_by_role("link", name="广言亭").first.click()
    jumin.get_by_role("link", name="我要建议").click()
    jumin.select_option("#id_scope", label="小区 · X小区")
    jumin.fill("#id_title", "东门加装雨棚")
    jumin.fill("#id_body", "下雨天东门进出没有遮挡，老人孩子容易淋雨滑倒。")
    jumin.get_by_role("button", name="发布建议").click()
    jumin.wait_for_url("**/consultation/suggestions/*/")
    suggestion_url = jumin.url
    assert "0 人支持" in jumin.inner_text("main")
    _fits(jumin)

    # two neighbours support it: at the compound's threshold it becomes a 议事角 topic
    for neighbour in ("linju", "zhuhu"):
        page = _as(browser, live_server, neighbour)
        page.goto(suggestion_url)
        page.get_by_role("button", name="支持").click()
        page.wait_for_load_state()
        page.context.close()
    jumin.goto(suggestion_url)
    assert "2 人支持" in jumin.inner_text("main")
    jumin.get_by_role("link", name="已转为议题，去议事角").click()
    jumin.fill("#id_body", "建议用透明材质，不挡光。")
    jumin.get_by_role("button", name="发言").click()
    assert "建议用透明材质" in jumin.inner_text("#discussion")
    topic = Topic.objects.get(title="东门加装雨棚")

    # shequ convenes a meeting, records attendance and minutes, puts a resolution to the vote
    shequ = _as(browser, live_server, "shequ")
    shequ.goto(f"{live_server.url}/consultation/topics/{topic.pk}/")
    shequ.get_by_role("link", name="召集会议").click()
    started = timezone.localtime() - dt.timedelta(minutes=10)
    shequ.fill("#id_starts_at", started.strftime("%Y-%m-%dT%H:%M"))
    shequ.fill("#id_place", "社区议事厅")
    shequ.get_by_role("button", name="召集").click()
    shequ.get_by_role("link", name="记录纪要").click()
    shequ.fill("#id_attendees", "王芳 社区居委会\n李强 物业服务企业\n居民甲 居民代表")
    shequ.fill("#id_minutes", "各方同意加装透明雨棚，费用由公共收益列支，提交居民表决。")
    shequ.get_by_role("button", name="保存纪要").click()
    assert "王芳（社区居委会）" in shequ.inner_text("#meetings")
    shequ.get_by_role("link", name="提交表决").click()
    shequ.fill("#id_text", "同意在东门加装透明雨棚，费用由公共收益列支")
    shequ.get_by_role("button", name="提交表决").click()
    assert "投票中" in shequ.inner_text("#resolution")
    assert "截止前" in shequ.inner_text("#resolution")  # no count while voting runs, not even for shequ
    _fits(shequ)

    # residents vote on their phones
    for voter in (jumin, _as(browser, live_server, "linju")):
        voter.goto(f"{live_server.url}/consultation/topics/{topic.pk}/")
        voter.get_by_role("link", name="去投票").click()
        voter.get_by_label("同意").check()
        voter.get_by_role("button", name="提交选票").click()
        assert "您已投票" in voter.inner_text("main")
        _fits(voter)
    assert "结果" in jumin.inner_text("#poll-sealed")

    # shequ closes the vote, plans the follow-up and publishes the result notice
    shequ.reload()
    shequ.get_by_role("button", name="截止表决并计票").click()
    assert "通过" in shequ.inner_text("#resolution")
    shequ.locator("#follow-up summary").click()
    shequ.fill("#id_description", "物业采购并安装雨棚")
    shequ.fill("#id_owner_name", "李强")
    shequ.select_option("#id_owner_party", label="物业服务企业")
    shequ.fill("#id_due_on", (timezone.localdate() + dt.timedelta(days=30)).isoformat())
    shequ.get_by_role("button", name="添加").click()
    shequ.get_by_role("link", name="发布结果公示").click()
    shequ.fill("#id_body", "经居民表决，同意加装透明雨棚。物业30天内完成采购安装。")
    shequ.get_by_role("button", name="发布公示").click()

    # everyone in the compound sees the whole path, from the suggestion to the published result
    jumin.goto(f"{live_server.url}/consultation/topics/{topic.pk}/")
    body = jumin.inner_text("main")
    for expected in (
        "居民建议",
        "2 人支持",
        "社区议事厅",
        "会议纪要",
        "通过",
        "物业采购并安装雨棚",
        "经居民表决，同意加装透明雨棚",
    ):
        assert expected in body, expected
    assert "已公示，跟进中" in body
    _fits(jumin)
    jumin.screenshot(path="test-results/consultation-topic-phone.png", full_page=True)
