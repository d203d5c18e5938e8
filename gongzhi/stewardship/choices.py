from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ManagerKind(models.TextChoices):
    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    THIRD_PARTY = "third_party", _("第三方托管")


class ServiceGrade(models.TextChoices):
    """物业服务等级 as the local standards number them (一级 highest); 基础 for old compounds' basic service."""

    GRADE_1 = "1", _("一级")
    GRADE_2 = "2", _("二级")
    GRADE_3 = "3", _("三级")
    GRADE_4 = "4", _("四级")
    BASIC = "basic", _("基础服务")


class Position(models.TextChoices):
    DIRECTOR = "director", _("主任")
    DEPUTY = "deputy", _("副主任")
    MEMBER = "member", _("委员")


class LedgerSide(models.TextChoices):
    MANAGER = "manager", _("物业/第三方")
    COMMITTEE = "committee", _("业委会")


class LedgerKind(models.TextChoices):
    PATROL = "patrol", _("巡查")
    CLEANING = "cleaning", _("保洁")
    GREENING = "greening", _("绿化")
    REPAIR = "repair", _("维修")
    SAFETY = "safety", _("安全")
    MEETING = "meeting", _("会议")
    FINANCE = "finance", _("收支公示")
    OTHER = "other", _("其他")
