"""Who manages each compound, with history, and the daily work ledgers of managers and committees.

A compound's management mode (territory Node.management_mode) follows from its current Contract: the
services set it and write a ModeChange row, so the history of who managed when stays.

The monthly evaluation (月度评比, docs/stewardship.md): a Rubric per subject kind; an EvaluationMonth with
one Evaluation per subject (a manager at a compound, or a committee); Ratings with Deductions by each
rater; Scores written at publication and by appeals, a new row each time, the old one kept.
Points are integers in tenths (100 points = 1000).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.stewardship.choices import (
    AppealStatus,
    Indicator,
    LedgerKind,
    LedgerSide,
    ManagerKind,
    MonthStatus,
    Position,
    RaterKind,
    ServiceGrade,
    SubjectKind,
)
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


class CommitteeCandidate(models.Model):
    """A candidate in the term's election: one Art. 278 question of the owners' poll (CommitteeTerm.election).
    ``elected`` stays None until the published result is applied, then says whether the question passed."""

    term = models.ForeignKey(CommitteeTerm, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("候选人"))
    question = models.OneToOneField("votes.Question", on_delete=models.PROTECT, related_name="+")
    elected = models.BooleanField(_("当选"), null=True)

    class Meta:
        ordering = ["term", "question__position"]
        verbose_name = _("业委会候选人")
        verbose_name_plural = _("业委会候选人")

    def __str__(self) -> str:
        return f"{self.term}: {self.person_id}"


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


def default_grade_bands() -> list[list[object]]:
    """domain-rules.md §6.2 (烟台/济南): AAA ≥ 85, AA ≥ 80, A ≥ 70, B ≥ 60, C below; in tenths."""
    return [["AAA", 850], ["AA", 800], ["A", 700], ["B", 600], ["C", 0]]


def default_red_grades() -> list[str]:
    return ["AAA"]


class Rubric(TimeStampedModel):
    """An evaluation template of one subject kind: items, rater weights, grade bands and list rules.

    Once a month has used it, it is frozen; a change is a new version that later months use.
    """

    subject_kind = models.CharField(_("评比对象"), max_length=20, choices=SubjectKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    is_active = models.BooleanField(_("当前使用"), default=True)
    # Weights of the raters (percent; renormalised over the raters who took part).
    weight_community = models.PositiveSmallIntegerField(_("社区评分权重"), default=30)
    weight_subdistrict = models.PositiveSmallIntegerField(_("街道评分权重"), default=30)
    weight_committee = models.PositiveSmallIntegerField(_("业委会评分权重"), default=20)
    weight_residents = models.PositiveSmallIntegerField(_("居民满意度权重"), default=20)
    # [[grade, lowest total in tenths], …] from the top grade down; the last band's lowest is 0.
    grade_bands = models.JSONField(_("等级划分"), default=default_grade_bands)
    red_grades = models.JSONField(_("红榜等级"), default=default_red_grades)
    black_below = models.PositiveSmallIntegerField(_("黑榜分数线（0.1分）"), default=600)
    black_last_months = models.PositiveSmallIntegerField(_("连续末位月数进黑榜"), default=3)

    class Meta:
        ordering = ["subject_kind", "-version"]
        verbose_name = _("评比细则")
        verbose_name_plural = _("评比细则")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind"], condition=Q(is_active=True), name="rubric_one_active_per_kind"
            ),
            models.UniqueConstraint(fields=["subject_kind", "version"], name="rubric_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def weight_of(self, rater_kind: str) -> int:
        weight: int = getattr(self, f"weight_{rater_kind}")
        return weight


class RubricItem(models.Model):
    """One item: maximum points, and either an indicator that scores it or a rule raters deduct by."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(_("板块"), max_length=30)
    position = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("评分内容"), max_length=300)
    max_points = models.PositiveSmallIntegerField(_("分值（0.1分）"))
    indicator = models.CharField(_("自动指标"), max_length=12, choices=Indicator.choices, blank=True)
    # For count indicators (meetings, notices): the count that earns full points; for complaints: unused.
    target = models.PositiveSmallIntegerField(_("满分目标"), default=1)
    deduction_rule = models.CharField(_("扣分标准"), max_length=300, blank=True)
    # Points off per occurrence (tenths): a complaint for the complaints indicator, a finding for raters.
    deduction_step = models.PositiveSmallIntegerField(_("每次扣分（0.1分）"), default=10)
    evidence_required = models.BooleanField(_("扣分须附依据"), default=True)

    class Meta:
        ordering = ["rubric", "position"]
        verbose_name = _("评比细则条目")
        verbose_name_plural = _("评比细则条目")
        constraints = [models.UniqueConstraint(fields=["rubric", "position"], name="rubric_item_position_unique")]

    def __str__(self) -> str:
        return f"{self.section} · {self.text}"


class EvaluationMonth(TimeStampedModel):
    """One month's evaluation over the subdistrict: rated, reviewed, published (公示), then appealed."""

    month = models.DateField(_("月份"), unique=True)  # the month's first day
    status = models.CharField(_("状态"), max_length=10, choices=MonthStatus.choices, default=MonthStatus.RATING)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeals_until = models.DateTimeField(_("申诉截止"), null=True, blank=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("月度评比")
        verbose_name_plural = _("月度评比")

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")

    @property
    def is_published(self) -> bool:
        return self.status == MonthStatus.PUBLISHED


class Evaluation(models.Model):
    """One subject in one month: a manager at a compound it serves, or a compound's committee."""

    month = models.ForeignKey(EvaluationMonth, on_delete=models.CASCADE, related_name="evaluations")
    subject_kind = models.CharField(_("评比对象"), max_length=20, choices=SubjectKind.choices)
    manager = models.ForeignKey(Manager, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations")
    committee = models.ForeignKey(
        Committee, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations"
    )
    compound = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="+")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="evaluations")
    subject_name = models.CharField(max_length=200)  # as it was named that month
    # The month's computed indicators (indicators.py), frozen when the month goes to review.
    indicators = models.JSONField(default=dict, blank=True)
    # Resident satisfaction: a question of the compound's monthly poll (one ballot per household).
    satisfaction_question = models.ForeignKey(
        "votes.Question", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["month", "subject_kind", "compound"]
        verbose_name = _("评比对象")
        verbose_name_plural = _("评比对象")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "subject_kind", "compound"], name="evaluation_one_per_subject_and_month"
            ),
            models.CheckConstraint(
                condition=(Q(subject_kind=SubjectKind.COMMITTEE) & Q(committee__isnull=False) & Q(manager__isnull=True))
                | (~Q(subject_kind=SubjectKind.COMMITTEE) & Q(manager__isnull=False) & Q(committee__isnull=True)),
                name="evaluation_subject_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.subject_name}"


class Rating(models.Model):
    """One rater's sheet for a subject: the deductions they found, submitted once ready."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="ratings")
    rater_kind = models.CharField(_("评分方"), max_length=12, choices=RaterKind.choices)
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rater_name = models.CharField(max_length=150)
    submitted_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("评语"), max_length=500, blank=True)

    class Meta:
        ordering = ["evaluation", "rater_kind"]
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [models.UniqueConstraint(fields=["evaluation", "rater_kind"], name="rating_one_per_rater_kind")]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.rater_kind}"


class Deduction(models.Model):
    """Points off one rated item, with its evidence (text, photo or both)."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="deductions")
    item = models.ForeignKey(RubricItem, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField(_("扣分（0.1分）"))
    evidence = models.CharField(_("扣分依据"), max_length=500, blank=True)
    photo = models.ImageField(upload_to="stewardship/evidence/%Y/%m/", blank=True)
    # An upheld appeal withdraws the deduction; the row stays as it was found.
    withdrawn_by = models.ForeignKey(
        "Appeal", null=True, blank=True, on_delete=models.PROTECT, related_name="withdrawn"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rating", "item__position", "id"]
        verbose_name = _("扣分")
        verbose_name_plural = _("扣分")
        constraints = [models.CheckConstraint(condition=Q(points__gt=0), name="deduction_points_positive")]

    def __str__(self) -> str:
        return f"{self.rating_id} −{self.points}"


class Score(models.Model):
    """A subject's published score: written at publication; an appeal's change is a new row replacing it."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    total = models.PositiveSmallIntegerField(_("得分（0.1分）"))
    grade = models.CharField(_("等级"), max_length=8)
    # {rater kind: score in tenths} of the raters counted, and the figures the tie-break reads.
    parts = models.JSONField(default=dict)
    deducted = models.PositiveIntegerField(default=0)
    is_current = models.BooleanField(default=True)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    appeal = models.ForeignKey("Appeal", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evaluation", "-id"]
        verbose_name = _("评比得分")
        verbose_name_plural = _("评比得分")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation"], condition=Q(is_current=True), name="score_one_current_per_evaluation"
            ),
            models.CheckConstraint(condition=Q(total__lte=1000), name="score_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id}: {self.total}"


class Appeal(models.Model):
    """An appeal (申诉) against a published score, within the window; decided with a reason."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="appeals")
    # The deductions the appellant disputes (an upheld appeal withdraws those the decider accepts).
    deductions = models.ManyToManyField(Deduction, blank=True, related_name="appeals")
    text = models.TextField(_("申诉理由"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_by_name = models.CharField(max_length=150)
    filed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("裁定理由"), blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("评比申诉")
        verbose_name_plural = _("评比申诉")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation"], condition=Q(status=AppealStatus.PENDING), name="appeal_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.status}"
