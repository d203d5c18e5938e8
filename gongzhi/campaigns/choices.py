from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    SCREENING = "screening", _("排查")
    DISINFECTION = "disinfection", _("消杀")
    REGISTRATION = "registration", _("登记")
    PUBLICITY = "publicity", _("宣传")
    CUSTOM = "custom", _("其他")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


# draft → open → closed; nothing goes back (the snapshot is taken once, at opening).
TRANSITIONS: dict[str, set[str]] = {
    CampaignStatus.DRAFT: {CampaignStatus.OPEN},
    CampaignStatus.OPEN: {CampaignStatus.CLOSED},
    CampaignStatus.CLOSED: set(),
}


class FieldTarget(models.TextChoices):
    HOUSEHOLD = "household", _("每户")
    PERSON = "person", _("每人")


class FieldKind(models.TextChoices):
    TEXT = "text", _("文字")
    NUMBER = "number", _("数字")
    CHOICE = "choice", _("选项")
    YES_NO = "yes_no", _("是/否")
    DATE = "date", _("日期")
    TEMPERATURE = "temperature", _("体温")


class HouseholdState(models.TextChoices):
    PENDING = "pending", _("未走访")
    REACHED = "reached", _("已入户")
    ABSENT = "absent", _("无人在家（待回访）")
    REFUSED = "refused", _("拒绝")
    VACANT = "vacant", _("空置")


# A visit's outcome is one of the household states other than "pending".
VISIT_OUTCOMES = [(v, label) for v, label in HouseholdState.choices if v != HouseholdState.PENDING]
# A household counts as covered once reached, or found vacant (nobody to screen); absent and refused
# households stay on the missing list until a later visit reaches them.
DONE_STATES = frozenset({HouseholdState.REACHED, HouseholdState.VACANT})


class PersonState(models.TextChoices):
    PENDING = "pending", _("未核查")
    PRESENT = "present", _("在家")
    AWAY = "away", _("外出")
    MOVED_OUT = "moved_out", _("已迁出")
    DECEASED = "deceased", _("已故")
    UNKNOWN = "unknown", _("情况不明")


CHECK_STATUSES = [(v, label) for v, label in PersonState.choices if v != PersonState.PENDING]
# "Unknown" is recorded but does not count: the person is still to be found.
CHECKED_STATES = frozenset({PersonState.PRESENT, PersonState.AWAY, PersonState.MOVED_OUT, PersonState.DECEASED})
