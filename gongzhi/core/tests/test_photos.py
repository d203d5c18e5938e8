"""Photo uploads against decompression bombs (issue 19, hostile input): a file small enough to pass the byte
limit but declaring far more pixels than a photo has is refused from its header, before it is decoded, and
nothing of the report it came with is stored."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.tests.helpers import leak
from gongzhi.core.exceptions import DomainError
from gongzhi.core.photos import MAX_BYTES, MAX_PIXELS, photo_clean

pytestmark = pytest.mark.django_db
CASES = "/api/v1/cases/cases"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 9_000) -> bytes:
    """A valid greyscale PNG of side × side black pixels: a few hundred KB that decode to side² bytes."""
    row = b"\x00" + bytes(side)  # filter type 0, then one byte per pixel
    squeeze = zlib.compressobj(9)
    body = b"".join(squeeze.compress(row) for _ in range(side)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return png_bomb()


def test_the_bomb_is_small_a_real_png_and_below_pillows_own_limit(bomb: bytes) -> None:
    """81 MP: Pillow opens it without even a warning (its limit is about 89 MP), our limit is 50 MP."""
    assert len(bomb) < MAX_BYTES // 8  # the byte limit alone would let it through
    with Image.open(io.BytesIO(bomb)) as image:  # header only
        assert image.format == "PNG" and image.size == (9_000, 9_000)
    assert MAX_PIXELS < 9_000 * 9_000 < (Image.MAX_IMAGE_PIXELS or 0)


@pytest.mark.parametrize("side", [9_000, 20_000])  # ours, and far past Pillow's own refusal at open
def test_a_photo_declaring_too_many_pixels_is_refused_before_decoding(side: int, bomb: bytes) -> None:
    data = bomb if side == 9_000 else png_bomb(side)
    with pytest.raises(DomainError) as refused:
        photo_clean(io.BytesIO(data), size=len(data))
    assert "像素过多" in refused.value.message and refused.value.field == "photos"


def test_a_photo_just_under_the_limit_is_accepted() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), "white").save(buffer, format="JPEG")  # a 12 MP phone photo
    clean = photo_clean(io.BytesIO(buffer.getvalue()), size=buffer.tell())
    assert max(clean.width, clean.height) == 2048


def test_a_report_carrying_a_bomb_is_refused_with_the_reason_and_nothing_is_stored(world, client_of, bomb):  # type: ignore[no-untyped-def]
    response = client_of("jumin").post(
        CASES,
        {
            "category": leak().pk,
            "description": "楼道水管漏水",
            "where": f"d{world.dwellings['1-101'].pk}",
            "photos": [SimpleUploadedFile("leak.png", bomb, content_type="image/png")],
        },
    )
    assert response.status_code == 400
    assert response.json()["field"] == "photos" and "像素过多" in response.json()["detail"]
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_a_photo_over_the_byte_limit_is_refused(world, client_of):  # type: ignore[no-untyped-def]
    response = client_of("jumin").post(
        CASES,
        {
            "category": leak().pk,
            "description": "楼道水管漏水",
            "where": f"d{world.dwellings['1-101'].pk}",
            "photos": [SimpleUploadedFile("big.jpg", b"\xff" * (MAX_BYTES + 1), content_type="image/jpeg")],
        },
    )
    assert response.status_code == 400 and "8 MB" in response.json()["detail"]
    assert Case.objects.count() == 0
