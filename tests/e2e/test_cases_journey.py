"""Issue 6 "done means", on a phone: jumin reports a leaking pipe, wangge_a files and dispatches it to
wuye, who handles it with a photo; wangge_a rejects the first fix (rework) and accepts the second,
closes it with a reply, and jumin reads the reply and rates it."""

import io

import pytest
from PIL import Image

from gongzhi.cases.models import Case
from gongzhi.testing.world import PASSWORD
from tests.e2e.conftest import login

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]


def _photo(name: str) -> dict[str, object]:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (40, 120, 200)).save(out, format="JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": out.getvalue()}


def _as(browser, live_server, username):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    login(page, live_server, username, PASSWORD)
    return page


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def _act(page, button: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def test_a_leaking_pipe_goes_round_the_whole_loop_on_a_phone(world, live_server, browser):
    jumin = _as(browser, live_server, "jumin")
    jumin.get_by_role("link", name="我的上报").first.click()
    jumin.get_by_role("link", name="我要上报").click()
    jumin.select_option("#id_category", label="管道漏水")
    jumin.fill("#id_description", "卫生间顶上漏水，像是楼上水管坏了")
    jumin.select_option("#id_where", index=1)
    jumin.set_input_files("#id_photos", files=[_photo("leak.jpg")])
    _fits(jumin)
    jumin.get_by_role("button", name="提交上报").click()
    jumin.wait_for_url("**/cases/*/")
    case_url = jumin.url
    case = Case.objects.get()
    assert "已上报" in jumin.inner_text("main")

    wangge = _as(browser, live_server, "wangge_a")
    wangge.get_by_role("link", name="受理派遣").first.click()
    wangge.get_by_role("link", name=f"#{case.pk} 管道漏水").click()
    _act(wangge, "立案")
    _act(wangge, "派遣")
    assert "X小区物业" in wangge.inner_text("main")
    _fits(wangge)

    wuye = _as(browser, live_server, "wuye")

    def handle(result: str, photo: str) -> None:
        wuye.goto(f"{live_server.url}/cases/queue/")
        wuye.get_by_role("link", name=f"#{case.pk} 管道漏水").click()
        wuye.fill("#note-handle", result)
        wuye.set_input_files("#photos-handle", files=[_photo(photo)])
        _act(wuye, "处置反馈")
        assert "已处置" in wuye.inner_text("main")

    handle("已更换管件", "fix1.jpg")
    _fits(wuye)
    wangge.goto(case_url)
    wangge.fill("#note-verify_fail", "仍在滴水")
    _act(wangge, "核查不通过（返工）")
    assert "返工" in wangge.inner_text("main")

    handle("重新密封并试水24小时", "fix2.jpg")
    wangge.goto(case_url)
    _act(wangge, "核查通过")
    wangge.fill("#note-close", "漏点已修复，试水无渗漏，感谢您的反映。")
    _act(wangge, "结案并答复")

    jumin.goto(case_url)
    assert "漏点已修复，试水无渗漏" in jumin.inner_text(".case-reply")
    jumin.select_option("#rating-rate", "5")
    _act(jumin, "评价")
    assert "已评价" in jumin.inner_text("main")
    _fits(jumin)
    case.refresh_from_db()
    assert case.status == "rated" and case.rating == 5 and case.rework_count == 1
    assert case.photos.count() == 3
