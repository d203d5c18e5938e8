"""Issue 14 "done means", tried as a new user would on a phone: wuye and yeweihui keep their ledgers with
photos; jiedao opens the month; shequ rates (a bad value first, refused in plain Chinese with nothing lost);
yeweihui rates from 待我评分; jumin answers the satisfaction poll; jiedao reviews and publishes through the
confirmation dialogs, before which wuye cannot see the score; wuye appeals, jiedao upholds it; jumin reads
the red and black lists, and the subject's page draws the trend chart over last month and this one."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image

from gongzhi.accounts.actors import actor_for_user
from gongzhi.stewardship import evaluation as ev
from gongzhi.stewardship import services, standings
from gongzhi.stewardship.choices import AppealStatus, ManagerKind, ServiceGrade, SubjectKind
from gongzhi.stewardship.models import Appeal, Evaluation, EvaluationMonth, LedgerEntry
from gongzhi.testing.world import PASSWORD
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("GONGZHI_SHOTS", "/tmp/shots")) / "stewardship"  # noqa: S108 (a place to look at)
COMPANY = "纬二物业服务有限公司"


def _photo(name: str, colour: tuple[int, int, int]) -> dict[str, object]:
    out = io.BytesIO()
    Image.new("RGB", (160, 120), colour).save(out, format="JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": out.getvalue()}


def _as(browser, live_server, username, asked):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()

    def confirm(dialog):  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)  # the data-confirm questions
    login(page, live_server, username, PASSWORD)
    return page


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    _fits(page)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def last_month(world):  # type: ignore[no-untyped-def]
    """X小区 under a company's contract (wuye on its staff) and a committee term for months, and last month
    already evaluated and published, so the trend has two points."""
    jiedao = actor_for_user(world.user("jiedao"))
    today = timezone.localdate()
    company = services.manager_register(
        actor=jiedao, kind=ManagerKind.PROPERTY_COMPANY, name=COMPANY, credit_code="91440300708461136T"
    )
    services.contract_create(
        actor=jiedao,
        manager=company,
        compound=world.compound_x,
        starts_on=today - dt.timedelta(days=100),
        ends_on=None,
        fee_fen_per_m2=120,
        service_grade=ServiceGrade.GRADE_2,
    )
    services.staff_add(actor=jiedao, manager=company, user_id=world.user("wuye").pk, compounds=[world.compound_x])
    committee = services.committee_create(actor=jiedao, compound=world.compound_x)
    services.term_open(
        actor=jiedao,
        committee=committee,
        starts_on=today - dt.timedelta(days=100),
        ends_on=today + dt.timedelta(days=900),
    )
    previous = ev.month_open(actor=jiedao, month=(today.replace(day=1) - dt.timedelta(days=1)).replace(day=1))
    ev.month_review(actor=jiedao, month=previous)
    return ev.month_publish(actor=jiedao, month=previous)


def test_a_month_of_stewardship_is_kept_rated_published_appealed_and_listed_on_phones(
    world, last_month, live_server, browser
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    asked: list[str] = []
    label = f"{timezone.localdate():%Y-%m}"
    x = world.compound_x

    # wuye and yeweihui each keep a ledger entry with a photo, on their phones.
    wuye = _as(browser, live_server, "wuye", asked)
    yeweihui = _as(browser, live_server, "yeweihui", asked)
    # yeweihui reads both sides of the ledger, wuye the manager's only.
    for page, kind, text, colour, photos in (
        (wuye, "巡查", "巡查1至2号楼消防通道，清理楼道堆物两处", (40, 120, 200), 1),
        (yeweihui, "会议", "召开业委会例会，讨论电梯维修资金使用", (200, 120, 40), 2),
    ):
        page.get_by_role("link", name="物业与业委会").first.click()
        page.get_by_role("link", name="X小区").first.click()
        page.get_by_role("link", name="工作台账").first.click()
        page.get_by_role("link", name="记一笔").click()
        page.select_option("#id_kind", label=kind)
        page.fill("#id_text", text)
        page.set_input_files("#id_photos", files=[_photo(f"{kind}.jpg", colour)])
        _fits(page)
        page.get_by_role("button", name="保存").click()
        page.wait_for_load_state()
        assert "已记入" in page.inner_text("main"), page.inner_text("main")
        assert text in page.inner_text("main")
        assert page.locator("img[alt='台账照片']").count() == photos
    _shot(wuye, "1-wuye-ledger")
    assert LedgerEntry.objects.filter(compound=x).count() == 2
    assert "物业/第三方台账完整度" in yeweihui.inner_text("main") and "业委会台账完整度" in yeweihui.inner_text("main")

    # jiedao opens this month's evaluation.
    jiedao = _as(browser, live_server, "jiedao", asked)
    jiedao.get_by_role("link", name="月度评比").first.click()
    jiedao.fill("#month", label)
    jiedao.get_by_role("button", name="开始评比").click()
    jiedao.wait_for_url(f"**/stewardship/evaluation/{label}/")
    assert "确定开始" in asked[-1]
    assert "已开始" in jiedao.inner_text("main")
    _shot(jiedao, "2-jiedao-month-opened")
    month = EvaluationMonth.objects.get(month=timezone.localdate().replace(day=1))
    company = month.evaluations.get(subject_kind=SubjectKind.PROPERTY_COMPANY)
    first, second = company.rubric.items.filter(indicator="").order_by("position")[:2]

    # Before publication wuye's own subject is out of its sight.
    response = wuye.goto(f"{live_server.url}/stewardship/evaluation/subjects/{company.pk}/")
    assert response is not None and response.status == 404
    wuye.goto(f"{live_server.url}/stewardship/evaluation/")
    assert company.subject_name not in wuye.inner_text("main")

    # shequ rates: too many points first, then a deduction with no reason, then a good sheet.
    shequ = _as(browser, live_server, "shequ", asked)
    shequ.goto(f"{live_server.url}/stewardship/evaluation/{label}/")
    shequ.get_by_role("row").filter(has_text=company.subject_name).get_by_role("link", name="社区评分").click()
    points = shequ.get_by_label(f"{first.text}：扣分（本条最多")
    evidence = shequ.get_by_label(f"{first.text}：扣分依据")
    points.fill("99")
    evidence.fill("公示栏收费标准过期未更新")
    shequ.fill("#note", "整体尚可")
    shequ.get_by_role("button", name="提交评分").click()
    error = shequ.inner_text(".errorlist")
    assert "不能超过该条分值" in error and first.text in error
    assert points.input_value() == "99" and evidence.input_value() == "公示栏收费标准过期未更新"
    assert shequ.input_value("#note") == "整体尚可"
    _shot(shequ, "3-shequ-rating-refused")
    points.fill("2")
    evidence.fill("")
    shequ.get_by_role("button", name="提交评分").click()
    assert "须附依据" in shequ.inner_text(".errorlist")
    assert shequ.get_by_label(f"{first.text}：扣分（本条最多").input_value() == "2"
    shequ.get_by_label(f"{first.text}：扣分依据").fill("公示栏收费标准过期未更新")
    shequ.get_by_label(f"{first.text}：照片").set_input_files(files=[_photo("board.jpg", (90, 90, 90))])
    shequ.get_by_role("button", name="提交评分").click()
    shequ.wait_for_url(f"**/stewardship/evaluation/{label}/")
    assert f"已提交社区评分：{company.subject_name}" in shequ.inner_text("main")
    assert "修改社区评分" in shequ.inner_text("main")
    _shot(shequ, "4-shequ-ranking")

    # yeweihui rates the company from 待我评分, seeing no score.
    yeweihui.get_by_role("link", name="月度评比").first.click()
    assert "待我评分" in yeweihui.inner_text("main")
    yeweihui.get_by_role("link", name="业委会评分").click()
    yeweihui.get_by_label(f"{second.text}：扣分（本条最多").fill("1")
    yeweihui.get_by_label(f"{second.text}：扣分依据").fill("夜间巡查记录缺两天")
    _shot(yeweihui, "5-yeweihui-rating")
    yeweihui.get_by_role("button", name="提交评分").click()
    yeweihui.wait_for_url("**/stewardship/evaluation/")
    assert f"已提交业委会评分：{company.subject_name}" in yeweihui.inner_text("main")

    # jumin answers this month's satisfaction poll: the company and the committee.
    jumin = _as(browser, live_server, "jumin", asked)
    jumin.goto(f"{live_server.url}/votes/")
    jumin.get_by_role("link", name=f"{timezone.localdate():%Y年%m月} X小区 满意度测评").click()
    questions = jumin.locator("fieldset.ballot-question")
    assert questions.count() == 2
    for i in range(2):
        questions.nth(i).get_by_label("非常满意", exact=True).check()
    _fits(jumin)
    jumin.get_by_role("button", name="提交选票").click()
    jumin.wait_for_selector("text=您已投票")
    _shot(jumin, "6-jumin-satisfaction")

    # jiedao submits the month for review and publishes it, answering the confirmations.
    jiedao.goto(f"{live_server.url}/stewardship/evaluation/{label}/")
    assert "已有 1 户参加满意度测评" in jiedao.inner_text("main")
    jiedao.get_by_role("button", name="提交审核").click()
    jiedao.wait_for_selector("text=已提交审核")
    assert "关闭居民满意度测评" in asked[-1]
    jiedao.get_by_role("button", name="发布公示").click()
    jiedao.wait_for_selector("text=已发布公示")
    assert "确定发布" in asked[-1]
    _shot(jiedao, "7-jiedao-published")
    month.refresh_from_db()
    assert month.is_published

    # wuye now sees the score and the deductions, and appeals the community's one.
    wuye.goto(f"{live_server.url}/stewardship/evaluation/")
    wuye.get_by_role("link", name=label).click()
    wuye.get_by_role("link", name=company.subject_name).click()
    main = wuye.inner_text("main")
    assert "公示栏收费标准过期未更新" in main and "夜间巡查记录缺两天" in main
    # each figure stands above its label, not run into it ("92.6得分")
    value, caption = (wuye.locator(f".stat >> nth=0 >> .stat-{part}").bounding_box() for part in ("value", "label"))
    assert value and caption and caption["y"] >= value["y"] + value["height"] - 1
    before = standings.month_results(month, Evaluation.objects.filter(pk=company.pk))[0].total
    assert before is not None
    wuye.get_by_label(f"社区评分：{first.text} −2.0").check()
    wuye.fill("#appeal-text", "公示栏已于当月5日更新，照片拍摄于更新前，附更新记录。")
    _shot(wuye, "8-wuye-appeal")
    wuye.get_by_role("button", name="提交申诉").click()
    wuye.wait_for_selector("text=申诉已提交")
    assert "每次只能有一项待裁定的申诉" in asked[-1]

    # jiedao upholds it: the deduction is withdrawn and the score rises by its points.
    jiedao.goto(f"{live_server.url}/stewardship/evaluation/subjects/{company.pk}/")
    jiedao.get_by_label("申诉成立（撤销所选扣分，重新计分）").check()
    jiedao.fill("textarea[name=reason]", "经核实公示栏已按时更新，撤销该项扣分。")
    jiedao.get_by_role("button", name="提交裁定").click()
    jiedao.wait_for_selector("text=已裁定")
    assert "裁定后不能更改" in asked[-1]
    appeal = Appeal.objects.get(evaluation=company)
    assert appeal.status == AppealStatus.UPHELD
    assert "申诉成立，已撤销" in jiedao.inner_text("main")
    after = standings.month_results(month, Evaluation.objects.filter(pk=company.pk))[0]
    assert after.total is not None and after.total > before
    _shot(jiedao, "9-jiedao-upheld")

    # wuye reads the decision and the trend over last month and this one, drawn by ECharts.
    wuye.reload()
    assert "申诉成立" in wuye.inner_text("main")
    canvas = wuye.locator("#stewardship-trend-chart canvas")
    canvas.wait_for()
    painted = wuye.evaluate(
        """() => {
            const c = document.querySelector('#stewardship-trend-chart canvas');
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) n++; }
            return {w: c.width, h: c.height, n: n};
        }"""
    )
    assert painted["w"] > 0 and painted["h"] > 0 and painted["n"] > 500, painted
    assert wuye.locator("table").last.inner_text().count(f"{last_month.month:%Y-%m}") == 1
    wuye.locator("#stewardship-trend-chart").scroll_into_view_if_needed()
    _shot(wuye, "10-wuye-trend")

    # jumin reads the red and black lists, where the company stands by its grade.
    jumin.goto(f"{live_server.url}/")
    jumin.get_by_role("link", name="红黑榜").first.click()
    jumin.wait_for_url("**/stewardship/evaluation/lists/")
    heading = jumin.inner_text("h1")
    assert label in heading
    listed = "#red-list" if after.red else "#black-list" if after.black else None
    body = jumin.inner_text("main")
    if listed is None:
        assert company.subject_name not in body
    else:
        assert company.subject_name in jumin.inner_text(listed)
    _shot(jumin, "11-jumin-lists")
