"""Spreadsheets in: .xlsx/.xls read with python-calamine (10× faster than openpyxl), .csv in UTF-8 or GB18030,
and headers matched against the names staff actually use (身份证号 / 证件号码 / 公民身份号码…)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from gongzhi.core.exceptions import DomainError
from gongzhi.core.uploads import zip_bounded

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
# How far down a sheet the header row may be (templates put instructions above it).
HEADER_SEARCH_ROWS = 10


def read_rows(source: str | Path | IO[bytes], *, filename: str) -> list[list[Any]]:
    """All rows of the first sheet (or of the CSV), cells as Python values."""
    suffix = Path(filename).suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        zip_bounded(source)  # before calamine inflates anything (a .xls named file may still be a zip)
        try:
            if isinstance(source, str | Path):
                workbook = CalamineWorkbook.from_path(str(source))
            else:
                workbook = CalamineWorkbook.from_filelike(source)
            rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except CalamineError as exc:
            raise DomainError(
                _("无法读取该 Excel 文件（%(error)s）。请确认文件未加密、未损坏。") % {"error": exc}
            ) from exc
        return [list(row) for row in rows]
    if suffix == ".csv":
        raw = Path(source).read_bytes() if isinstance(source, str | Path) else source.read()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise DomainError(_("无法识别 CSV 文件的编码，请另存为 UTF-8 或 Excel 格式。"))
        return [list(row) for row in csv.reader(io.StringIO(text))]
    raise DomainError(_("只支持 .xlsx、.xls 和 .csv 文件。"))


def normalise_header(value: Any) -> str:
    """'* 身份证号码（必填）' → '身份证号码': templates mark required columns and add notes."""
    text = re.sub(r"\s+", "", str(value or ""))
    text = re.sub(r"[（(][^）)]*[）)]", "", text)
    return text.strip("*＊:：")


@dataclass(frozen=True)
class Header:
    row_index: int  # 0-based index of the header row in the sheet
    columns: dict[str, int]  # field → column index
    names: list[str]  # the header cells as the file has them


def find_header(
    rows: Sequence[Sequence[Any]], *, aliases: Mapping[str, Sequence[str]], required: Sequence[str]
) -> Header:
    """The first row, within the top rows, that names every required field under one of its aliases."""
    lookup = {normalise_header(alias): field for field, names in aliases.items() for alias in names}
    best: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(row):
            field = lookup.get(normalise_header(cell))
            if field is not None and field not in columns:
                columns[field] = position
        if best is None or len(columns) > len(best[1]):
            best = (index, columns)
        if all(field in columns for field in required):
            return Header(index, columns, [str(c or "") for c in row])
    found = best[1] if best else {}
    missing = [field for field in required if field not in found]
    raise DomainError(
        _("表头缺少必填列：%(missing)s。请使用导入模板，或把列名改为模板中的名称。")
        % {"missing": "、".join(f"{aliases[f][0]}" for f in missing)}
    )
