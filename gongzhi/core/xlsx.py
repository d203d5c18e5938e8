"""Excel files out: one sheet streamed straight into the zip, ID numbers and phones written as text.

The export services of each app decide what goes in (scope, masking) and write the access-log row; this
module only writes cells. It writes the SpreadsheetML itself (ECMA-376 part 1: a workbook, one worksheet of
inline strings, a small style sheet) instead of going through openpyxl: openpyxl's write-only mode spent
about 20 µs per cell, which made a 100,000-row ledger (1.2 million cells) take over 20 seconds; string
formatting into a deflate stream takes a fraction of that. Files read back with openpyxl, calamine, Excel,
WPS and LibreOffice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.http import FileResponse
from django.utils import timezone

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001 - Excel serial dates have no time zone
MAX_CELL_TEXT = 32_767  # Excel's limit on the characters in one cell
# XML 1.0 has no way to write these control characters; they are dropped from cell text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Cell styles (cellXfs in styles.xml, by position).
_PLAIN, _HEADER, _NOTICE, _TEXT, _DATE, _DATETIME = range(6)
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>\
<numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd hh:mm"/></numFmts>\
<fonts count="3"><font><sz val="11"/><name val="等线"/><family val="2"/></font>\
<font><b/><sz val="11"/><name val="等线"/><family val="2"/></font>\
<font><i/><sz val="11"/><color rgb="FFC0392B"/><name val="等线"/><family val="2"/></font></fonts>\
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>\
<fill><patternFill patternType="solid"><fgColor rgb="FFF2F2F2"/><bgColor indexed="64"/></patternFill></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>\
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""
_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"""
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="xl/workbook.xml"/></Relationships>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \
Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" \
Target="styles.xml"/></Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<sheets><sheet name={name} sheetId="1" r:id="rId1"/></sheets></workbook>"""
_SHEET_START = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"""


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 14
    # Text columns keep leading zeros and all 18 digits: Excel must never read them as numbers.
    text: bool = False


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text_cell(ref: str, value: str, style: int) -> str:
    value = _NOT_XML.sub("", value)[:MAX_CELL_TEXT]
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'


def _cell(ref: str, value: Any, text: bool) -> str:
    if value is None or value == "":
        return ""
    if text or isinstance(value, str):
        return _text_cell(ref, str(value), _TEXT if text else _PLAIN)
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        serial = (value - EXCEL_EPOCH) / dt.timedelta(days=1)
        return f'<c r="{ref}" s="{_DATETIME}"><v>{serial:.10f}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{_DATE}"><v>{(value - EXCEL_EPOCH.date()).days}</v></c>'
    return _text_cell(ref, str(value), _PLAIN)


def write_xlsx(
    out: IO[bytes], *, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], notice: str = ""
) -> int:
    """Write one sheet; ``notice`` (who exported it, when, why) goes in the first row. Returns the row count."""
    letters = [column_letter(i) for i in range(1, len(columns) + 1)]
    text_flags = [column.text for column in columns]
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=3) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK.format(name=quoteattr(_sheet_name(title))))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            cols = "".join(
                f'<col min="{i}" max="{i}" width="{column.width}" customWidth="1"/>'
                for i, column in enumerate(columns, start=1)
            )
            head = [_SHEET_START, f"<cols>{cols}</cols><sheetData>" if cols else "<sheetData>"]
            number = 0
            if notice:
                number += 1
                head.append(f'<row r="{number}">{_text_cell(f"A{number}", notice, _NOTICE)}</row>')
            number += 1
            header = "".join(_text_cell(f"{letters[i]}{number}", c.header, _HEADER) for i, c in enumerate(columns))
            head.append(f'<row r="{number}">{header}</row>')
            sheet.write("".join(head).encode())
            batch: list[str] = []
            for row in rows:
                number += 1
                count += 1
                cells = "".join(
                    _cell(f"{letters[i]}{number}", value, text_flags[i] if i < len(letters) else False)
                    for i, value in enumerate(row[: len(letters)] if letters else row)
                )
                batch.append(f'<row r="{number}">{cells}</row>')
                if len(batch) >= 1000:
                    sheet.write("".join(batch).encode())
                    batch = []
            batch.append("</sheetData></worksheet>")
            sheet.write("".join(batch).encode())
    return count


def _sheet_name(title: str) -> str:
    """Excel's rules for a sheet name: at most 31 characters, none of : \\ / ? * [ ]."""
    name = re.sub(r"[:\\/?*\[\]]", "", title).strip("'")[:31]
    return name or "Sheet1"


class ExportDiskFull(Exception):
    """The disk the workbook spools to filled up: nothing was exported (core.errors answers 507)."""


def _disk_full(exc: BaseException | None) -> bool:
    """Whether ENOSPC (or a quota) is behind the exception. Not always on top: when the spool's first move to
    disk fails, zipfile's close writes again and the spool, half rolled over, raises AttributeError."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in {errno.ENOSPC, errno.EDQUOT}:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def xlsx_response(
    *, filename: str, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], notice: str = ""
) -> FileResponse:
    """An attachment response with the workbook, built in a spooled temporary file.

    Above GONGZHI_EXPORT_SPOOL_BYTES the spool is a file in the temporary directory, created unlinked: if
    that disk fills up, closing it frees the space and leaves no partial file; the user is told why.
    """
    # FileResponse closes the spool once sent.
    spool = tempfile.SpooledTemporaryFile(max_size=settings.GONGZHI_EXPORT_SPOOL_BYTES)  # noqa: SIM115
    try:
        write_xlsx(spool, title=title, columns=columns, rows=rows, notice=notice)
        spool.seek(0)  # flushes the file's buffer: the last write of a full disk can fail here
    except Exception as exc:
        # Closing can fail again on the full disk (the buffer's last flush); the file is closed, and its
        # space freed, all the same. The rows' generator goes too, with its database cursor, now.
        with contextlib.suppress(OSError):
            spool.close()
        getattr(rows, "close", lambda: None)()
        if _disk_full(exc):
            raise ExportDiskFull from exc
        raise
    response = FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    # RFC 6266 filename* for Chinese names; FileResponse sets it too, this keeps the ASCII fallback explicit.
    response["Content-Disposition"] = f"attachment; filename=export.xlsx; filename*=UTF-8''{quote(filename)}"
    return response
