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
        image: Image.Image = Image.open(upload)
        image_format = image.format
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise DomainError(_("照片无法识别，请上传 JPEG、PNG 或 WebP 图片。"), field=field) from exc
    if image_format not in ACCEPTED_FORMATS:
        raise DomainError(_("照片格式只能是 JPEG、PNG 或 WebP。"), field=field)
    image = ImageOps.exif_transpose(image) or image
    image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)  # no exif= argument: nothing of the original metadata is kept
    return CleanPhoto(content=ContentFile(out.getvalue(), name="photo.jpg"), width=image.width, height=image.height)


def photos_clean(uploads: list[Any], *, field: str = "photos") -> list[CleanPhoto]:
    if len(uploads) > MAX_PHOTOS:
        raise DomainError(_("照片最多 %(n)d 张。") % {"n": MAX_PHOTOS}, field=field)
    return [photo_clean(u, size=u.size, field=field) for u in uploads]
