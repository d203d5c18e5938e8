"""Helpers for case tests: a photo carrying EXIF GPS, a reported case in grid A, route rows."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.cases.models import Case, CaseCategory
from gongzhi.cases.services import case_report, place_locate
from gongzhi.core.actors import Actor
from gongzhi.core.photos import CleanPhoto, photo_clean


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (31.0, 52.0, 0.0), 3: "E", 4: (117.0, 17.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(name: str = "leak.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_with_gps(), content_type="image/jpeg")


def clean_photo() -> CleanPhoto:
    data = jpeg_with_gps()
    return photo_clean(io.BytesIO(data), size=len(data))


def leak() -> CaseCategory:
    return CaseCategory.objects.get(code="0101")


def report_leak(world, actor: Actor, *, private: bool = False) -> Case:  # type: ignore[no-untyped-def]
    return case_report(
        actor=actor,
        category=leak(),
        description="1号楼1单元楼道水管漏水",
        place=place_locate(dwelling=world.dwellings["1-101"]),
        photos=[clean_photo()],
        is_private=private,
    )


def rows_for_routes(world) -> dict[str, int | str]:  # type: ignore[no-untyped-def]
    from gongzhi.accounts.actors import actor_for_user
    from gongzhi.cases.services import open311_key_create, open311_request_create

    case = report_leak(world, actor_for_user(world.user("jumin")))
    key, _raw = open311_key_create(actor=actor_for_user(world.user("jiedao")), name="t")
    posted = open311_request_create(
        key=key, category=leak(), description="水管漏水", place=place_locate(building=world.buildings["2"])
    )
    return {
        "case_id": case.pk,
        "key_id": key.pk,
        "photo_id": case.photos.get().pk,
        "fmt": "json",
        "service_code": "0101",
        "service_request_id": str(case.pk),
        "token": posted.open311_token or "",
    }
