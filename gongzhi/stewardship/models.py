"""Who manages each compound, with history, and the daily work ledgers of managers and committees.

A compound's management mode (territory Node.management_mode) follows from its current Contract: the
services set it and write a ModeChange row, so the history of who managed when stays.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.stewardship.choices import LedgerKind, LedgerSide, ManagerKind, Position, ServiceGrade
from gongzhi.territory.choices import ManagementMode


class Manager(TimeStampedModel):
    """A property company (物业服务企业) or a third-party manager (第三方托管) of old compounds."""

    kind = models.CharField(_("类型"), max_length=20, choices=ManagerKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    # GB 32100-2015, check character verified on entry (core.identity.parse_credit_code).
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    contact_name = models.CharField(_("联系人"), max_length=30, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    qualification = models.TextField(_("资质与许可说明"), blank=True)
    is_active = models.BooleanField(_("在册"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("物业服务单位")
        verbose_name_plural = _("物业服务单位")

    def __str__(self) -> str:
        return self.name


class ManagerStaff(models.Model):
    """A user who works for a manager; their Duties (物业人员) name the compounds they serve."""

    manager = models.ForeignKey(Manager, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="manager_jobs")
    title = models.CharField(_("岗位"), max_length=50, blank=True)
    starts_on = models.DateField(_("入职日期"))
    ends_on = models.DateField(_("离职日期"), null=True, blank=True)

    class Meta:
        ordering = ["manager", "user"]
        verbose_name = _("物业服务单位人员")
        verbose_name_plural = _("物业服务单位人员")
        constraints = [
            models.UniqueConstraint(
                fields=["manager", "user"], condition=Q(ends_on__isnull=True), name="manager_staff_one_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.manager} · {self.user}"


class Contract(TimeStampedModel):
    """A management contract (物业服务合同 / 托管协议): a manager serves a compound from one day to another."""

    manager = models.ForeignKey(Manager, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("服务单位"))
    compound = models.ForeignKey(
        "territory.Node", on_delete=models.PROTECT, related_name="contracts", verbose_name=_("小区")
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("到期日期"), null=True, blank=True)
    # Ended before its term (解约); the contract then no longer counts from that day.
    terminated_on = models.DateField(_("解约日期"), null=True, blank=True)
    # 物业费标准: fen per m² of exclusive area per month, an integer (1.20 元/㎡·月 = 120).
    fee_fen_per_m2 = models.PositiveIntegerField(_("收费标准（分/㎡·月）"))
    service_grade = models.CharField(_("服务等级"), max_length=8, choices=ServiceGrade.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["compound", "-starts_on"]
        verbose_name = _("服务合同")
        verbose_name_plural = _("服务合同")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="contract_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(terminated_on__isnull=True) | Q(terminated_on__gte=F("starts_on")),
                name="contract_terminated_after_start",
            ),
        ]
        indexes = [models.Index(fields=["compound", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.manager} → {self.compound}"

    @property
    def last_day(self) -> dt.date | None:
        """The last day the contract counts: its termination's eve, else its end (None: open-ended)."""
        if self.terminated_on is not None:
            return self.terminated_on - dt.timedelta(days=1)
        return self.ends_on

    @property
    def fee_yuan(self) -> str:
        return f"{self.fee_fen_per_m2 // 100}.{self.fee_fen_per_m2 % 100:02d}"


class ModeChange(models.Model):
    """The compound's management mode from a day on, and the contract it followed from (history)."""

    compound = models.ForeignKey("territory.Node", on_delete=models.CASCADE, related_name="mode_changes")
    mode = models.CharField(_("管理模式"), max_length=20, choices=ManagementMode.choices)
    since = models.DateField(_("起始日期"))
    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["compound", "-since", "-id"]
        verbose_name = _("管理模式变更")
        verbose_name_plural = _("管理模式变更")

    def __str__(self) -> str:
        return f"{self.compound} {self.mode} {self.since}"


class Committee(TimeStampedModel):
    """The owners' committee (业主委员会) of one compound."""

    compound = models.OneToOneField(
        "territory.Node", on_delete=models.PROTECT, related_name="committee", verbose_name=_("小区")
    )
    name = models.CharField(_("名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)

    class Meta:
        ordering = ["compound"]
        verbose_name = _("业主委员会")
        verbose_name_plural = _("业主委员会")

    def __str__(self) -> str:
        return self.name


class CommitteeTerm(TimeStampedModel):
    """One term (届) of a committee: at most five years (指导规则 Art. 32), filed with the subdistrict."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="terms")
    number = models.PositiveSmallIntegerField(_("届次"))
    starts_on = models.DateField(_("任期开始"))
    ends_on = models.DateField(_("任期届满"))
    elected_on = models.DateField(_("选举日期"), null=True, blank=True)
    # The election held through the vote engine (Art. 278 ordinary matter), when it was.
    election = models.ForeignKey(
        "votes.Poll", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("选举表决")
    )
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    filing_number = models.CharField(_("备案编号"), max_length=50, blank=True)
    reminded_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["committee", "-number"]
        verbose_name = _("业委会届次")
        verbose_name_plural = _("业委会届次")
        constraints = [
            models.UniqueConstraint(fields=["committee", "number"], name="committee_term_number_unique"),
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="committee_term_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.committee} 第{self.number}届"


class CommitteeMember(models.Model):
    """A member of one term, who must own a dwelling in the compound (checked against the registry)."""

    term = models.ForeignKey(CommitteeTerm, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("成员"))
    position = models.CharField(_("职务"), max_length=10, choices=Position.choices)
    joined_on = models.DateField(_("任职日期"))
    left_on = models.DateField(_("离任日期"), null=True, blank=True)
    left_reason = models.CharField(_("离任原因"), max_length=100, blank=True)

    class Meta:
        ordering = ["term", "position", "id"]
        verbose_name = _("业委会成员")
        verbose_name_plural = _("业委会成员")
        constraints = [
            models.UniqueConstraint(
                fields=["term", "person"], condition=Q(left_on__isnull=True), name="committee_member_once"
            ),
            models.UniqueConstraint(
                fields=["term"],
                condition=Q(position="director", left_on__isnull=True),
                name="committee_one_director",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term}: {self.person_id} {self.position}"


class LedgerEntry(TimeStampedModel):
    """One entry of a compound's work ledger (工作台账), by its manager's staff or by its committee."""

    compound = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="ledger_entries")
    side = models.CharField(_("记录方"), max_length=10, choices=LedgerSide.choices)
    # The manager whose staff wrote it (None for the committee's entries).
    manager = models.ForeignKey(Manager, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("类别"), max_length=10, choices=LedgerKind.choices)
    day = models.DateField(_("日期"))
    text = models.TextField(_("内容"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(_("记录人"), max_length=150)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("工作台账")
        verbose_name_plural = _("工作台账")
        indexes = [models.Index(fields=["compound", "side", "day"])]

    def __str__(self) -> str:
        return f"{self.compound_id} {self.day} {self.kind}"


class LedgerPhoto(models.Model):
    """A photo of an entry, re-encoded without EXIF when uploaded (core.photos)."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="stewardship/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.entry_id}:{self.pk}"


class LedgerComment(models.Model):
    """Community staff's comment on an entry (点评)."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(max_length=150)
    text = models.CharField(_("点评"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.text[:20]}"
