"""Excel files out: streamed with openpyxl's write-only mode, ID numbers and phones written as text.

The export services of each app decide what goes in (scope, masking) and write the access-log row; this
module only writes cells. openpyxl resists XML bombs only with defusedxml installed, which the pins do.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import quote

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

# Spool to disk above this size; a 100,000-row ledger is about 6 MB.
SPOOL_BYTES = 16 * 1024 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 14
    # Text columns keep leading zeros and all 18 digits: Excel must never read them as numbers.
    text: bool = False


def write_xlsx(
    out: IO[bytes], *, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], notice: str = ""
) -> int:
    """Write one sheet; ``notice`` (who exported it, when, why) goes in the first row. Returns the row count."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    if notice:
        cell = WriteOnlyCell(sheet, value=notice)
        cell.font = Font(color="C0392B", italic=True)
        sheet.append([cell])
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        header.append(cell)
    sheet.append(header)
    text_columns = [i for i, column in enumerate(columns) if column.text]
    count = 0
    for row in rows:
        values: list[Any] = list(row)
        for i in text_columns:
            if values[i] is not None and values[i] != "":
                cell = WriteOnlyCell(sheet, value=str(values[i]))
                cell.number_format = "@"
                values[i] = cell
        sheet.append(values)
        count += 1
    workbook.save(out)
    return count


def xlsx_response(
    *, filename: str, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], notice: str = ""
) -> FileResponse:
    """An attachment response with the workbook, built in a spooled temporary file."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - FileResponse closes it
    write_xlsx(spool, title=title, columns=columns, rows=rows, notice=notice)
    spool.seek(0)
    response = FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    # RFC 6266 filename* for Chinese names; FileResponse sets it too, this keeps the ASCII fallback explicit.
    response["Content-Disposition"] = f"attachment; filename=export.xlsx; filename*=UTF-8''{quote(filename)}"
    return response
