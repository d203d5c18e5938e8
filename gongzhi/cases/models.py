from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.choices import CaseStatus, Channel, HandlerKind, Pending, PhotoKind, TimeUnit
from gongzhi.core.models import AppendOnlyModel, ByteOrderCharField, TimeStampedModel


class CaseCategory(TimeStampedModel):
    """A 大类 (no parent) or 小类 (with a parent). Cases are filed against a 小类, which carries the
    立案条件, 结案条件, 处置时限 and the kind of unit that handles it."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("大类")
    )
    code = models.CharField(_("编码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    acceptance_condition = models.TextField(_("立案条件"), blank=True)
    closing_condition = models.TextField(_("结案条件"), blank=True)
    time_limit_amount = models.PositiveIntegerField(_("处置时限"), default=0)
    time_limit_unit = models.CharField(_("时限单位"), max_length=16, choices=TimeUnit.choices, blank=True)
    handler_kind = models.CharField(_("默认处置单位"), max_length=16, choices=HandlerKind.choices, blank=True)
    department = models.CharField(_("责任部门"), max_length=60, blank=True)
    is_public = models.BooleanField(_("公开"), default=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("事件类别")
        verbose_name_plural = _("事件类别")
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | (Q(time_limit_amount__gt=0) & ~Q(time_limit_unit="")),
                name="case_category_leaf_has_limit",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(handler_kind=""), name="case_category_leaf_has_handler"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def limit_label(self) -> str:
        return f"{self.time_limit_amount} {self.get_time_limit_unit_display()}"


class WorkCalendarDay(TimeStampedModel):
    """An exception to the weekday rule: a public holiday (not working) or a make-up working day (working)."""

    day = models.DateField(_("日期"), unique=True)
    is_working = models.BooleanField(_("上班"))
    note = models.CharField(_("说明"), max_length=60, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")

    def __str__(self) -> str:
        return f"{self.day} {self.note}"


class RoutingRule(TimeStampedModel):
    """Location × category → handler, overriding the category's default. The most specific rule wins:
    a deeper place before a shallower one, a rule for the category before one for every category."""

    category = models.ForeignKey(
        CaseCategory, null=True, blank=True, on_delete=models.CASCADE, related_name="rules", verbose_name=_("类别")
    )
    place = models.ForeignKey(
        "territory.Node", on_delete=models.CASCADE, related_name="case_rules", verbose_name=_("区域")
    )
    handler_kind = models.CharField(_("处置单位类型"), max_length=16, choices=HandlerKind.choices)
    handler_node = models.ForeignKey(
        "territory.Node", on_delete=models.PROTECT, related_name="+", verbose_name=_("处置单位所在")
    )
    handler_label = models.CharField(_("处置单位名称"), max_length=60)

    class Meta:
        verbose_name = _("派遣规则")
        verbose_name_plural = _("派遣规则")

    def __str__(self) -> str:
        return self.handler_label


class Case(TimeStampedModel):
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_cases",
        verbose_name=_("上报人"),
    )
    channel = models.CharField(_("来源"), max_length=16, choices=Channel.choices)
    category = models.ForeignKey(CaseCategory, on_delete=models.PROTECT, related_name="cases", verbose_name=_("类别"))
    description = models.TextField(_("描述"), max_length=4000)
    address = models.CharField(_("位置"), max_length=200, blank=True)
    building = models.ForeignKey(
        "territory.Node", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("楼栋")
    )
    dwelling = models.ForeignKey(
        "registry.Dwelling", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("房屋")
    )
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    # Copies of where the case lies, for scope filters without joins.
    org_path = ByteOrderCharField(max_length=255)
    grid = models.ForeignKey(
        "territory.Grid", null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("网格")
    )
    compound = models.ForeignKey(
        "territory.Node", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    status = models.CharField(_("状态"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.REPORTED)
    handler_kind = models.CharField(_("处置单位类型"), max_length=16, choices=HandlerKind.choices, blank=True)
    handler_node = models.ForeignKey(
        "territory.Node", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("处置单位")
    )
    handler_label = models.CharField(_("处置单位"), max_length=60, blank=True)
    accepted_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)
    deadline_at = models.DateTimeField(_("处置时限"), null=True, blank=True)
    handled_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    # Working minutes from the first dispatch to the last handling report, kept for the measures.
    handling_minutes = models.PositiveIntegerField(_("处置用时（工作分钟）"), null=True, blank=True)
    is_on_time = models.BooleanField(_("按期"), null=True, blank=True)
    is_private = models.BooleanField(_("不公开"), default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates", verbose_name=_("合并到")
    )
    rework_count = models.PositiveSmallIntegerField(_("返工次数"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    escalation_level = models.PositiveSmallIntegerField(_("升级级别"), default=0)
    me_too_count = models.PositiveIntegerField(_("同诉人数"), default=0)
    pending = models.CharField(_("待审批"), max_length=12, choices=Pending.choices, blank=True)
    pending_minutes = models.PositiveIntegerField(_("申请延长（分钟）"), default=0)
    pending_note = models.CharField(_("申请理由"), max_length=500, blank=True)
    result = models.TextField(_("处置结果"), blank=True)
    reply = models.TextField(_("答复"), blank=True)
    rating = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    rating_note = models.CharField(_("评价"), max_length=500, blank=True)
    open311_token = models.CharField(max_length=32, null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="case_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False), name="case_merged_has_target"
            ),
        ]
        indexes = [
            # The escalation scan: only running clocks, by deadline (a small index among millions).
            models.Index(
                fields=["deadline_at"],
                condition=Q(status="dispatched", escalation_level__lt=3),
                name="case_running_deadline",
            ),
            models.Index(fields=["org_path", "status"], name="case_path_status"),
            # The desk and parked lists read only unfinished cases: a few thousand among millions.
            models.Index(
                fields=["status", "created_at"],
                condition=Q(status__in=["reported", "accepted", "dispatched", "handled", "verified", "parked"]),
                name="case_open_status",
            ),
            models.Index(fields=["grid", "status", "created_at"], name="case_grid_status"),
            models.Index(fields=["handler_node", "status", "deadline_at"], name="case_handler_queue"),
            models.Index(fields=["reporter", "created_at"], name="case_reporter"),
            models.Index(fields=["deadline_at"], name="case_deadline"),
            models.Index(fields=["created_at"], name="case_created"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category.name}"

    @property
    def is_open(self) -> bool:
        from gongzhi.cases.choices import OPEN_STATUSES

        return self.status in OPEN_STATUSES


class CaseEvent(AppendOnlyModel):
    """One step of a case: who, from which status to which, why. The case's history, never edited."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("事件记录")
        verbose_name_plural = _("事件记录")

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"

    @property
    def action_label(self) -> str:
        from gongzhi.cases.choices import Action

        if self.action == "report":
            return str(_("上报"))
        return str(Action(self.action).label) if self.action in Action.values else self.action


class CasePhoto(TimeStampedModel):
    """A photo as shown: re-encoded without EXIF (no GPS position, no device) when it was uploaded."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="photos")
    kind = models.CharField(max_length=8, choices=PhotoKind.choices)
    image = models.ImageField(upload_to="cases/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        verbose_name = _("事件照片")
        verbose_name_plural = _("事件照片")


class CaseEscalation(models.Model):
    """One escalation of one breach: unique per case × deadline × level, so a breach escalates once per level."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    deadline_at = models.DateTimeField()
    level = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=32)
    at = models.DateTimeField()
    notified = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["case", "level"]
        constraints = [
            models.UniqueConstraint(fields=["case", "deadline_at", "level"], name="case_escalation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} L{self.level}"


class MeToo(models.Model):
    """A resident who has the same problem: counted once per user."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="me_toos")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_me_too_once")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.user_id}"


class Open311Key(TimeStampedModel):
    """An api_key for a partner channel posting requests (12345 bridge, a mini-program). Stored hashed."""

    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Open311 接口密钥")
        verbose_name_plural = _("Open311 接口密钥")

    def __str__(self) -> str:
        return self.name
