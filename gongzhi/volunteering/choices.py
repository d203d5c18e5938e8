"""Statuses, kinds and the allowed transitions of volunteering, readable at a glance."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.core.exceptions import InvalidTransition


class VolunteerStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    SUSPENDED = "suspended", _("暂停")
    WITHDRAWN = "withdrawn", _("已退出")


VOLUNTEER_TRANSITIONS: dict[str, set[str]] = {
    VolunteerStatus.ACTIVE: {VolunteerStatus.SUSPENDED, VolunteerStatus.WITHDRAWN},
    VolunteerStatus.SUSPENDED: {VolunteerStatus.ACTIVE, VolunteerStatus.WITHDRAWN},
    # Coming back after withdrawing means consenting again (volunteer_register does it).
    VolunteerStatus.WITHDRAWN: {VolunteerStatus.ACTIVE},
}


class Skill(models.TextChoices):
    ELDER_CARE = "elder_care", _("助老助残")
    ENVIRONMENT = "environment", _("环境整治")
    PATROL = "patrol", _("治安巡逻")
    CULTURE = "culture", _("文体活动")
    MEDICAL = "medical", _("医疗健康")
    LEGAL = "legal", _("法律咨询")
    TUTORING = "tutoring", _("课业辅导")
    COUNSELLING = "counselling", _("心理疏导")
    EMERGENCY = "emergency", _("应急救援")
    PUBLICITY = "publicity", _("宣传引导")
    REPAIR = "repair", _("家电维修")
    OTHER = "other", _("其他")


class Availability(models.TextChoices):
    WEEKDAY_DAY = "weekday_day", _("工作日白天")
    WEEKDAY_EVENING = "weekday_evening", _("工作日晚上")
    WEEKEND = "weekend", _("周末")
    HOLIDAY = "holiday", _("节假日")


class TeamKind(models.TextChoices):
    CARE = "care", _("爱心服务团队")
    CULTURE = "culture", _("文体团队")
    PARTY = "party", _("党员服务队")
    OTHER = "other", _("其他团队")


class ActivityStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已取消")


ACTIVITY_TRANSITIONS: dict[str, set[str]] = {
    ActivityStatus.OPEN: {ActivityStatus.CLOSED, ActivityStatus.CANCELLED},
    ActivityStatus.CLOSED: set(),
    ActivityStatus.CANCELLED: set(),
}


class SignUpStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITLISTED = "waitlisted", _("候补")
    CANCELLED = "cancelled", _("已取消")


SIGNUP_TRANSITIONS: dict[str, set[str]] = {
    SignUpStatus.CONFIRMED: {SignUpStatus.CANCELLED},
    SignUpStatus.WAITLISTED: {SignUpStatus.CONFIRMED, SignUpStatus.CANCELLED},
    SignUpStatus.CANCELLED: {SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED},
}


class RecordKind(models.TextChoices):
    CERTIFIED = "certified", _("认定")
    CORRECTION = "correction", _("更正")


class EntryKind(models.TextChoices):
    EARNED = "earned", _("服务积分")
    REDEEMED = "redeemed", _("兑换")
    REFUNDED = "refunded", _("退还")
    ADJUSTED = "adjusted", _("调整")
    EXPIRED = "expired", _("过期")


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("待领取")
    PICKED_UP = "picked_up", _("已领取")
    CANCELLED = "cancelled", _("已取消")


ORDER_TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.PLACED: {OrderStatus.PICKED_UP, OrderStatus.CANCELLED},
    OrderStatus.PICKED_UP: set(),
    OrderStatus.CANCELLED: set(),
}


class StockKind(models.TextChoices):
    RESTOCK = "restock", _("入库")
    REDEEM = "redeem", _("兑换出库")
    CANCEL = "cancel", _("取消退回")
    CORRECTION = "correction", _("盘点调整")


class AdjustmentStatus(models.TextChoices):
    PENDING = "pending", _("待复核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


ADJUSTMENT_TRANSITIONS: dict[str, set[str]] = {
    AdjustmentStatus.PENDING: {AdjustmentStatus.APPROVED, AdjustmentStatus.REJECTED},
    AdjustmentStatus.APPROVED: set(),
    AdjustmentStatus.REJECTED: set(),
}


def transition_check(
    transitions: dict[str, set[str]], labels: type[models.TextChoices], *, what: str, current: str, target: str
) -> None:
    """Refuse a status change the map does not allow, saying what and from which status to which."""
    if target not in transitions[current]:
        raise InvalidTransition(
            gettext("%(what)s当前为“%(s)s”，不能改为“%(t)s”。")
            % {"what": what, "s": labels(current).label, "t": labels(target).label}
        )
