"""Photo checks and EXIF stripping for every module that takes photos (cases, ledgers): what is stored is
what is shown, re-encoded without metadata."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gongzhi.core.exceptions import DomainError

MAX_BYTES = 8 * 1024 * 1024
# Pixels a photo may declare. The byte limit does not bound what decoding costs: a PNG of a few KB can
# declare 20,000 × 20,000 pixels of one colour and take 1.2 GB to decode (a decompression bomb). The
# header gives the size before anything is decoded; 50 MP admits a phone's 48 MP mode (~150 MB decoded).
MAX_PIXELS = 50_000_000
MAX_PHOTOS = 6
MAX_SIDE = 2048
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


@dataclass(frozen=True)
class CleanPhoto:
    content: ContentFile[bytes]
    width: int
    height: int


def photo_clean(upload: IO[bytes], *, size: int, field: str = "photos") -> CleanPhoto:
    """Check type and size, then re-encode as JPEG: orientation applied, EXIF (GPS, device) dropped."""
    if size > MAX_BYTES:
        raise DomainError(_("照片不能超过 8 MB。"), field=field)
    try:
        image: Image.Image = Image.open(upload)  # reads the header only
    except Image.DecompressionBombError as exc:  # Pillow's own, far higher limit
        raise _too_many_pixels(field) from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise DomainError(_("照片无法识别，请上传 JPEG、PNG 或 WebP 图片。"), field=field) from exc
    image_format = image.format
    if image_format not in ACCEPTED_FORMATS:
        raise DomainError(_("照片格式只能是 JPEG、PNG 或 WebP。"), field=field)
    if image.width * image.height > MAX_PIXELS:
        raise _too_many_pixels(field)
    try:
        image.load()
    except (OSError, Image.DecompressionBombError) as exc:
        raise DomainError(_("照片无法识别，请上传 JPEG、PNG 或 WebP 图片。"), field=field) from exc
    image = ImageOps.exif_transpose(image) or image
    image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)  # no exif= argument: nothing of the original metadata is kept
    return CleanPhoto(content=ContentFile(out.getvalue(), name="photo.jpg"), width=image.width, height=image.height)


def _too_many_pixels(field: str) -> DomainError:
    return DomainError(
        _("照片像素过多（最多 %(mp)d 百万像素），请缩小后再上传。") % {"mp": MAX_PIXELS // 1_000_000}, field=field
    )


def photos_clean(uploads: list[Any], *, field: str = "photos") -> list[CleanPhoto]:
    if len(uploads) > MAX_PHOTOS:
        raise DomainError(_("照片最多 %(n)d 张。") % {"n": MAX_PHOTOS}, field=field)
    return [photo_clean(u, size=u.size, field=field) for u in uploads]
