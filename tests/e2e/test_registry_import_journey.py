import io

import pytest
from openpyxl import Workbook, load_workbook

from gongzhi.testing.world import PASSWORD
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEADER = ["小区", "楼栋", "单元", "房号", "姓名", "证件类型", "身份证号", "手机号码", "与户主关系", "专有面积"]


def test_grid_worker_uploads_a_ledger_and_downloads_the_rejected_rows(world, live_server, page, tmp_path):
    workbook = Workbook()
    ws = workbook.active
    ws.append(HEADER)
    ws.append(["X小区", "1号楼", "1单元", "301", "新住户", "", "", "13600001111", "户主", "76.5"])
    ws.append(["X小区", "1号楼", "1单元", "302", "错误行", "居民身份证", 1.101011990010112e17, "", "户主", "70"])
    path = tmp_path / "台账.xlsx"
    workbook.save(path)

    login(page, live_server, "wangge_a", PASSWORD)
    page.goto(f"{live_server.url}/registry/import/")
    page.set_input_files("input[type=file]", str(path))
    page.check("input[value=valid_rows_only]")
    page.click("#import-submit")
    page.wait_for_selector("#download-rejects", timeout=20000)
    body = page.inner_text("main")
    assert "已完成" in body
    assert "最后几位已经丢失" in body
    with page.expect_download() as download_info:
        page.click("#download-rejects")
    rejects = load_workbook(io.BytesIO(download_info.value.path().read_bytes())).active
    row = [c.value for c in rejects[3]]
    assert "错误行" in row
    assert "Excel 已把它当作数字" in row[-1]
    page.screenshot(path="test-results/import-done.png", full_page=True)
