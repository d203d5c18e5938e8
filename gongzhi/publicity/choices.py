from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SCHEDULED = "scheduled", _("定时发布")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


NOTICE_TRANSITIONS: dict[str, set[str]] = {
    NoticeStatus.DRAFT: {NoticeStatus.SCHEDULED, NoticeStatus.PUBLISHED},
    NoticeStatus.SCHEDULED: {NoticeStatus.DRAFT, NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN},
    NoticeStatus.PUBLISHED: {NoticeStatus.WITHDRAWN},
    NoticeStatus.WITHDRAWN: set(),
}


class Audience(models.TextChoices):
    """Who a territory or care-tag rule reaches: residents living there, staff holding a role there, or both."""

    RESIDENTS = "residents", _("居民")
    STAFF = "staff", _("工作人员")


class Channel(models.TextChoices):
    """Ways a notice reaches a recipient beyond the inbox; the inbox is the row itself."""

    SMS = "sms", _("短信")
    ROBOT = "robot", _("工作群机器人")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class ActivityKind(models.TextChoices):
    """Offline publicity (宣传活动), counted by the cockpit."""

    BANNER = "banner", _("横幅标语")
    LEAFLET = "leaflet", _("入户发放宣传单")
    LECTURE = "lecture", _("宣讲讲座")
    BOARD = "board", _("宣传栏")
    STALL = "stall", _("设摊咨询")
    OTHER = "other", _("其他")
