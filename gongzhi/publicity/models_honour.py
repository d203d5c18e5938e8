"""Honour campaigns (评选活动: 文明楼栋, 好婆婆, 好媳妇, 文明家庭, 最美志愿者) and the honour roll (光荣榜).

A campaign over a community or compound runs nominating → reviewing → voting → judging → decided →
published. Residents nominate (one nominee once per category: a unique index), staff review, the
approved nominations (finalists) go to a public vote run by the votes engine (one Question per
category, its Options the finalists), judges score them on a rubric, and the result per finalist is
w × votes share + (1 − w) × judges' share, kept as exact fractions in text, never as floats.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ByteOrderCharField, TimeStampedModel
from gongzhi.publicity.choices_honour import CampaignPhase, CategoryKind, NominationStatus
from gongzhi.votes.choices import Electorate

__all__ = [
    "HonourCampaign",
    "HonourCategory",
    "HonourJudge",
    "HonourNomination",
    "HonourPhoto",
    "HonourResult",
    "HonourRubricItem",
    "HonourScore",
]


class HonourCampaign(TimeStampedModel):
    title = models.CharField(_("活动名称"), max_length=120)
    description = models.TextField(_("活动说明"), blank=True)
    scope = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="+", verbose_name=_("范围"))
    scope_path = ByteOrderCharField(max_length=255, db_index=True)
    phase = models.CharField(_("阶段"), max_length=12, choices=CampaignPhase.choices, default=CampaignPhase.DRAFT)
    electorate = models.CharField(
        _("投票人"),
        max_length=12,
        choices=[
            (Electorate.RESIDENTS, Electorate.RESIDENTS.label),
            (Electorate.HOUSEHOLDS, Electorate.HOUSEHOLDS.label),
        ],
        default=Electorate.RESIDENTS,
    )
    # w of the result, in percent: total = w × votes share + (1 − w) × judges' share.
    vote_weight_percent = models.PositiveSmallIntegerField(_("群众投票权重（%）"), default=60)
    allows_self_nomination = models.BooleanField(_("允许自荐"), default=False)
    poll = models.OneToOneField(
        "votes.Poll", null=True, blank=True, on_delete=models.PROTECT, related_name="honour_campaign"
    )
    nominating_at = models.DateTimeField(null=True, blank=True)
    voting_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("评选活动")
        verbose_name_plural = _("评选活动")
        constraints = [
            models.CheckConstraint(condition=Q(vote_weight_percent__lte=100), name="honour_weight_percent"),
        ]

    def __str__(self) -> str:
        return self.title


class HonourCategory(models.Model):
    campaign = models.ForeignKey(HonourCampaign, on_delete=models.CASCADE, related_name="categories")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("评选对象"), max_length=10, choices=CategoryKind.choices)
    name = models.CharField(_("类别名称"), max_length=40)
    winners = models.PositiveSmallIntegerField(_("评选名额"), default=1)
    # k: the most finalists a voter may choose in this category.
    max_choices = models.PositiveSmallIntegerField(_("每人最多可选"), default=1)
    question = models.OneToOneField(
        "votes.Question", null=True, blank=True, on_delete=models.PROTECT, related_name="honour_category"
    )

    class Meta:
        ordering = ["campaign", "position"]
        verbose_name = _("评选类别")
        verbose_name_plural = _("评选类别")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "position"], name="honour_category_position_unique"),
            models.CheckConstraint(condition=Q(winners__gte=1) & Q(max_choices__gte=1), name="honour_category_counts"),
        ]

    def __str__(self) -> str:
        return self.name


class HonourRubricItem(models.Model):
    campaign = models.ForeignKey(HonourCampaign, on_delete=models.CASCADE, related_name="rubric")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("评分项"), max_length=60)
    max_points = models.PositiveSmallIntegerField(_("满分"))

    class Meta:
        ordering = ["campaign", "position"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "position"], name="honour_rubric_position_unique"),
            models.CheckConstraint(condition=Q(max_points__gte=1), name="honour_rubric_max_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class HonourJudge(models.Model):
    campaign = models.ForeignKey(HonourCampaign, on_delete=models.CASCADE, related_name="judges")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["campaign", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="honour_judge_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.user_id}"


class HonourNomination(TimeStampedModel):
    """One nominee in one category. ``nominee_key`` ("building:12", "person:5", …) carries the unique index."""

    campaign = models.ForeignKey(HonourCampaign, on_delete=models.CASCADE, related_name="nominations")
    category = models.ForeignKey(HonourCategory, on_delete=models.CASCADE, related_name="nominations")
    nominee_key = models.CharField(max_length=40)
    building = models.ForeignKey("territory.Node", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    volunteer = models.ForeignKey(
        "volunteering.Volunteer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What is shown: a name (or a building's name) and the building, never an ID number or phone.
    label = models.CharField(_("被提名对象"), max_length=100)
    place = models.CharField(_("所在楼栋"), max_length=120, blank=True)
    nominee_path = ByteOrderCharField(max_length=255)
    reason = models.TextField(_("推荐理由"))
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_self = models.BooleanField(default=False)
    # The nominator confirms that a person nominated agrees to be shown by name and building if chosen.
    has_consent = models.BooleanField(_("被提名人同意公示"), default=False)
    status = models.CharField(
        _("审核状态"), max_length=10, choices=NominationStatus.choices, default=NominationStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.CharField(_("审核意见"), max_length=300, blank=True)
    option = models.OneToOneField(
        "votes.Option", null=True, blank=True, on_delete=models.PROTECT, related_name="honour_nomination"
    )

    class Meta:
        ordering = ["category", "id"]
        verbose_name = _("提名")
        verbose_name_plural = _("提名")
        constraints = [
            models.UniqueConstraint(fields=["category", "nominee_key"], name="honour_nominee_once_per_category"),
            models.CheckConstraint(
                condition=~Q(status=NominationStatus.REJECTED) | ~Q(review_reason=""),
                name="honour_rejection_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return self.label


class HonourPhoto(models.Model):
    """A nomination's photo, re-encoded without EXIF when uploaded (core.photos)."""

    nomination = models.ForeignKey(HonourNomination, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="publicity/honour/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["nomination", "id"]

    def __str__(self) -> str:
        return f"{self.nomination_id}:{self.pk}"


class HonourScore(models.Model):
    judge = models.ForeignKey(HonourJudge, on_delete=models.CASCADE, related_name="scores")
    nomination = models.ForeignKey(HonourNomination, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(HonourRubricItem, on_delete=models.CASCADE, related_name="scores")
    points = models.PositiveSmallIntegerField()
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["judge", "nomination", "item"], name="honour_score_once"),
        ]

    def __str__(self) -> str:
        return f"{self.judge_id}:{self.nomination_id}:{self.item_id}"


class HonourResult(models.Model):
    """A finalist's result, computed once at deciding. Shares and totals are exact fractions as text ("4/5")."""

    nomination = models.OneToOneField(HonourNomination, on_delete=models.PROTECT, related_name="result")
    category = models.ForeignKey(HonourCategory, on_delete=models.PROTECT, related_name="results")
    votes = models.PositiveIntegerField()
    max_votes = models.PositiveIntegerField()
    judges_mean = models.CharField(max_length=40)
    rubric_max = models.PositiveIntegerField()
    total = models.CharField(max_length=60)
    rank = models.PositiveSmallIntegerField()
    is_winner = models.BooleanField(default=False)
    # Tied with another finalist at the last winning place on total, votes and judges alike: staff decide.
    needs_decision = models.BooleanField(default=False)
    decision_note = models.CharField(max_length=300, blank=True)
    citation = models.TextField(_("颁奖词"), blank=True)

    class Meta:
        ordering = ["category", "rank", "id"]
        verbose_name = _("评选结果")
        verbose_name_plural = _("评选结果")

    def __str__(self) -> str:
        return f"{self.nomination_id}: {self.total}"
