"""Zip bombs: every .xlsx (a zip of XML) is bounded before a spreadsheet parser opens it.

A workbook's upload limit (50 MB) does not bound what parsing costs: deflate shrinks repeated bytes about
1,000 times, so a 1 MB .xlsx can hold a sheet of 1 GB, and a parser inflates all of it. This module reads
only the zip's directory and the deflate streams, never the XML, and refuses the file when

- the members' declared sizes add up to more than ``MAX_INFLATED_BYTES``;
- it has more than ``MAX_MEMBERS`` members (a workbook has about ten: one per sheet, styles, relations);
- a member larger than ``RATIO_FROM_BYTES`` is compressed more than ``MAX_RATIO`` times;
- the deflate streams, inflated here into nothing, produce more than the declared sizes allow. Sizes in a
  zip's directory are the sender's word and a parser may believe the stream instead, so each stream is
  inflated in bounded steps and stopped as soon as the total passes the limit.

The limits come from the largest legitimate import. A population ledger written by openpyxl measures 746
bytes a row inflated and 73 compressed (100,000 rows with names, ID and phone numbers: 74.6 MB in a 7.3 MB
file, ratio 10.2); Excel's shared strings make it smaller. The upload limit of 50 MB therefore admits about
680,000 rows, two thirds of tier M's 999,888 persons, which inflate to about 510 MB: 512 MiB lets every file
the upload limit admits through with room, and refuses what only a bomb reaches. Ledgers and vote sheets
are ratio 5–15; 100 is never reached by rows of people, only by repetition.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from gongzhi.core.exceptions import DomainError

MAX_INFLATED_BYTES = 512 * 1024 * 1024
MAX_MEMBERS = 1000
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
_CHUNK = 1024 * 1024
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")


def _bomb(field: str | None) -> DomainError:
    return DomainError(_("文件解压后过大，可能是压缩炸弹，已拒绝导入。"), field=field)


def zip_bounded(source: str | Path | IO[bytes], *, field: str | None = None) -> None:
    """Refuse a zip (an .xlsx) that would inflate past the limits; anything that is not a zip passes, for
    the parser to judge. A file object is left at the position it was given at."""
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            _check(handle, field)
        return
    start = source.tell()
    try:
        _check(source, field)
    finally:
        source.seek(start)


def _check(handle: IO[bytes], field: str | None) -> None:
    if not zipfile.is_zipfile(handle):
        return
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # the parser reports an unreadable file in its own words
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise _bomb(field)
    if sum(m.file_size for m in members) > MAX_INFLATED_BYTES:
        raise _bomb(field)
    for member in members:
        if member.file_size > RATIO_FROM_BYTES and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise _bomb(field)
    budget = MAX_INFLATED_BYTES
    for member in members:
        inflated = _inflated_size(handle, member, budget + 1)
        if inflated > budget:
            raise _bomb(field)
        if inflated > RATIO_FROM_BYTES and inflated > MAX_RATIO * max(member.compress_size, 1):
            raise _bomb(field)
        budget -= inflated


def _inflated_size(handle: IO[bytes], member: zipfile.ZipInfo, cap: int) -> int:
    """What the member's data inflates to, counted up to ``cap`` bytes and then no further. The stream is
    read to its own end, not to the declared compressed size, since either may be what a parser follows."""
    if member.flag_bits & 0x1 or member.compress_type == zipfile.ZIP_STORED:
        return member.compress_size  # encrypted (no parser of ours opens it) or stored: as large as it is
    if member.compress_type != zipfile.ZIP_DEFLATED:
        return cap  # Excel writes deflate only; another method is not inflated here, so not trusted
    handle.seek(member.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size:
        return 0
    name_length, extra_length = _LOCAL_HEADER.unpack(header)[-2:]
    handle.seek(member.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    total = 0
    while not inflater.eof and total < cap:
        data = inflater.unconsumed_tail or handle.read(_CHUNK)
        if not data:
            break
        try:
            total += len(inflater.decompress(data, _CHUNK))
        except zlib.error:
            break  # a broken stream: no parser inflates past the break either
    return total
