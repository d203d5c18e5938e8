from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.core.photos import CleanPhoto, photo_clean
from gongzhi.publicity import services
from gongzhi.publicity.models import Notice, Recipient
from gongzhi.publicity.targets import Target
from gongzhi.testing.world import SYSTEM, World


def publish(world: World, target: Target, **changes: Any) -> Notice:
    values = {
        "title": "停水通知（X小区）",
        "body": "<p>周三9时至12时停水。</p>",
        "node": world.community,
        "target": target,
    }
    notice = services.notice_create(actor=SYSTEM, data=services.NoticeData(**(values | changes)))
    return services.notice_publish(actor=SYSTEM, notice=notice)


def jpeg() -> CleanPhoto:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 90, 200)).save(out, format="JPEG")
    data = out.getvalue()
    return photo_clean(SimpleUploadedFile("p.jpg", data, content_type="image/jpeg"), size=len(data))


def rows_for_routes(world: World) -> dict[str, int]:
    """A public notice to compound X, published by 第一社区, and jumin's row of it; a leaflet round in X
    with a photo."""
    notice = publish(world, Target(nodes=(world.compound_x.pk,)), is_public=True)
    recipient = Recipient.objects.get(notice=notice, person=world.people["jumin"])
    activity = services.activity_record(
        actor=SYSTEM,
        data=services.ActivityData(
            node=world.compound_x, kind="leaflet", title="垃圾分类入户宣传", held_on=dt.date(2026, 5, 1), place="X小区"
        ),
        photos=[jpeg()],
    )
    return {"notice_id": notice.pk, "recipient_id": recipient.pk, "activity_photo_id": activity.photos.get().pk}
