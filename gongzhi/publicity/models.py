"""Notices (通知公告) with a target rule frozen into recipients, reads and 'told in person'; deliveries beyond
the inbox; offline publicity activities. Honour campaigns are in models_honour.py.

A notice's target is a rule (territory nodes or grids, roles, care tags, owners of compounds); publishing
resolves it once into Recipient rows, so who was meant stays as it was when the notice went out, whoever
moves in or out afterwards. A tier M subdistrict publishes to about a million residents: recipients are
written with one INSERT … SELECT (services.recipients_freeze), never row by row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.publicity.choices import ActivityKind, Channel, DeliveryStatus, NoticeStatus


class Notice(TimeStampedModel):
    title = models.CharField(_("标题"), max_length=120)
    # Sanitised when saved (services): only the tags of publicity.sanitise.ALLOWED_TAGS survive.
    body = models.TextField(_("正文"))
    # The node the notice is published from: whoever manages it (its community, the subdistrict) keeps it.
    node = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="+", verbose_name=_("发布单位"))
    # The rule: {"nodes": [ids], "grids": [ids], "audience": ["residents", "staff"], "roles": [...],
    # "care_tags": [codes], "owners_of": [compound ids]} (services.Target). Kept for the record.
    target = models.JSONField(_("发送对象"), default=dict)
    target_label = models.CharField(_("发送对象说明"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT)
    publish_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    is_pinned = models.BooleanField(_("置顶"), default=False)
    # Shown on the public board of each compound under its node (vote results, red and black lists…).
    is_public = models.BooleanField(_("在小区公告栏公开"), default=False)
    # Remind the unread after this many hours; residents without an account go to the grid worker's list.
    remind_after_hours = models.PositiveSmallIntegerField(_("未读提醒（小时后）"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    channels = models.JSONField(_("同时通过"), default=list, blank=True)
    # Another module's record this notice publishes ("votes.poll:12"): one notice per record.
    source = models.CharField(max_length=60, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(_("发布人"), max_length=150)

    class Meta:
        ordering = ["-is_pinned", "-published_at", "-id"]
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")
        constraints = [
            models.UniqueConstraint(fields=["source"], condition=~Q(source=""), name="notice_source_once"),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(publish_at__isnull=True) | Q(expires_at__gt=F("publish_at")),
                name="notice_expires_after_publish",
            ),
        ]
        indexes = [models.Index(fields=["status", "publish_at"]), models.Index(fields=["is_public", "status"])]

    def __str__(self) -> str:
        return self.title


class Attachment(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="publicity/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=150)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name


class Recipient(models.Model):
    """One person a published notice was meant for: a resident (person, with or without an account: their
    inbox finds them by their person) or a member of staff reached by role (user, no person). Reading once
    sets read_at; a grid worker telling a resident in person sets told_at (offline publicity counts)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients", db_index=False)
    person = models.ForeignKey("registry.Person", null=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    # Where the resident lived when the notice went out: the read rate per grid, the grid worker's list.
    grid = models.ForeignKey("territory.Grid", null=True, on_delete=models.SET_NULL, related_name="+")
    org_path = models.CharField(max_length=255, blank=True)
    read_at = models.DateTimeField(null=True)
    told_at = models.DateTimeField(null=True)
    told_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reminded_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("通知对象")
        verbose_name_plural = _("通知对象")
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "person"], condition=Q(person__isnull=False), name="recipient_person_once"
            ),
            models.UniqueConstraint(
                fields=["notice", "user"], condition=Q(person__isnull=True), name="recipient_user_once"
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False, user__isnull=True) | Q(person__isnull=True, user__isnull=False),
                name="recipient_person_or_user",
            ),
        ]
        indexes = [
            models.Index(fields=["notice", "grid"], name="recipient_notice_grid"),
            models.Index(fields=["person", "notice"], name="recipient_person_inbox"),
            models.Index(fields=["user", "notice"], condition=Q(user__isnull=False), name="recipient_user_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.person_id or self.user_id}"


# NoticeTally.grid_key of staff recipients; residents in no grid have 0 and their community's path.
STAFF_BUCKET = -1
NO_GRID = 0


class NoticeTally(models.Model):
    """A notice's recipients, reads and 'told in person' per grid (residents in no grid: per community; staff:
    one row), written when the notice is published and counted up as reads happen: the read-rate page of a
    notice sent to a million residents reads a few hundred of these, never the recipients."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="tallies")
    grid_key = models.IntegerField()  # the grid's id; NO_GRID; STAFF_BUCKET
    community_path = models.CharField(max_length=255, blank=True)
    recipients = models.PositiveIntegerField(default=0)
    read = models.PositiveIntegerField(default=0)
    told = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["notice", "community_path", "grid_key"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "grid_key", "community_path"], name="notice_tally_bucket_once")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.grid_key}"


class Delivery(models.Model):
    """A notice sent to one recipient through a channel beyond the inbox (SMS). Unique per notice,
    recipient and channel: the same notice never reaches one person twice, retries included."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # The reminder is a second message on purpose; it has its own row.
    is_reminder = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    provider_id = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "recipient", "channel", "is_reminder"], name="delivery_once_per_channel"
            )
        ]
        indexes = [models.Index(fields=["status", "next_try_at"])]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.recipient_id}:{self.channel}"


class PublicityActivity(TimeStampedModel):
    """Offline publicity (宣传活动): a banner, leaflets door to door, a lecture; counted by the cockpit."""

    node = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="+", verbose_name=_("区域"))
    kind = models.CharField(_("形式"), max_length=10, choices=ActivityKind.choices)
    title = models.CharField(_("主题"), max_length=100)
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=100)
    reach = models.PositiveIntegerField(_("覆盖人数"), default=0)
    description = models.CharField(_("说明"), max_length=500, blank=True)
    # Leaflets door to door can be a campaign of the campaigns module, whose coverage then counts.
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("对应走访任务"),
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_by_name = models.CharField(_("记录人"), max_length=150)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("宣传活动")
        verbose_name_plural = _("宣传活动")
        indexes = [models.Index(fields=["held_on"])]

    def __str__(self) -> str:
        return self.title


class ActivityPhoto(models.Model):
    """A photo of a publicity activity, re-encoded without EXIF when uploaded (core.photos)."""

    activity = models.ForeignKey(PublicityActivity, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="publicity/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.pk}"


from gongzhi.publicity.models_honour import *  # noqa: E402, F403 - honour campaigns, one app
