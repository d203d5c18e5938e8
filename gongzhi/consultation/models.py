from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.consultation.choices import (
    FollowUpStatus,
    MeetingStatus,
    ModerationKind,
    Party,
    SuggestionStatus,
    TopicStatus,
)
from gongzhi.core.models import AppendOnlyModel, ByteOrderCharField, TimeStampedModel

USER = settings.AUTH_USER_MODEL


class ConsultationRules(TimeStampedModel):
    """A community's or compound's own number of supports that makes a suggestion a topic."""

    node = models.OneToOneField(
        "territory.Node", on_delete=models.CASCADE, related_name="consultation_rules", verbose_name=_("范围")
    )
    support_threshold = models.PositiveSmallIntegerField(_("转为议题所需支持数"))
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("议事规则")
        verbose_name_plural = _("议事规则")
        constraints = [models.CheckConstraint(condition=Q(support_threshold__gte=1), name="rules_threshold_positive")]

    def __str__(self) -> str:
        return f"{self.node_id}: {self.support_threshold}"


class Moderated(models.Model):
    """Content a moderator can hide, with the reason everyone sees in its place and in the log."""

    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(_("隐藏原因"), max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Suggestion(TimeStampedModel, Moderated):
    """广言亭: a resident's suggestion for their compound or community."""

    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("建议人"))
    author_label = models.CharField(max_length=60)  # masked name, as others see it
    scope = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="+", verbose_name=_("范围"))
    scope_path = ByteOrderCharField(max_length=255, db_index=True)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"))
    status = models.CharField(_("状态"), max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN)
    support_count = models.PositiveIntegerField(_("支持数"), default=0)
    promoted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("建议")
        verbose_name_plural = _("建议")
        indexes = [models.Index(fields=["status", "-support_count"])]

    def __str__(self) -> str:
        return self.title


class Support(models.Model):
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("支持")
        verbose_name_plural = _("支持")
        constraints = [models.UniqueConstraint(fields=["suggestion", "user"], name="support_once_per_user")]

    def __str__(self) -> str:
        return f"{self.suggestion_id}:{self.user_id}"


class Topic(TimeStampedModel):
    """议事角: a matter under deliberation, from discussion to its published result."""

    suggestion = models.OneToOneField(
        Suggestion, null=True, blank=True, on_delete=models.PROTECT, related_name="topic", verbose_name=_("来源建议")
    )
    scope = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="+", verbose_name=_("范围"))
    scope_path = ByteOrderCharField(max_length=255, db_index=True)
    title = models.CharField(_("议题"), max_length=100)
    body = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=TopicStatus.choices, default=TopicStatus.OPEN)
    opened_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    dropped_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("议题")
        verbose_name_plural = _("议题")

    def __str__(self) -> str:
        return self.title


class Post(Moderated):
    """One contribution to a topic's discussion."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    author_label = models.CharField(max_length=60)
    body = models.TextField(_("发言"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["topic", "created_at", "id"]
        verbose_name = _("发言")
        verbose_name_plural = _("发言")

    def __str__(self) -> str:
        return f"{self.topic_id}#{self.pk}"


class Report(models.Model):
    """A resident flags a suggestion or a post for moderators; one report per person and item."""

    suggestion = models.ForeignKey(Suggestion, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("举报理由"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a moderator acted on the item (hid it or looked and kept it).
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("举报")
        verbose_name_plural = _("举报")
        constraints = [
            models.CheckConstraint(
                condition=Q(suggestion__isnull=False, post__isnull=True)
                | Q(suggestion__isnull=True, post__isnull=False),
                name="report_one_target",
            ),
            models.UniqueConstraint(
                fields=["suggestion", "reporter"], condition=Q(suggestion__isnull=False), name="report_suggestion_once"
            ),
            models.UniqueConstraint(
                fields=["post", "reporter"], condition=Q(post__isnull=False), name="report_post_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.suggestion_id or self.post_id}: {self.reason}"


class ModerationAction(AppendOnlyModel):
    """The moderation log everyone in scope can read: what was hidden or restored, by whom, and why."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    moderator = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=ModerationKind.choices)
    suggestion = models.ForeignKey(Suggestion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    scope_path = ByteOrderCharField(max_length=255, db_index=True)
    subject = models.CharField(max_length=120)  # the title, or the topic of a post; never the hidden text
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("管理记录")
        verbose_name_plural = _("管理记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(suggestion__isnull=False, post__isnull=True)
                | Q(suggestion__isnull=True, post__isnull=False),
                name="moderation_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}"


class Meeting(TimeStampedModel):
    """A 议事 meeting: when, where, who was invited, who came, and its minutes."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField(_("会议时间"))
    place = models.CharField(_("地点"), max_length=120)
    invited = models.JSONField(_("邀请参加"), default=list)  # Party values
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    convened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    minutes = models.TextField(_("会议纪要"), blank=True)
    minutes_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    minutes_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["topic", "starts_at", "id"]
        verbose_name = _("议事会议")
        verbose_name_plural = _("议事会议")

    def __str__(self) -> str:
        return f"{self.topic_id} @ {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def invited_labels(self) -> list[str]:
        return [str(Party(p).label) for p in self.invited if p in Party.values]


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(_("姓名"), max_length=50)
    party = models.CharField(_("代表"), max_length=20, choices=Party.choices)

    class Meta:
        ordering = ["meeting", "party", "id"]
        verbose_name = _("参会人员")
        verbose_name_plural = _("参会人员")

    def __str__(self) -> str:
        return self.name


class Resolution(TimeStampedModel):
    """The motion put to the vote; its poll in the vote engine carries the ballots and the count."""

    topic = models.OneToOneField(Topic, on_delete=models.PROTECT, related_name="resolution")
    text = models.TextField(_("表决事项"))
    poll = models.OneToOneField("votes.Poll", on_delete=models.PROTECT, related_name="+")
    proposed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # Copied from the count when the vote closes, so lists can say "通过" without opening the poll.
    adopted = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("表决事项")
        verbose_name_plural = _("表决事项")

    def __str__(self) -> str:
        return self.text[:40]


class FollowUp(TimeStampedModel):
    """A follow-up action: who does what by when, until done."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="follow_ups")
    description = models.CharField(_("事项"), max_length=300)
    owner_name = models.CharField(_("责任人"), max_length=50)
    owner_party = models.CharField(_("责任单位"), max_length=20, choices=Party.choices)
    owner_user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("完成期限"))
    status = models.CharField(max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_note = models.CharField(_("完成情况"), max_length=300, blank=True)
    done_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["topic", "due_on", "id"]
        verbose_name = _("跟进事项")
        verbose_name_plural = _("跟进事项")
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.description


class ResultNotice(models.Model):
    """The public result notice (结果公示) of a topic."""

    topic = models.OneToOneField(Topic, on_delete=models.PROTECT, related_name="notice")
    body = models.TextField(_("公示内容"))
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("结果公示")
        verbose_name_plural = _("结果公示")

    def __str__(self) -> str:
        return f"{self.topic_id}"
