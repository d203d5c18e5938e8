from __future__ import annotations

import urllib.parse

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.pii import EncryptedTextField
from gongzhi.robots.choices import DeliveryStatus, RobotKind
from gongzhi.robots.senders import webhook_url_problem
from gongzhi.territory.choices import NodeKind


class RobotChannel(models.Model):
    """One group robot of a community (its property working group, say) and the topics it is sent.

    The webhook URL carries the robot's token and the DingTalk secret signs each message: whoever has
    them can post into the group, so both are stored encrypted (core.pii) and never shown in lists."""

    community = models.ForeignKey(
        "territory.Node",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": NodeKind.COMMUNITY},
        verbose_name=_("社区"),
    )
    name = models.CharField(_("名称"), max_length=100, help_text=_("例如：第一社区物业工作群"))
    kind = models.CharField(_("类型"), max_length=10, choices=RobotKind.choices)
    webhook_url = EncryptedTextField(_("Webhook 地址"))
    secret = EncryptedTextField(_("加签密钥"), blank=True, help_text=_("钉钉机器人“加签”安全设置的密钥（SEC开头）。"))
    topics = models.JSONField(_("接收的消息"), default=list, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["community", "name"]
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        problem = webhook_url_problem(self.kind, self.webhook_url or "")
        if problem:
            raise ValidationError({"webhook_url": problem})
        if self.secret and self.kind != RobotKind.DINGTALK:
            raise ValidationError({"secret": _("只有钉钉机器人使用加签密钥。")})

    @property
    def webhook_host(self) -> str:
        """Where it posts, without the token: safe to show."""
        return urllib.parse.urlsplit(self.webhook_url or "").netloc


class RobotDelivery(models.Model):
    """One message to one channel and how its sending went: the delivery log."""

    channel = models.ForeignKey(RobotChannel, on_delete=models.PROTECT, related_name="deliveries")
    topic = models.CharField(_("消息类别"), max_length=60)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("内容"))
    # Set by the poster so that posting the same thing again (a retried job) sends nothing new.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    next_try_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("机器人消息")
        verbose_name_plural = _("机器人消息记录")
        constraints = [
            models.UniqueConstraint(fields=["channel", "dedupe_key"], name="robot_delivery_dedupe"),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.PENDING) | Q(next_try_at__isnull=False),
                name="robot_delivery_pending_has_next_try",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_try_at"], name="robot_delivery_due")]

    def __str__(self) -> str:
        return self.title
