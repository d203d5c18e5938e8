from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.campaigns.choices import (
    CHECK_STATUSES,
    VISIT_OUTCOMES,
    CampaignKind,
    CampaignStatus,
    FieldKind,
    FieldTarget,
    HouseholdState,
    PersonState,
)
from gongzhi.core.models import ByteOrderCharField, TimeStampedModel


class Campaign(TimeStampedModel):
    """A door-to-door sweep over a set of territory nodes, with its purpose and the end of its data."""

    title = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=CampaignKind.choices)
    purpose = models.TextField(_("目的与依据"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    # PIPL Art. 19/47: personal answers are deleted after this day; the counts stay.
    retention_ends_on = models.DateField(_("个人信息保存截止日"))
    status = models.CharField(_("状态"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    opened_at = models.DateTimeField(_("开始走访时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    purged_at = models.DateTimeField(_("个人信息清除时间"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("走访任务")
        verbose_name_plural = _("走访任务")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_ends_after_start"),
            models.CheckConstraint(
                condition=Q(retention_ends_on__gte=F("ends_on")), name="campaign_retention_after_end"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CampaignScope(models.Model):
    """One territory node of a campaign's scope, with a copy of its path for range filters."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="scopes")
    node = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="+", verbose_name=_("范围"))
    path = ByteOrderCharField(max_length=255)

    class Meta:
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["campaign", "node"], name="campaign_scope_unique")]
        indexes = [models.Index(fields=["path"])]

    def __str__(self) -> str:
        return self.path


class CampaignField(models.Model):
    """A question of the campaign's form, asked per household or per person."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="fields")
    target = models.CharField(_("对象"), max_length=10, choices=FieldTarget.choices)
    key = models.SlugField(_("字段代码"), max_length=40)
    label = models.CharField(_("问题"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=FieldKind.choices)
    options = models.JSONField(_("选项"), default=list, blank=True)
    is_required = models.BooleanField(_("必填"), default=False)
    # For numbers and temperatures (°C, one decimal): kept as Decimal, never float.
    min_value = models.DecimalField(_("最小值"), max_digits=9, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("最大值"), max_digits=9, decimal_places=2, null=True, blank=True)
    # Health answers are shown only to roles allowed to see them (domain-rules §8.3).
    is_health = models.BooleanField(_("健康信息"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["campaign", "target", "sort_order", "id"]
        verbose_name = _("走访表单字段")
        verbose_name_plural = _("走访表单字段")
        constraints = [models.UniqueConstraint(fields=["campaign", "target", "key"], name="campaign_field_key_unique")]

    def __str__(self) -> str:
        return self.label


class CampaignHousehold(models.Model):
    """A household to visit, copied from the registry at opening, with its grid, path and walking order.

    Snapshot rows are written only by INSERT … SELECT from the very rows they name, in the opening
    transaction, so their references to the registry and the territory cannot dangle when written; a
    database foreign key there would cost one deferred lookup per row at commit (about five million at
    tier M: over a minute) and an index per column. Django still applies PROTECT on delete.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="household_rows", db_index=False)
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    grid = models.ForeignKey(
        "territory.Grid", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    org_path = ByteOrderCharField(max_length=255)
    # unit path + floor + room: sorting on it walks building, unit, floor, room.
    walk_key = ByteOrderCharField(max_length=300)
    state = models.CharField(max_length=10, choices=HouseholdState.choices, default=HouseholdState.PENDING)
    visit_count = models.PositiveIntegerField(default=0)
    last_visit_at = models.DateTimeField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "walk_key"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "household"], name="campaign_household_unique"),
        ]
        indexes = [
            models.Index(fields=["campaign", "grid", "walk_key"], name="campaign_hh_walk"),
            models.Index(fields=["campaign", "grid", "state"], name="campaign_hh_state"),
            models.Index(fields=["campaign", "org_path"], name="campaign_hh_path"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.household_id}"


class CampaignPerson(models.Model):
    """A person to check: from the registry at opening, or found during the campaign (is_found)."""

    # The campaign is also the household row's; no second database check per row.
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="person_rows", db_constraint=False, db_index=False
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    household_row = models.ForeignKey(CampaignHousehold, on_delete=models.CASCADE, related_name="person_rows")
    grid = models.ForeignKey(
        "territory.Grid", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    state = models.CharField(max_length=10, choices=PersonState.choices, default=PersonState.PENDING)
    is_found = models.BooleanField(default=False)
    checked_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["household_row", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "person"], name="campaign_person_unique")]
        indexes = [models.Index(fields=["campaign", "grid", "state"], name="campaign_person_state")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.person_id}"


class CampaignGridTally(models.Model):
    """Exact counts of one grid, kept in the same transaction as each visit; recount() rebuilds them."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tallies")
    grid = models.ForeignKey("territory.Grid", on_delete=models.PROTECT, related_name="+")
    # The grid's compound path (or its community's when it lies in none): coverage rolls up by prefix.
    org_path = ByteOrderCharField(max_length=255)
    households_total = models.PositiveIntegerField(default=0)
    households_reached = models.PositiveIntegerField(default=0)
    persons_total = models.PositiveIntegerField(default=0)
    persons_checked = models.PositiveIntegerField(default=0)
    # The first day the grid fell behind the campaign's pace, cleared when it catches up (reminders).
    behind_since = models.DateField(null=True, blank=True)
    escalated_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "org_path", "grid"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "grid"], name="campaign_tally_unique"),
            models.CheckConstraint(
                condition=Q(households_reached__lte=F("households_total")), name="campaign_tally_households"
            ),
            models.CheckConstraint(condition=Q(persons_checked__lte=F("persons_total")), name="campaign_tally_persons"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.grid_id}"


class CampaignDayTally(models.Model):
    """Households first covered and persons first checked on one day in one grid (the progress chart)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="day_tallies")
    grid = models.ForeignKey("territory.Grid", on_delete=models.PROTECT, related_name="+")
    org_path = ByteOrderCharField(max_length=255)
    day = models.DateField()
    households_reached = models.PositiveIntegerField(default=0)
    persons_checked = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "day", "grid"]
        constraints = [models.UniqueConstraint(fields=["campaign", "grid", "day"], name="campaign_day_unique")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.grid_id}:{self.day}"


class GridAssignment(models.Model):
    """Who walks a grid for a campaign. Reassigning ends the current rows and adds new ones (history)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    grid = models.ForeignKey("territory.Grid", on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="campaign_assignments",
        verbose_name=_("走访人"),
    )
    assigned_by = models.CharField(_("分派人"), max_length=150)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    assigned_at = models.DateTimeField(_("分派时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "grid", "-assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "grid", "worker"], condition=Q(ended_at__isnull=True), name="assignment_one_current"
            ),
        ]
        indexes = [models.Index(fields=["worker", "campaign"])]

    def __str__(self) -> str:
        return f"{self.grid_id} → {self.worker_id}"


class Visit(models.Model):
    """One knock on a door. The idempotency key makes a resubmitted form the same visit.

    Not an AppendOnlyModel only because the retention purge blanks ``answers`` and ``note``; nothing
    else ever changes a visit.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="visits")
    household_row = models.ForeignKey(CampaignHousehold, on_delete=models.CASCADE, related_name="visits")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    worker_name = models.CharField(max_length=150)
    idempotency_key = models.CharField(max_length=64, unique=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=VISIT_OUTCOMES)
    answers = models.JSONField(default=dict, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    visited_at = models.DateTimeField(_("走访时间"))

    class Meta:
        ordering = ["-visited_at", "-id"]
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        indexes = [models.Index(fields=["household_row", "visited_at"])]

    def __str__(self) -> str:
        return f"{self.household_row_id} {self.outcome}"


class PersonCheck(models.Model):
    """What a visit found about one person, with the per-person answers."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="checks")
    person_row = models.ForeignKey(CampaignPerson, on_delete=models.CASCADE, related_name="checks")
    status = models.CharField(_("核查结果"), max_length=10, choices=CHECK_STATUSES)
    answers = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["visit", "id"]
        constraints = [models.UniqueConstraint(fields=["visit", "person_row"], name="person_check_once_per_visit")]

    def __str__(self) -> str:
        return f"{self.person_row_id} {self.status}"
