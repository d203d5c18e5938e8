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
from gongzhi.party.choices import MemberKind, MemberStatus, OrgKind, Seat


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
