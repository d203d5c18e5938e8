from __future__ import annotations

from typing import Any

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


def rows_for_routes(world: World) -> dict[str, int]:
    """A public notice to compound X, published by 第一社区, and jumin's row of it."""
    notice = publish(world, Target(nodes=(world.compound_x.pk,)), is_public=True)
    recipient = Recipient.objects.get(notice=notice, person=world.people["jumin"])
    return {"notice_id": notice.pk, "recipient_id": recipient.pk}
