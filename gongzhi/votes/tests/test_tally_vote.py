"""tally_vote: a paper vote counted from the committee's two workbooks (written here with openpyxl)."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

ZHANG = "340303198001010011"  # owns 101, 102 and 103 alone
WANG_H, WANG_W = "340303198202020022", "340303198303030033"  # co-own 201; WANG_H also owns 202 alone
LI = "340303199004040044"
DEVELOPER = "91340300MA2T00000X"  # unified social credit code: the unsold 301-303


def workbook(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def roll(tmp_path):  # type: ignore[no-untyped-def]
    # A title row above the header, header variants, an area with units in brackets.
    return workbook(
        tmp_path / "roll.xlsx",
        [
            ["X小区业主名册（2026年）"],
            ["房号", "业主姓名", "业主证件号码", "专有部分面积（㎡）"],
            ["101", "张三", ZHANG, 100],
            ["102", "张三", ZHANG, "100.00"],
            ["103", "张三", ZHANG, 100.5],
            ["201", "王夫", WANG_H, 100],
            ["201", "王妻", WANG_W, 100],
            ["202", "王夫", WANG_H, 99.5],
            ["204", "李四", LI, 100],
            ["301", "开发商", DEVELOPER, 100],
            ["302", "开发商", DEVELOPER, 100],
            ["303", "开发商", DEVELOPER, 100],
        ],
    )


def run(*args: object) -> str:
    out = StringIO()
    call_command("tally_vote", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_owners_are_counted_by_heads_and_summed_areas(roll, tmp_path):  # type: ignore[no-untyped-def]
    ballots = workbook(tmp_path / "b.xlsx", [["房屋", "表决意见"], ["101", "同意"]])
    data = json.loads(run(roll, ballots, "--rule", "art278", "--matter", "ordinary", "--json"))
    # heads: 张三, {王夫, 王妻}, 王夫 alone, 李四, the developer = 5; 9 dwellings
    assert data["roll"] == {"owners": 5, "dwellings": 9, "area_m2": "900.00"}
    assert data["result"]["total_heads"] == 5 and data["result"]["total_area_dm2"] == 90000
    assert data["result"]["yes_area_dm2"] == 30050  # 张三's three dwellings together


def test_rejected_ballots_are_listed_with_their_reasons(roll, tmp_path):  # type: ignore[no-untyped-def]
    ballots = workbook(
        tmp_path / "b.xlsx",
        [
            ["表决票汇总"],
            ["房屋", "证件号码", "表决意见"],
            ["101", "", "同意"],
            ["102", "", "反对"],  # 张三 again, through another dwelling
            ["", WANG_W, "同意"],  # the wife alone identifies the couple's 201
            ["", WANG_H, "同意"],  # ambiguous: 201 with his wife, or 202 alone
            ["999", "", "同意"],
            ["204", "", "支持"],
            ["204", ZHANG, "同意"],  # the ID does not own 204
            ["", 340303199004040044, "同意"],  # a numeric cell has lost digits
        ],
    )
    data = json.loads(run(roll, ballots, "--matter", "ordinary", "--json"))
    reasons = {r["row"]: r["reason"] for r in data["rejected"]}
    assert reasons[4].startswith("重复投票：该业主已在第3行投票")
    assert "对应多个业主" in reasons[6]
    assert reasons[7] == "该房屋不在业主名册中"
    assert "表决意见“支持”无效" in reasons[8]
    assert reasons[9] == "证件号码与该房屋的业主不符"
    assert "文本格式" in reasons[10]
    assert data["ballots"] == {"valid": 2, "rejected": 6}
    assert all("*" in r["who"] or r["who"].isdigit() for r in data["rejected"])  # IDs masked


def test_a_major_matter_passes_at_exactly_three_quarters(tmp_path):  # type: ignore[no-untyped-def]
    ids = [f"34030319800101{n:04d}" for n in range(6)]
    roll = workbook(
        tmp_path / "r.xlsx", [["房屋", "证件号码", "建筑面积"]] + [[f"{n + 1}01", ids[n], 90] for n in range(6)]
    )
    ballots = workbook(
        tmp_path / "b.xlsx",
        [["证件号码", "表决意见"], [ids[0], "同意"], [ids[1], "同意"], [ids[2], "同意"], [ids[3], "反对"]],
    )
    data = json.loads(run(roll, ballots, "--matter", "major", "--json"))["result"]
    assert data["participation_area"]["fraction"] == "2/3" and data["quorum_ok"]
    assert data["yes_heads_share"]["fraction"] == "3/4" and data["passed"]
    text = run(roll, ballots, "--matter", "major")
    assert "结论：通过" in text and "= 2/3（66.67%）：是" in text and "= 3/4（75.00%）：是" in text
    ordinary_half = workbook(
        tmp_path / "b2.xlsx",
        [["证件号码", "表决意见"], [ids[0], "同意"], [ids[1], "同意"], [ids[2], "反对"], [ids[3], "弃权"]],
    )
    text = run(roll, ordinary_half, "--matter", "ordinary")
    assert "= 1/2（50.00%）：否" in text and "结论：未通过" in text


def test_follow_majority_is_an_explicit_option(tmp_path):  # type: ignore[no-untyped-def]
    roll = workbook(
        tmp_path / "r.xlsx", [["房屋", "证件号码", "专有面积"]] + [[str(n), f"ID{n}", 100] for n in range(4)]
    )
    ballots = workbook(tmp_path / "b.xlsx", [["房屋", "表决意见"], ["0", "同意"], ["1", "同意"]])
    assert json.loads(run(roll, ballots, "--matter", "ordinary", "--json"))["result"]["passed"] is False
    followed = json.loads(run(roll, ballots, "--matter", "ordinary", "--follow-majority", "--json"))["result"]
    assert followed["followed_side"] == "yes" and followed["passed"]


def test_a_bad_roll_stops_the_count_naming_every_row(tmp_path):  # type: ignore[no-untyped-def]
    roll = workbook(
        tmp_path / "r.xlsx",
        [
            ["房屋", "证件号码", "专有面积"],
            ["101", 340303198001010011, 90],
            ["102", "A", 90.123],
            ["103", "B", 80],
            ["103", "C", 81],
        ],
    )
    ballots = workbook(tmp_path / "b.xlsx", [["房屋", "表决意见"]])
    with pytest.raises(CommandError) as caught:
        run(roll, ballots, "--matter", "ordinary")
    message = str(caught.value)
    assert "第2行：证件号码是数字格式" in message
    assert "第3行：面积“90.123”应为正数，最多两位小数" in message
    assert "第5行：房屋103的面积与前面的行不一致" in message


def test_missing_headers_are_named(tmp_path):  # type: ignore[no-untyped-def]
    roll = workbook(tmp_path / "r.xlsx", [["户号", "姓名"], ["101", "张三"]])
    with pytest.raises(CommandError, match=r"业主名册：.*没有找到表头"):
        run(roll, roll, "--matter", "ordinary")
