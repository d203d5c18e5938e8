"""Counting a paper owners' vote from the two sheets a committee keeps: the owners' roll and the ballots.

Headers are the Chinese ones committees use, with the common variants; a title row above the header
is skipped. The roll is checked strictly (a bad roll stops the count, with every problem listed by
row); ballots are checked one by one and a bad one is rejected with its reason while the rest count.
Owners are grouped exactly as the engine groups them (rules.group_owners), by the set of ID numbers
holding each dwelling, and counted by rules.tally_art278.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from gongzhi.core.exceptions import DomainError
from gongzhi.core.pii import mask_id_number
from gongzhi.core.uploads import zip_bounded
from gongzhi.votes.choices import Opinion
from gongzhi.votes.rules import Art278Result, Holding, Owner, group_owners, tally_art278

ROLL_COLUMNS = {
    "dwelling": ("房屋", "房号", "房屋编号", "房间号"),
    "holder": ("证件号码", "业主证件号码", "身份证号码", "身份证号"),
    "area": ("专有面积", "专有部分面积", "建筑面积"),
    "name": ("业主", "业主姓名", "姓名"),
}
BALLOT_COLUMNS = {
    "dwelling": ROLL_COLUMNS["dwelling"],
    "holder": ROLL_COLUMNS["holder"],
    "opinion": ("表决意见", "意见"),
}
OPINIONS = {
    "同意": Opinion.YES,
    "赞成": Opinion.YES,
    "反对": Opinion.NO,
    "不同意": Opinion.NO,
    "弃权": Opinion.ABSTAIN,
}
HEADER_SEARCH_ROWS = 10


class SheetError(Exception):
    """The roll cannot be counted from: every problem, by row, in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_rows(path: str | Path) -> list[list[Any]]:
    """The first sheet's cells as Python values (python-calamine: ~10x faster than openpyxl)."""
    try:
        zip_bounded(path)  # before calamine inflates anything
    except DomainError as exc:
        raise SheetError([f"{Path(path).name}：{exc.message}"]) from exc
    try:
        return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    except Exception as exc:  # calamine raises its own error types for unreadable files
        raise SheetError([f"无法读取文件 {Path(path).name}：{exc}"]) from exc


def _header_name(cell: Any) -> str:
    """ "专有面积（㎡）" → "专有面积": units in brackets and spaces are not part of the name."""
    text = re.sub(r"\s+", "", str(cell or ""))
    return re.split(r"[（(]", text, maxsplit=1)[0]


def _find_header(
    rows: Sequence[Sequence[Any]], columns: dict[str, tuple[str, ...]], required: list[set[str]], what: str
) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [_header_name(c) for c in row]
        found = {key: names.index(v) for key, variants in columns.items() for v in variants if v in names}
        if all(found.keys() & needed for needed in required):
            return index, found
    wanted = "；".join("或".join("/".join(columns[k]) for k in needed) for needed in required)
    raise SheetError([f"{what}：前{HEADER_SEARCH_ROWS}行中没有找到表头，应包含：{wanted}"])


def _text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return re.sub(r"\s+", "", str(cell if cell is not None else ""))


def _holder(cell: Any) -> str:
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        # An 18-digit number in a numeric cell has already lost its last digits (limits of a double).
        raise ValueError("证件号码是数字格式，可能已丢失位数，请将该列设置为文本格式后重新填写")
    return _text(cell).upper()


def _area_dm2(cell: Any) -> int:
    """Square metres → 0.01 m² integers, exactly; more than two decimals is an error, not a rounding."""
    try:
        value = Decimal(str(cell).strip())
    except InvalidOperation as exc:
        raise ValueError(f"面积“{cell}”不是数字") from exc
    hundredths = value * 100
    if hundredths != hundredths.to_integral_value() or value <= 0:
        raise ValueError(f"面积“{cell}”应为正数，最多两位小数")
    return int(hundredths)


@dataclass
class Roll:
    owners: list[Owner]
    dwelling_owner: dict[str, str]  # dwelling → owner key
    holder_owners: dict[str, list[str]]  # ID number → owner keys (several when co-owning too)
    dwellings: int


def roll_from_rows(rows: Sequence[Sequence[Any]]) -> Roll:
    start, cols = _find_header(rows, ROLL_COLUMNS, [{"dwelling"}, {"holder"}, {"area"}], "业主名册")
    problems: list[str] = []
    areas: dict[str, int] = {}
    holders: dict[str, set[str]] = {}
    for number, row in enumerate(rows[start + 1 :], start=start + 2):
        cells = list(row) + [None] * (max(cols.values()) + 1 - len(row))
        dwelling = _text(cells[cols["dwelling"]])
        if not dwelling and not any(_text(c) for c in cells):
            continue  # blank line
        try:
            holder = _holder(cells[cols["holder"]])
            area = _area_dm2(cells[cols["area"]])
        except ValueError as exc:
            problems.append(f"业主名册第{number}行：{exc}")
            continue
        if not dwelling or not holder:
            problems.append(f"业主名册第{number}行：房屋和证件号码都必须填写")
            continue
        if dwelling in areas and areas[dwelling] != area:
            problems.append(f"业主名册第{number}行：房屋{dwelling}的面积与前面的行不一致")
            continue
        areas[dwelling] = area
        holders.setdefault(dwelling, set()).add(holder)
    if problems:
        raise SheetError(problems)
    if not areas:
        raise SheetError(["业主名册没有数据行"])
    owners = group_owners(Holding(dwelling=d, area_dm2=a, holders=frozenset(holders[d])) for d, a in areas.items())
    dwelling_owner = {d: o.key for o in owners for d in o.dwellings}
    holder_owners: dict[str, list[str]] = {}
    for owner in owners:
        for holder in owner.holders:
            holder_owners.setdefault(holder, []).append(owner.key)
    return Roll(owners=owners, dwelling_owner=dwelling_owner, holder_owners=holder_owners, dwellings=len(areas))


@dataclass
class Rejected:
    row: int
    who: str  # the dwelling, or a masked ID number
    reason: str


@dataclass
class BallotCount:
    opinions: dict[str, str] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)


def ballots_from_rows(rows: Sequence[Sequence[Any]], roll: Roll) -> BallotCount:
    start, cols = _find_header(rows, BALLOT_COLUMNS, [{"dwelling", "holder"}, {"opinion"}], "表决票")
    count = BallotCount()
    first_row: dict[str, int] = {}
    for number, row in enumerate(rows[start + 1 :], start=start + 2):
        cells = list(row) + [None] * (max(cols.values()) + 1 - len(row))
        dwelling = _text(cells[cols["dwelling"]]) if "dwelling" in cols else ""
        raw_holder = cells[cols["holder"]] if "holder" in cols else None
        opinion_text = _text(cells[cols["opinion"]])
        if not dwelling and not _text(raw_holder) and not opinion_text:
            continue
        who = dwelling or (mask_id_number(_text(raw_holder)) if _text(raw_holder) else "?")

        def reject(reason: str, who: str = who, number: int = number) -> None:
            count.rejected.append(Rejected(row=number, who=who, reason=reason))

        try:
            holder = _holder(raw_holder) if _text(raw_holder) else ""
        except ValueError as exc:
            reject(str(exc))
            continue
        if dwelling:
            key = roll.dwelling_owner.get(dwelling)
            if key is None:
                reject("该房屋不在业主名册中")
                continue
            if holder and key not in roll.holder_owners.get(holder, []):
                reject("证件号码与该房屋的业主不符")
                continue
        elif holder:
            keys = roll.holder_owners.get(holder, [])
            if not keys:
                reject("该证件号码不在业主名册中")
                continue
            if len(keys) > 1:
                reject("该证件号码对应多个业主（单独所有和共有），请填写房屋")
                continue
            key = keys[0]
        else:
            reject("没有填写房屋或证件号码")
            continue
        opinion = OPINIONS.get(opinion_text)
        if opinion is None:
            reject(f"表决意见“{opinion_text}”无效，应为同意、反对或弃权")
            continue
        if key in first_row:
            reject(f"重复投票：该业主已在第{first_row[key]}行投票，每位业主只计一票")
            continue
        first_row[key] = number
        count.opinions[key] = opinion.value
    return count


@dataclass(frozen=True)
class PaperCount:
    roll: Roll
    ballots: BallotCount
    result: Art278Result


def count_paper_vote(
    roll_path: str | Path, ballots_path: str | Path, *, major: bool, follow_majority: bool = False
) -> PaperCount:
    roll = roll_from_rows(read_rows(roll_path))
    ballots = ballots_from_rows(read_rows(ballots_path), roll)
    result = tally_art278(owners=roll.owners, opinions=ballots.opinions, major=major, follow_majority=follow_majority)
    return PaperCount(roll=roll, ballots=ballots, result=result)
