"""Zip bombs in spreadsheets: real ones, built here by hand, through the real upload page and commands.

The bomb is a valid workbook (openpyxl writes it) whose sheet XML gets 640 MiB of spaces before
``</sheetData>``. The deflate stream is 1 MiB of spaces compressed once with a full flush and repeated, so the
file is about 700 KB and takes a fraction of a second to build, while any parser that opens it inflates
640 MiB. A second bomb declares small sizes in its zip directory and holds the same stream.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from gongzhi.core.exceptions import DomainError
from gongzhi.core.tables import read_rows
from gongzhi.core.uploads import MAX_INFLATED_BYTES, MAX_MEMBERS, zip_bounded
from gongzhi.registry.models import Household, ImportJob, Person
from gongzhi.registry.tests.test_importing import HEADER, row
from gongzhi.votes.sheets import SheetError, count_paper_vote

MiB = 1024 * 1024
BOMB_MIB = 640
REFUSED = "压缩炸弹"


def workbook(*rows: list[object]) -> bytes:
    book = Workbook()
    for r in rows:
        book.active.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _segment(data: bytes) -> bytes:
    """Raw deflate of ``data`` ending byte-aligned with no reference backwards: segments concatenate."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip written field by field, so that the size it declares can be anything: (name, deflate stream,
    crc-32 of the inflated data, inflated size declared)."""
    out, central = io.BytesIO(), io.BytesIO()
    day = 33  # 1980-01-01 in DOS date form
    for name, stream, crc, declared in members:
        offset, encoded = out.tell(), name.encode()
        out.write(
            struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, day, crc, len(stream), declared, len(encoded), 0)
        )
        out.write(encoded + stream)
        central.write(
            struct.pack(
                "<4s6H3L5H2L",
                *(b"PK\x01\x02", 20, 20, 0, 8, 0, day, crc, len(stream), declared, len(encoded), 0, 0, 0, 0, 0, offset),
            )
            + encoded
        )
    directory, start, count = central.getvalue(), out.tell(), len(members)
    out.write(directory)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), start, 0))
    return out.getvalue()


def bomb(*, declared_lie: bool = False, mib: int = BOMB_MIB) -> bytes:
    """A valid ledger workbook (the import's header, no rows) whose sheet inflates to ``mib`` MiB."""
    source = zipfile.ZipFile(io.BytesIO(workbook(HEADER)))
    members: list[tuple[str, bytes, int, int]] = []
    for info in source.infolist():
        data = source.read(info)
        if info.filename != "xl/worksheets/sheet1.xml":
            stream = _segment(data) + zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
            members.append((info.filename, stream, zlib.crc32(data), len(data)))
            continue
        head, tail = data.split(b"</sheetData>")
        tail = b"</sheetData>" + tail
        spaces = b" " * MiB
        repeated = _segment(spaces)
        stream = (
            _segment(head)
            + repeated * mib
            + _segment(tail)
            + zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
        )
        crc = zlib.crc32(head)
        for _ in range(mib):
            crc = zlib.crc32(spaces, crc)
        crc = zlib.crc32(tail, crc)
        size = len(head) + mib * MiB + len(tail)
        members.append((info.filename, stream, crc, len(head) + len(tail) if declared_lie else size))
    return _zip(members)


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    return {"honest": bomb(), "lying": bomb(declared_lie=True)}


def test_the_bombs_are_real_workbooks_that_inflate_past_the_limit(bombs):
    assert all(len(data) < 2 * MiB for data in bombs.values())
    honest = zipfile.ZipFile(io.BytesIO(bombs["honest"]))
    sheet = honest.getinfo("xl/worksheets/sheet1.xml")
    assert BOMB_MIB * MiB < sheet.file_size < (BOMB_MIB + 1) * MiB
    assert sheet.file_size > MAX_INFLATED_BYTES
    # The stream really inflates that far and ends as a sheet ends (zipfile checks the CRC-32 at the end).
    with honest.open(sheet) as stream:
        size = 0
        while chunk := stream.read(16 * MiB):
            size, last = size + len(chunk), chunk
    assert size == sheet.file_size and last.endswith(b"</worksheet>")
    lying = zipfile.ZipFile(io.BytesIO(bombs["lying"]))
    assert sum(m.file_size for m in lying.infolist()) < MiB  # what its directory declares


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["honest", "lying"])
def test_a_bomb_uploaded_to_the_import_page_is_refused_and_nothing_is_stored(
    world, client_of, django_capture_on_commit_callbacks, bombs, kind
):
    people, households = Person.objects.count(), Household.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of("wangge_a").post(
            reverse("registry:import"),
            {"file": SimpleUploadedFile("ledger.xlsx", bombs[kind]), "mode": "all"},
        )
    assert response.status_code == 200
    assert "文件解压后过大，可能是压缩炸弹，已拒绝导入" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert (Person.objects.count(), Household.objects.count()) == (people, households)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["honest", "lying"])
def test_the_import_command_refuses_a_bomb_and_writes_nothing(world, tmp_path, bombs, kind):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(bombs[kind])
    people = Person.objects.count()
    with pytest.raises(CommandError, match=REFUSED):
        call_command("import_registry", str(path), stdout=io.StringIO())
    assert Person.objects.count() == people
    assert not path.with_suffix(".rejects.xlsx").exists()


@pytest.mark.django_db
def test_a_normal_workbook_still_imports_through_the_command(world, tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(workbook(HEADER, row(room="901", name="普通人", area="60")))
    people = Person.objects.count()
    call_command("import_registry", str(path), stdout=io.StringIO())
    assert Person.objects.count() == people + 1


def test_a_bomb_named_xls_or_read_from_memory_is_refused_too(bombs):
    # calamine recognises a zip by its content, whatever the name says.
    for name in ("ledger.xls", "ledger.xlsm", "ledger.xlsx"):
        with pytest.raises(DomainError, match=REFUSED):
            read_rows(io.BytesIO(bombs["lying"]), filename=name)


def test_a_paper_vote_from_a_bomb_is_not_counted(tmp_path, bombs):
    roll, ballots = tmp_path / "roll.xlsx", tmp_path / "ballots.xlsx"
    roll.write_bytes(bombs["honest"])
    ballots.write_bytes(workbook(["房号", "证件号码", "表决意见"]))
    with pytest.raises(SheetError, match=REFUSED):
        count_paper_vote(roll, ballots, major=False)


def test_a_ratio_bomb_under_the_size_limit_and_a_swarm_of_members_are_refused():
    # 64 MiB of spaces is far under the size limit but compresses 1,000 times: only repetition does that.
    with pytest.raises(DomainError, match=REFUSED):
        zip_bounded(io.BytesIO(bomb(mib=64)))
    swarm = io.BytesIO()
    with zipfile.ZipFile(swarm, "w") as archive:
        for number in range(MAX_MEMBERS + 1):
            archive.writestr(f"xl/media/{number}.xml", b"<a/>")
    with pytest.raises(DomainError, match=REFUSED):
        zip_bounded(swarm)


def test_legitimate_workbooks_and_other_files_pass_and_the_stream_is_left_where_it_was(tmp_path: Path):
    rows = [row(room=str(100 + n), name=f"住户{n}", id_number=None, phone=f"139{n:08d}") for n in range(3000)]
    data = workbook(HEADER, *rows)
    source = io.BytesIO(data)
    source.seek(7)
    zip_bounded(source)
    assert source.tell() == 7
    (tmp_path / "a.csv").write_text("小区,楼栋\n", encoding="utf-8")
    zip_bounded(tmp_path / "a.csv")
    assert len(read_rows(io.BytesIO(data), filename="ledger.xlsx")) == 3001
