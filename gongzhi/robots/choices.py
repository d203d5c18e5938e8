from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class RobotKind(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


class Topic(models.TextChoices):
    """What a channel may subscribe to; an app that posts adds its topics here."""

    STEWARDSHIP_RANKING = "stewardship.ranking", _("月度评比结果公示")
    STEWARDSHIP_APPEAL = "stewardship.appeal", _("评比申诉裁定")
    PUBLICITY_NOTICE = "publicity.notice", _("通知公告")


# Sent to one channel from the admin to check its configuration; never subscribed to.
TEST_TOPIC = "robots.test"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


DELIVERY_TRANSITIONS: dict[str, set[str]] = {
    DeliveryStatus.PENDING: {DeliveryStatus.SENT, DeliveryStatus.FAILED},
    DeliveryStatus.SENT: set(),
    DeliveryStatus.FAILED: {DeliveryStatus.PENDING},  # 重新发送, from the admin
}

# The wait after the n-th failed attempt; the attempt after the last wait is the last one.
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
