from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gongzhi.core.identity import DocumentType, Sex
from gongzhi.core.models import ByteOrderCharField, TimeStampedModel
from gongzhi.core.pii import EncryptedTextField
from gongzhi.registry.choices import DwellingKind, HolderKind, PersonStatus, Relation


class Dwelling(TimeStampedModel):
    """A flat or shop (房屋) in a unit."""

    unit = models.ForeignKey(
        "territory.Node", on_delete=models.PROTECT, related_name="dwellings", verbose_name=_("单元")
    )
    room = models.CharField(_("房号"), max_length=20)
    floor = models.SmallIntegerField(_("楼层"))
    kind = models.CharField(_("用途"), max_length=12, choices=DwellingKind.choices, default=DwellingKind.RESIDENTIAL)
    # 专有部分面积 in units of 0.01 m² (1 dm²): an integer, because votes sum it exactly.
    exclusive_area_dm2 = models.PositiveIntegerField(_("专有面积（0.01㎡）"))
    org_path = ByteOrderCharField(max_length=255)
    grid = models.ForeignKey(
        "territory.Grid",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dwellings",
        verbose_name=_("网格"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["org_path", "floor", "room"]
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        constraints = [models.UniqueConstraint(fields=["unit", "room"], name="dwelling_room_unique")]
        indexes = [models.Index(fields=["org_path"]), models.Index(fields=["grid", "id"])]

    def __str__(self) -> str:
        return self.room

    @property
    def exclusive_area_m2(self) -> str:
        return f"{self.exclusive_area_dm2 // 100}.{self.exclusive_area_dm2 % 100:02d}"


class Household(TimeStampedModel):
    """The people living together in a dwelling (户)."""

    number = models.CharField(_("户编号"), max_length=20, unique=True)
    dwelling = models.ForeignKey(
        Dwelling,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("房屋"),
    )
    head = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("户主"),
    )
    org_path = ByteOrderCharField(max_length=255)
    grid = models.ForeignKey(
        "territory.Grid",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("网格"),
    )
    is_active = models.BooleanField(_("在册"), default=True)
    registered_on = models.DateField(_("登记日期"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["org_path", "id"]
        verbose_name = _("户")
        verbose_name_plural = _("户")
        indexes = [models.Index(fields=["org_path"]), models.Index(fields=["grid", "id"])]

    def __str__(self) -> str:
        return self.number


class Residence(models.Model):
    """Where a household lived and when: moving house appends a row."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="residences")
    dwelling = models.ForeignKey(Dwelling, on_delete=models.PROTECT, related_name="residences")
    moved_in_on = models.DateField(_("入住日期"))
    moved_out_on = models.DateField(_("迁出日期"), null=True, blank=True)

    class Meta:
        ordering = ["household", "-moved_in_on", "-id"]
        verbose_name = _("居住记录")
        verbose_name_plural = _("居住记录")
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(moved_out_on__isnull=True), name="residence_one_current"
            ),
            models.CheckConstraint(
                condition=Q(moved_out_on__isnull=True) | Q(moved_out_on__gte=F("moved_in_on")),
                name="residence_out_after_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} @ {self.dwelling}"


class CareTag(models.Model):
    """A configurable label for people who need attention: 独居老人, 残疾人, 低保, 退役军人…"""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    is_sensitive = models.BooleanField(
        _("敏感信息"), default=False, help_text=_("如残疾、低保等，按敏感个人信息保护。")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("关爱标签")
        verbose_name_plural = _("关爱标签")

    def __str__(self) -> str:
        return self.name


class Person(TimeStampedModel):
    """One record per human being (人)."""

    # Left out of the audit trail in clear (core.audit.snapshot); ciphertext columns are left out anyway.
    AUDIT_REDACTED = ("name", "name_pinyin", "name_initials", "born_on")

    # Byte-order columns: prefix search is written as a range, which needs code-point order (core.search).
    name = ByteOrderCharField(_("姓名"), max_length=50)
    name_pinyin = ByteOrderCharField(_("姓名拼音"), max_length=120, db_index=True)
    name_initials = ByteOrderCharField(_("拼音首字母"), max_length=30, db_index=True)
    id_type = models.CharField(_("证件类型"), max_length=16, choices=DocumentType.choices, blank=True)
    id_number = EncryptedTextField(_("证件号码"), blank=True)
    id_bidx = models.CharField(max_length=32, null=True, blank=True, unique=True, editable=False)
    id_masked = models.CharField(_("证件号码"), max_length=40, blank=True, editable=False)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    phone_bidx = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("联系电话"), max_length=24, blank=True, editable=False)
    born_on = models.DateField(_("出生日期"), null=True, blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=PersonStatus.choices, default=PersonStatus.RESIDENT)
    household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("现住户"),
    )
    org_path = ByteOrderCharField(max_length=255)
    grid = models.ForeignKey(
        "territory.Grid",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("网格"),
    )
    care_tags: models.ManyToManyField[CareTag, PersonCareTag] = models.ManyToManyField(
        CareTag, through="PersonCareTag", blank=True, verbose_name=_("关爱标签")
    )
    user = models.OneToOneField(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        verbose_name=_("账号"),
    )
    history = HistoricalRecords(excluded_fields=["name_pinyin", "name_initials"])

    class Meta:
        ordering = ["org_path", "id"]
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        indexes = [
            models.Index(fields=["org_path"]),
            models.Index(fields=["grid", "id"]),
            models.Index(fields=["name"]),
        ]

    def __str__(self) -> str:
        return self.name


class PersonCareTag(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="care_tag_links")
    tag = models.ForeignKey(CareTag, on_delete=models.PROTECT, related_name="person_links")
    tagged_on = models.DateField(_("标记日期"), auto_now_add=True)

    class Meta:
        ordering = ["person", "tag"]
        constraints = [models.UniqueConstraint(fields=["person", "tag"], name="person_care_tag_unique")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.tag_id}"


class Membership(models.Model):
    """A person's membership of a household, with their relation to its head, over a period."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    relation = models.CharField(_("与户主关系"), max_length=16, choices=Relation.choices)
    joined_on = models.DateField(_("迁入日期"))
    left_on = models.DateField(_("迁出日期"), null=True, blank=True)
    left_reason = models.CharField(_("迁出原因"), max_length=100, blank=True)

    class Meta:
        ordering = ["household", "-joined_on", "id"]
        verbose_name = _("户成员关系")
        verbose_name_plural = _("户成员关系")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(left_on__isnull=True), name="membership_one_current_per_person"
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(left_on__isnull=True, relation=Relation.HEAD),
                name="membership_one_current_head",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")), name="membership_left_after_joined"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.household_id}"


class Ownership(models.Model):
    """A share of a dwelling held by a person, the developer (unsold) or an organisation."""

    dwelling = models.ForeignKey(Dwelling, on_delete=models.CASCADE, related_name="ownerships")
    holder_kind = models.CharField(
        _("产权人类型"), max_length=12, choices=HolderKind.choices, default=HolderKind.PERSON
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="ownerships", verbose_name=_("产权人")
    )
    holder_name = models.CharField(_("单位名称"), max_length=100, blank=True)
    # The share as an exact fraction; co-owners' shares of one dwelling add up to 1.
    share_numerator = models.PositiveIntegerField(_("份额分子"), default=1)
    share_denominator = models.PositiveIntegerField(_("份额分母"), default=1)
    acquired_on = models.DateField(_("取得日期"), null=True, blank=True)
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)

    class Meta:
        ordering = ["dwelling", "id"]
        verbose_name = _("产权")
        verbose_name_plural = _("产权")
        constraints = [
            models.CheckConstraint(
                condition=Q(share_denominator__gt=0) & Q(share_numerator__lte=F("share_denominator")),
                name="ownership_share_at_most_one",
            ),
            models.CheckConstraint(
                condition=(Q(holder_kind=HolderKind.PERSON) & Q(person__isnull=False))
                | (~Q(holder_kind=HolderKind.PERSON) & Q(person__isnull=True) & ~Q(holder_name="")),
                name="ownership_holder_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dwelling_id}: {self.person_id or self.holder_name}"


class ImportJob(TimeStampedModel):
    """One upload of a population ledger (人口台账): its file, its mode, its progress and its outcome."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        CHECKING = "checking", _("正在校验")
        WRITING = "writing", _("正在写入")
        DONE = "done", _("已完成")
        REJECTED = "rejected", _("有错误，未导入")
        FAILED = "failed", _("失败")

    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="registry_imports", verbose_name=_("导入人")
    )
    original_name = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(upload_to="imports/", max_length=300)
    dry_run = models.BooleanField(_("试运行"), default=False)
    valid_rows_only = models.BooleanField(_("只导入正确的行"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    rejects_file = models.FileField(upload_to="imports/", max_length=300, blank=True)
    # The first rejections, for the page; the whole list is in rejects_file.
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.REJECTED, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return int(self.rows_checked * 100 / self.rows_total) if self.rows_total else 0
