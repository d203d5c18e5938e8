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


class SubjectKind(models.TextChoices):
    """Who the monthly evaluation rates; each kind has its own rubric and its own ranking."""

    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    THIRD_PARTY = "third_party", _("第三方托管")
    COMMITTEE = "committee", _("业主委员会")


class Indicator(models.TextChoices):
    """A rubric item scored from records the product already has, never typed by a rater."""

    ON_TIME = "on_time", _("派单按期办结率")
    REWORK = "rework", _("返工率")
    COMPLAINTS = "complaints", _("投诉（不满意评价）")
    LEDGER = "ledger", _("台账完整率")
    MEETINGS = "meetings", _("召开会议")
    FINANCE = "finance", _("收支公示")


class RaterKind(models.TextChoices):
    COMMUNITY = "community", _("社区评分")
    SUBDISTRICT = "subdistrict", _("街道评分")
    COMMITTEE = "committee", _("业委会评分")
    RESIDENTS = "residents", _("居民满意度")


class MonthStatus(models.TextChoices):
    RATING = "rating", _("评分中")
    REVIEW = "review", _("审核中")
    PUBLISHED = "published", _("已公示")


# Drafted (raters score, residents rate), reviewed (the counts are frozen and checked), published (公示).
# Review may go back to rating; nothing goes back from publication: appeals change scores by new rows.
MONTH_TRANSITIONS: dict[str, tuple[str, ...]] = {
    MonthStatus.RATING: (MonthStatus.REVIEW,),
    MonthStatus.REVIEW: (MonthStatus.RATING, MonthStatus.PUBLISHED),
    MonthStatus.PUBLISHED: (),
}


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待裁定")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉不成立")
