"""Party organisations as a tree, the territory they cover, committees by term, members and 亮身份 consent.

Data rule (domain-rules.md §7): the authoritative register is the Party's own 全国党员管理信息系统. The
platform keeps only what community work needs: which registry Person is a member, of which kind, which
organisation holds the membership (or its name when it is held outside the subdistrict), since when, and
whether they are still on the roll. No membership file is copied here.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.party.choices import (
    OPEN_REGISTRATION_STATUSES,
    AppraisalResult,
    MeetingKind,
    MemberKind,
    MemberStatus,
    NeedStatus,
    OrgKind,
    RegistrationStatus,
    Seat,
    ServicePost,
)


class Organisation(TimeStampedModel):
    """One party organisation. The tree is a parent link: tens of rows per subdistrict, never a deep one."""

    kind = models.CharField(_("类型"), max_length=20, choices=OrgKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级组织")
    )
    # What it covers: its community, its compounds (a joint branch up to five) or a group's buildings.
    territory = models.ManyToManyField("territory.Node", blank=True, related_name="+", verbose_name=_("覆盖区域"))
    # A property company's organisation: the company (stewardship.Manager) it is set up in.
    manager = models.ForeignKey(
        "stewardship.Manager",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在企业"),
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    is_active = models.BooleanField(_("存续"), default=True)

    class Meta:
        ordering = ["kind", "name", "id"]
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        constraints = [
            models.CheckConstraint(
                condition=Q(manager__isnull=True) | Q(kind=OrgKind.COMPANY), name="party_org_manager_only_on_company"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return str(OrgKind(self.kind).label)


class Term(TimeStampedModel):
    """One term (届) of an organisation's committee: community branches 5 years, others normally 3."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="terms")
    starts_on = models.DateField(_("任期开始"))
    ends_on = models.DateField(_("任期届满"))

    class Meta:
        ordering = ["organisation", "-starts_on", "-id"]
        verbose_name = _("党组织届次")
        verbose_name_plural = _("党组织届次")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="party_term_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.starts_on:%Y}—{self.ends_on:%Y}"

    def is_current(self, on: dt.date) -> bool:
        return self.starts_on <= on <= self.ends_on


class Member(TimeStampedModel):
    """A registry Person who is a party member, as far as community work needs to know."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("党员"))
    kind = models.CharField(_("党员类别"), max_length=12, choices=MemberKind.choices)
    # The organisation holding the membership; None when it is held outside the subdistrict (在职党员):
    # then only its name, as the member gives it.
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("组织关系所在党组织"),
    )
    outside_organisation = models.CharField(_("组织关系所在单位（街道外）"), max_length=100, blank=True)
    # The building group (楼栋党小组) of the holding organisation the member is placed in.
    group = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="group_members",
        verbose_name=_("党小组"),
    )
    joined_on = models.DateField(_("入党日期"))
    status = models.CharField(_("状态"), max_length=12, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    ended_on = models.DateField(_("转出/注销日期"), null=True, blank=True)

    class Meta:
        ordering = ["organisation", "id"]
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status=MemberStatus.ACTIVE), name="party_member_one_active"
            ),
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(outside_organisation=""),
                name="party_member_has_organisation",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status", "kind"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind}"

    @property
    def organisation_name(self) -> str:
        return self.organisation.name if self.organisation is not None else self.outside_organisation


class CommitteeSeat(models.Model):
    """A seat of a term: the secretary, deputy, committee members, or a group's leader."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="seats")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="seats", verbose_name=_("党员"))
    seat = models.CharField(_("职务"), max_length=14, choices=Seat.choices)

    class Meta:
        ordering = ["term", "id"]
        verbose_name = _("委员")
        verbose_name_plural = _("委员")
        constraints = [
            models.UniqueConstraint(fields=["term", "member"], name="party_seat_member_once"),
            models.UniqueConstraint(fields=["term"], condition=Q(seat=Seat.SECRETARY), name="party_seat_one_secretary"),
        ]

    def __str__(self) -> str:
        return f"{self.term_id} {self.seat}"


class Consent(models.Model):
    """亮身份: the member agrees to show a party-member badge on their volunteer profile and, if they
    choose, 党员户 on their household. Off unless a row says so; withdrawing keeps the row, dated."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="consents")
    shows_badge = models.BooleanField(_("志愿者资料显示党员标识"), default=True)
    shows_household = models.BooleanField(_("住户名单显示“党员户”"), default=False)
    given_at = models.DateTimeField(_("同意时间"))
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    given_by_name = models.CharField(_("登记人"), max_length=150)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_by_name = models.CharField(_("撤回登记人"), max_length=150, blank=True)

    class Meta:
        ordering = ["member", "-given_at", "-id"]
        verbose_name = _("亮身份同意")
        verbose_name_plural = _("亮身份同意")
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(withdrawn_at__isnull=True), name="party_consent_one_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.given_at:%Y-%m-%d}"


# 双报到 (domain-rules.md §7): 「一单一表一卡」 — the report slip (Registration), the community's needs list
# (Need), and the service card, which is not a table: it is read from the volunteering module's certified
# service records of the activities tagged 党员服务 (ServiceActivity), so nobody types hours twice.


class WorkUnit(TimeStampedModel):
    """A work unit (机关、企事业单位) whose in-service members report to a community organisation, and to
    which the community feeds their service back each quarter. A unit that reports as a unit (单位报到) has
    its party organisation and a liaison; one named only on a member's slip has just its name."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="work_units", verbose_name=_("报到党组织")
    )
    name = models.CharField(_("单位名称"), max_length=100)
    party_organisation = models.CharField(_("单位党组织"), max_length=100, blank=True)
    liaison = models.CharField(_("联络人"), max_length=50, blank=True)
    liaison_phone = models.CharField(_("联络电话"), max_length=20, blank=True)
    registered_on = models.DateField(_("单位报到日期"), null=True, blank=True)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("报到单位")
        verbose_name_plural = _("报到单位")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="party_work_unit_unique")]

    def __str__(self) -> str:
        return self.name


class Registration(TimeStampedModel):
    """报到单: an in-service member reports to the community organisation where they live. Accepting it
    puts them on the roll here as a Member whose membership is held outside (by their unit)."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("党员"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("报到党组织")
    )
    work_unit = models.ForeignKey(
        WorkUnit, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("工作单位")
    )
    post = models.CharField(_("职务/岗位"), max_length=60)
    holding_organisation = models.CharField(_("组织关系所在党组织"), max_length=100)
    member_kind = models.CharField(_("党员类别"), max_length=12, choices=MemberKind.choices)
    joined_on = models.DateField(_("入党日期"))
    # The building the member lives in when they report; the community and grid are read from it.
    residence = models.ForeignKey(
        "territory.Node", on_delete=models.PROTECT, related_name="+", verbose_name=_("居住楼栋")
    )
    skills = models.JSONField(_("技能特长"), default=list, blank=True)
    service_posts = models.JSONField(_("意向服务岗位"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=RegistrationStatus.choices, default=RegistrationStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("提交时间"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by_name = models.CharField(_("确认人"), max_length=150, blank=True)
    decline_reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("党员")
    )

    class Meta:
        ordering = ["organisation", "-submitted_at", "-id"]
        verbose_name = _("报到单")
        verbose_name_plural = _("报到单")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=OPEN_REGISTRATION_STATUSES),
                name="party_registration_one_open",
            ),
            models.CheckConstraint(
                condition=~Q(status=RegistrationStatus.ACCEPTED) | Q(member__isnull=False),
                name="party_registration_accepted_has_member",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.organisation_id}"


class Need(TimeStampedModel):
    """One row of the community's 需求表: help the community asks in-service members for."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="needs", verbose_name=_("发布党组织")
    )
    category = models.CharField(_("类别"), max_length=16, choices=ServicePost.choices)
    title = models.CharField(_("需求"), max_length=80)
    description = models.CharField(_("说明"), max_length=500, blank=True)
    node = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="+", verbose_name=_("地点"))
    wanted = models.PositiveSmallIntegerField(_("需要人数"), default=1)
    status = models.CharField(_("状态"), max_length=8, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["organisation", "status", "-created_at", "-id"]
        verbose_name = _("服务需求")
        verbose_name_plural = _("服务需求")
        constraints = [models.CheckConstraint(condition=Q(wanted__gte=1), name="party_need_wants_someone")]

    def __str__(self) -> str:
        return self.title


class NeedClaim(models.Model):
    """A reported member takes on a need (认领)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="claims")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="claims")
    claimed_at = models.DateTimeField(_("认领时间"))

    class Meta:
        ordering = ["need", "claimed_at", "id"]
        verbose_name = _("需求认领")
        verbose_name_plural = _("需求认领")
        constraints = [models.UniqueConstraint(fields=["need", "registration"], name="party_need_claim_once")]

    def __str__(self) -> str:
        return f"{self.need_id}:{self.registration_id}"


class ServiceActivity(models.Model):
    """送服务: a volunteering Activity tagged 党员服务 by an organisation. Sign-up, check-in/out, certified
    hours and points stay the volunteering module's; members' service cards read those records."""

    activity = models.OneToOneField(
        "volunteering.Activity", on_delete=models.PROTECT, related_name="party_service", verbose_name=_("志愿活动")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="service_activities", verbose_name=_("党组织")
    )
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities", verbose_name=_("对应需求")
    )
    tagged_at = models.DateTimeField(_("标记时间"))
    tagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["organisation", "-tagged_at", "-id"]
        verbose_name = _("党员服务活动")
        verbose_name_plural = _("党员服务活动")

    def __str__(self) -> str:
        return f"{self.organisation_id}:{self.activity_id}"


class Appraisal(TimeStampedModel):
    """The community's yearly appraisal of a reported member (年度评议), fed back to the work unit."""

    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="appraisals")
    year = models.PositiveSmallIntegerField(_("年度"))
    result = models.CharField(_("评议结果"), max_length=12, choices=AppraisalResult.choices)
    comment = models.CharField(_("评语"), max_length=300, blank=True)
    appraised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    appraised_by_name = models.CharField(_("评议人"), max_length=150)

    class Meta:
        ordering = ["registration", "-year"]
        verbose_name = _("年度评议")
        verbose_name_plural = _("年度评议")
        constraints = [models.UniqueConstraint(fields=["registration", "year"], name="party_appraisal_once_a_year")]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.year} {self.result}"


class Feedback(models.Model):
    """A quarterly feedback sheet sent to a work unit: the record that it went, by whom and when. The sheet's
    content is computed from the service records each time it is drawn (PDF or Excel)."""

    work_unit = models.ForeignKey(WorkUnit, on_delete=models.PROTECT, related_name="feedbacks")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    sent_at = models.DateTimeField(_("反馈时间"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    sent_by_name = models.CharField(_("反馈人"), max_length=150)

    class Meta:
        ordering = ["work_unit", "-year", "-quarter"]
        verbose_name = _("季度反馈")
        verbose_name_plural = _("季度反馈")
        constraints = [
            models.UniqueConstraint(fields=["work_unit", "year", "quarter"], name="party_feedback_once_a_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="party_feedback_quarter_1_4"),
        ]

    def __str__(self) -> str:
        return f"{self.work_unit_id} {self.year}Q{self.quarter}"


# 三会一课 and organisational life.


class Meeting(TimeStampedModel):
    """A meeting of an organisation (三会一课, 主题党日, 组织生活会, 民主评议). Who was entitled to attend is
    fixed when it is recorded: one Attendance row each, present or not, so the quorum stays as it was."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("党组织")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField(_("日期"))
    topic = models.CharField(_("主题"), max_length=100)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    # 党课: who gave it (secretaries give one a year).
    lecturer = models.CharField(_("授课人"), max_length=50, blank=True)
    minutes = models.TextField(_("会议记录"))
    entitled = models.PositiveSmallIntegerField(_("应到人数"))
    present = models.PositiveSmallIntegerField(_("实到人数"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_by_name = models.CharField(_("记录人"), max_length=150)

    class Meta:
        ordering = ["organisation", "-held_on", "-id"]
        verbose_name = _("组织生活")
        verbose_name_plural = _("组织生活")
        constraints = [
            models.CheckConstraint(condition=Q(present__lte=F("entitled")), name="party_meeting_present_le_entitled")
        ]
        indexes = [models.Index(fields=["organisation", "kind", "held_on"])]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.kind} {self.held_on}"

    @property
    def has_quorum(self) -> bool:
        """More than half of those entitled were present (支部工作条例)."""
        return self.present * 2 > self.entitled


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("党员"))
    is_present = models.BooleanField(_("出席"))
    absence_reason = models.CharField(_("缺席原因"), max_length=100, blank=True)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("出席情况")
        verbose_name_plural = _("出席情况")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="party_attendance_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.member_id}"


class MeetingPhoto(models.Model):
    """A photo of a meeting, re-encoded without EXIF when uploaded (core.photos)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="party/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.pk}"
