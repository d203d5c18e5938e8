"""Volunteers, teams, activities, certified hours, certificates, the points ledger and the points shop.

Two kinds of record live here and must not be confused (domain-rules.md §2.5):
- certified service hours (ServiceRecord) are the legal record of 《志愿服务条例》 Art. 19; they are kept in
  minutes, appended to, and never changed by anything the points ledger does;
- points (PointsEntry) are value to residents and treated like money: integer amounts, append-only entries,
  and a cached balance on the Volunteer updated in the same transaction as each entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AppendOnlyModel, TimeStampedModel
from gongzhi.volunteering.choices import (
    ActivityStatus,
    AdjustmentStatus,
    EntryKind,
    OrderStatus,
    RecordKind,
    SignUpStatus,
    StockKind,
    TeamKind,
    VolunteerStatus,
)


class Volunteer(TimeStampedModel):
    """A registry Person who volunteers. ``number`` is the public identifier; the ID number never is
    (《志愿服务信息系统基本规范》's unified volunteer number, domain-rules.md §2.4)."""

    person = models.OneToOneField(
        "registry.Person", on_delete=models.PROTECT, related_name="volunteer", verbose_name=_("人员")
    )
    # Set from the primary key right after the insert, inside the same transaction.
    number = models.CharField(_("志愿者编号"), max_length=20, unique=True, null=True)
    status = models.CharField(_("状态"), max_length=12, choices=VolunteerStatus.choices, default=VolunteerStatus.ACTIVE)
    skills = models.JSONField(_("技能特长"), default=list, blank=True)
    availability = models.JSONField(_("可服务时间"), default=list, blank=True)
    intro = models.CharField(_("个人简介"), max_length=200, blank=True)
    # Consent to the stated use of the volunteer's data (PIPL Arts. 14, 17; 《志愿服务条例》 Art. 20).
    consent_version = models.CharField(_("同意书版本"), max_length=20)
    consented_at = models.DateTimeField(_("同意时间"))
    # For a minor: the guardian who registered them and consented (PIPL Art. 31 for under-14s; local
    # volunteer regulations for under-18s, e.g. Shanghai 2019 Art. 13, Zhejiang 2018 Art. 9).
    guardian = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wards",
        verbose_name=_("监护人"),
    )
    guardian_consented_at = models.DateTimeField(_("监护人同意时间"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("退出时间"), null=True, blank=True)
    # Caches of sums over ServiceRecord.minutes and PointsEntry.amount, written in the same transaction as
    # each row (services hold the volunteer row locked); points_check finds any drift.
    certified_minutes = models.IntegerField(_("认定服务时长（分钟）"), default=0)
    points_balance = models.IntegerField(_("积分余额"), default=0)

    class Meta:
        ordering = ["number"]
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        constraints = [
            models.CheckConstraint(condition=Q(points_balance__gte=0), name="volunteer_points_balance_not_negative"),
            models.CheckConstraint(condition=Q(certified_minutes__gte=0), name="volunteer_minutes_not_negative"),
            models.CheckConstraint(
                condition=Q(guardian__isnull=True, guardian_consented_at__isnull=True)
                | Q(guardian__isnull=False, guardian_consented_at__isnull=False),
                name="volunteer_guardian_with_consent",
            ),
        ]
        indexes = [models.Index(fields=["status", "number"])]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class Team(TimeStampedModel):
    """A volunteer team (爱心服务团队, 文体团队, 党员服务队) of a subdistrict, community or compound."""

    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=12, choices=TeamKind.choices)
    node = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区域"))
    leader = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="led_teams", verbose_name=_("队长")
    )
    description = models.CharField(_("简介"), max_length=300, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("志愿团队")
        verbose_name_plural = _("志愿团队")
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="team_name_unique_in_node")]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="team_memberships")
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        ordering = ["team", "joined_on", "id"]
        verbose_name = _("团队成员")
        verbose_name_plural = _("团队成员")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "volunteer"], condition=Q(left_on__isnull=True), name="team_membership_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team_id}:{self.volunteer_id}"


class Activity(TimeStampedModel):
    """A volunteer activity. Its organiser records and certifies the hours (「谁组织谁记录」, 民政部令第67号)."""

    title = models.CharField(_("活动名称"), max_length=80)
    service_content = models.CharField(
        _("服务内容"), max_length=40, help_text=_("写入志愿服务记录证明，如：助老服务、环境整治。")
    )
    description = models.TextField(_("活动说明"), blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="activities", verbose_name=_("团队")
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织者")
    )
    # Residents living under this node may sign up.
    node = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="+", verbose_name=_("面向区域"))
    place = models.CharField(_("地点"), max_length=100)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    slots = models.PositiveSmallIntegerField(_("名额"))
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), default=0)
    status = models.CharField(_("状态"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.OPEN)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("志愿活动")
        verbose_name_plural = _("志愿活动")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(condition=Q(slots__gte=1), name="activity_has_slots"),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class SignUp(TimeStampedModel):
    """A volunteer's place on an activity (or on its waiting list), with check-in and check-out."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(_("状态"), max_length=12, choices=SignUpStatus.choices)
    # Waiting-list order: the time of the latest (re-)sign-up.
    queued_at = models.DateTimeField(_("报名时间"))
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["activity", "queued_at", "id"]
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="signup_once_per_activity"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=False, checked_out_at__gte=F("checked_in_at")),
                name="signup_out_after_in",
            ),
        ]
        indexes = [models.Index(fields=["activity", "status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.volunteer_id}"


class ServiceRecord(AppendOnlyModel):
    """Certified service time (志愿服务记录), in minutes. A correction is a new row with a reason that
    points at the row it corrects (民政部令第67号: volunteers may ask for errors to be corrected)."""

    # Indexed by (volunteer, service_on) below.
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="service_records", db_index=False)
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="service_records")
    signup = models.ForeignKey(SignUp, on_delete=models.PROTECT, related_name="service_records")
    kind = models.CharField(_("类型"), max_length=12, choices=RecordKind.choices)
    minutes = models.IntegerField(_("时长（分钟）"))
    service_on = models.DateField(_("服务日期"))
    content = models.CharField(_("服务内容"), max_length=40)
    reason = models.CharField(_("更正原因"), max_length=200, blank=True)
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("更正的记录"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_name = models.CharField(_("记录人"), max_length=150)
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("志愿服务记录")
        verbose_name_plural = _("志愿服务记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=RecordKind.CERTIFIED, minutes__gt=0, corrects__isnull=True)
                | (Q(kind=RecordKind.CORRECTION, corrects__isnull=False) & ~Q(minutes=0) & ~Q(reason="")),
                name="service_record_kind_consistent",
            ),
            models.UniqueConstraint(
                fields=["signup"], condition=Q(kind=RecordKind.CERTIFIED), name="service_record_certified_once"
            ),
        ]
        indexes = [models.Index(fields=["volunteer", "service_on"]), models.Index(fields=["service_on"])]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.service_on} {self.minutes}min"


class PointsRule(models.Model):
    """How certified hours turn into points, from a date on. A new rule is a new row; rows are never edited,
    so every earned entry can be explained by the rule in force on its service date."""

    starts_on = models.DateField(_("生效日期"), unique=True)
    points_per_hour = models.PositiveIntegerField(_("每小时积分"))
    daily_cap = models.PositiveIntegerField(_("每日上限"))
    monthly_cap = models.PositiveIntegerField(_("每月上限"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(points_per_hour__gte=1, daily_cap__gte=1) & Q(monthly_cap__gte=F("daily_cap")),
                name="points_rule_sane",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on}: {self.points_per_hour}/h"


# The sign each kind of entry may carry: spending is negative, receiving positive.
ENTRY_SIGN_Q = (
    (Q(kind=EntryKind.EARNED) & ~Q(amount=0))  # negative only when certified hours were corrected downward
    | Q(kind=EntryKind.REDEEMED, amount__lt=0)
    | Q(kind=EntryKind.REFUNDED, amount__gt=0)
    | (Q(kind=EntryKind.ADJUSTED) & ~Q(amount=0))
    | Q(kind=EntryKind.EXPIRED, amount__lt=0)
)


class PointsEntry(AppendOnlyModel):
    """One movement of points. The balance is the sum of amounts; ``balance_after`` is the running balance,
    written while the volunteer row is locked. ``key`` makes every posting idempotent: one earned entry per
    service record, one debit and at most one refund per order, one entry per approved adjustment."""

    # Indexed by (volunteer, id) below: one index less to write on the busiest table.
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="points_entries", db_index=False)
    kind = models.CharField(_("类型"), max_length=12, choices=EntryKind.choices)
    amount = models.IntegerField(_("积分"))
    balance_after = models.IntegerField(_("余额"))
    occurred_on = models.DateField(_("归属日期"))
    at = models.DateTimeField(_("记账时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("经办人"), max_length=150)
    source_type = models.CharField(max_length=40)
    source_id = models.BigIntegerField()
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    key = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("积分流水")
        verbose_name_plural = _("积分流水")
        constraints = [
            models.CheckConstraint(condition=ENTRY_SIGN_Q, name="points_entry_sign_by_kind"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="points_entry_balance_not_negative"),
        ]
        indexes = [
            models.Index(fields=["volunteer", "id"]),
            models.Index(fields=["volunteer", "kind", "occurred_on"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.kind} {self.amount:+d}"


class ShopItem(TimeStampedModel):
    """Something in the points shop (积分超市), often donated by a merchant or the subdistrict."""

    node = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区域"))
    name = models.CharField(_("名称"), max_length=60)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    donor = models.CharField(_("捐赠方"), max_length=60, blank=True)
    points_price = models.IntegerField(_("所需积分"))
    stock = models.IntegerField(_("库存"), default=0)
    limit_per_person = models.PositiveIntegerField(_("每人限兑"), null=True, blank=True, help_text=_("留空表示不限。"))
    is_active = models.BooleanField(_("上架"), default=True)

    class Meta:
        ordering = ["points_price", "name"]
        verbose_name = _("兑换商品")
        verbose_name_plural = _("兑换商品")
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="shop_item_stock_not_negative"),
            models.CheckConstraint(condition=Q(points_price__gte=1), name="shop_item_price_positive"),
            models.CheckConstraint(
                condition=Q(limit_per_person__isnull=True) | Q(limit_per_person__gte=1),
                name="shop_item_limit_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Order(TimeStampedModel):
    """A redemption: points and stock taken in one transaction, handed over against the pickup code."""

    # Both indexed by the composite indexes below.
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="orders", db_index=False)
    item = models.ForeignKey(ShopItem, on_delete=models.PROTECT, related_name="orders", db_index=False)
    quantity = models.PositiveIntegerField(_("数量"))
    points = models.IntegerField(_("积分"))
    status = models.CharField(_("状态"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    pickup_code = models.CharField(_("领取码"), max_length=12, unique=True)
    # The client's idempotency key: a retried or double-submitted redemption returns the first order.
    client_key = models.CharField(max_length=64)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    picked_up_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    picked_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("兑换订单")
        verbose_name_plural = _("兑换订单")
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "client_key"], name="order_idempotent_per_volunteer"),
            models.CheckConstraint(condition=Q(quantity__gte=1, points__gte=1), name="order_positive"),
        ]
        indexes = [models.Index(fields=["item", "status"]), models.Index(fields=["volunteer", "item", "status"])]

    def __str__(self) -> str:
        return self.pickup_code


class StockMovement(AppendOnlyModel):
    """One change of an item's stock; the stock is the sum of deltas (checked with the points ledger)."""

    item = models.ForeignKey(ShopItem, on_delete=models.PROTECT, related_name="stock_movements", db_index=False)
    kind = models.CharField(_("类型"), max_length=12, choices=StockKind.choices)
    delta = models.IntegerField(_("数量变化"))
    stock_after = models.IntegerField(_("变动后库存"))
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("经办人"), max_length=150)
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("库存变动")
        verbose_name_plural = _("库存变动")
        constraints = [
            models.CheckConstraint(condition=~Q(delta=0), name="stock_movement_not_zero"),
            models.CheckConstraint(condition=Q(stock_after__gte=0), name="stock_movement_not_negative"),
        ]
        indexes = [models.Index(fields=["item", "id"])]

    def __str__(self) -> str:
        return f"{self.item_id} {self.delta:+d}"


class PointsAdjustment(TimeStampedModel):
    """A manual correction of points: asked for with a reason by one manager, posted only when a second
    manager approves (four eyes); the database refuses an approver who is the requester."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="adjustments")
    amount = models.IntegerField(_("调整积分"))
    reason = models.CharField(_("调整原因"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=12, choices=AdjustmentStatus.choices, default=AdjustmentStatus.PENDING
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    decision_note = models.CharField(_("复核意见"), max_length=200, blank=True)
    entry = models.OneToOneField(
        PointsEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="adjustment"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("积分调整")
        verbose_name_plural = _("积分调整")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_not_zero"),
            models.CheckConstraint(condition=~Q(decided_by=F("requested_by")), name="adjustment_four_eyes"),
            models.CheckConstraint(
                condition=Q(status=AdjustmentStatus.PENDING, decided_by__isnull=True)
                | (~Q(status=AdjustmentStatus.PENDING) & Q(decided_by__isnull=False)),
                name="adjustment_decided_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.amount:+d} ({self.status})"


class Certificate(TimeStampedModel):
    """An issued 志愿服务记录证明: a snapshot of what the paper shows (民发〔2015〕149号), so that the PDF and
    the public verification page show the same thing however the records change later. Only the number is
    written after the insert (it is made from the primary key, in the same transaction)."""

    AUDIT_REDACTED = ("name",)

    number = models.CharField(_("证明编号"), max_length=20, unique=True, null=True)
    verification_code = models.CharField(_("验证码"), max_length=16, unique=True)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    issued_on = models.DateField(_("开具日期"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the certificate shows.
    name = models.CharField(_("姓名"), max_length=50)
    id_type_label = models.CharField(_("证件类型"), max_length=40, blank=True)
    id_masked = models.CharField(_("证件号码"), max_length=40, blank=True)
    volunteer_number = models.CharField(_("志愿者编号"), max_length=20)
    minutes = models.PositiveIntegerField(_("服务时长（分钟）"))
    activity_count = models.PositiveIntegerField(_("活动次数"))
    period_from = models.DateField(_("起始日期"), null=True, blank=True)
    period_to = models.DateField(_("截止日期"), null=True, blank=True)
    content = models.CharField(_("服务内容"), max_length=300)
    issuer_name = models.CharField(_("出具单位"), max_length=100)
    person_in_charge = models.CharField(_("负责人"), max_length=50, blank=True)
    handler_name = models.CharField(_("经办人"), max_length=50)
    issuer_contact = models.CharField(_("联系方式"), max_length=50, blank=True)
    remarks = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("志愿服务记录证明")
        verbose_name_plural = _("志愿服务记录证明")

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"
