"""Statuses, units and the allowed-transitions table of a case, readable at a glance."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeUnit(models.TextChoices):
    WORK_HOURS = "work_hours", _("工作时")
    WORK_DAYS = "work_days", _("工作日")
    NATURAL_HOURS = "natural_hours", _("自然小时")


class HandlerKind(models.TextChoices):
    PROPERTY = "property", _("物业企业")
    THIRD_PARTY = "third_party", _("第三方托管")
    COMMUNITY = "community", _("社区")
    DEPARTMENT = "department", _("街道部门")


class Channel(models.TextChoices):
    RESIDENT = "resident", _("居民上报")
    GRID_WORKER = "grid_worker", _("网格员巡查")
    BUILDING_HEAD = "building_head", _("楼栋长上报")
    STAFF = "staff", _("工作人员录入")
    OPEN311 = "open311", _("外部渠道（Open311）")


class CaseStatus(models.TextChoices):
    REPORTED = "reported", _("已上报")
    ACCEPTED = "accepted", _("已立案")
    REJECTED = "rejected", _("不予立案")
    DISPATCHED = "dispatched", _("已派遣")
    HANDLED = "handled", _("已处置")
    VERIFIED = "verified", _("已核查")
    CLOSED = "closed", _("已结案")
    RATED = "rated", _("已评价")
    PARKED = "parked", _("挂账")
    MERGED = "merged", _("已合并")


class Pending(models.TextChoices):
    NONE = "", _("无")
    EXTENSION = "extension", _("延期申请")
    RETURN = "return", _("回退申请")


class Action(models.TextChoices):
    ACCEPT = "accept", _("立案")
    REJECT = "reject", _("不予立案")
    DISPATCH = "dispatch", _("派遣")
    HANDLE = "handle", _("处置反馈")
    VERIFY_PASS = "verify_pass", _("核查通过")
    VERIFY_FAIL = "verify_fail", _("核查不通过（返工）")
    CLOSE = "close", _("结案并答复")
    RATE = "rate", _("评价")
    REQUEST_EXTENSION = "request_extension", _("申请延期")
    APPROVE_EXTENSION = "approve_extension", _("批准延期")
    DENY_EXTENSION = "deny_extension", _("驳回延期")
    REQUEST_RETURN = "request_return", _("申请回退")
    APPROVE_RETURN = "approve_return", _("批准回退")
    DENY_RETURN = "deny_return", _("驳回回退")
    PARK = "park", _("挂账")
    UNPARK = "unpark", _("解除挂账")
    RECATEGORISE = "recategorise", _("重新分类")
    MERGE = "merge", _("合并到其他事件")
    ESCALATE = "escalate", _("超期升级")
    ME_TOO = "me_too", _("我也遇到")


S = CaseStatus
# action → (statuses it may start from, status it leads to; None keeps the status).
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    Action.ACCEPT: (frozenset({S.REPORTED}), S.ACCEPTED),
    Action.REJECT: (frozenset({S.REPORTED}), S.REJECTED),
    Action.DISPATCH: (frozenset({S.ACCEPTED}), S.DISPATCHED),
    Action.HANDLE: (frozenset({S.DISPATCHED}), S.HANDLED),
    Action.VERIFY_PASS: (frozenset({S.HANDLED}), S.VERIFIED),
    Action.VERIFY_FAIL: (frozenset({S.HANDLED}), S.DISPATCHED),
    Action.CLOSE: (frozenset({S.VERIFIED}), S.CLOSED),
    Action.RATE: (frozenset({S.CLOSED}), S.RATED),
    Action.REQUEST_EXTENSION: (frozenset({S.DISPATCHED}), None),
    Action.APPROVE_EXTENSION: (frozenset({S.DISPATCHED}), None),
    Action.DENY_EXTENSION: (frozenset({S.DISPATCHED}), None),
    Action.REQUEST_RETURN: (frozenset({S.DISPATCHED}), None),
    Action.APPROVE_RETURN: (frozenset({S.DISPATCHED}), S.ACCEPTED),
    Action.DENY_RETURN: (frozenset({S.DISPATCHED}), None),
    Action.PARK: (frozenset({S.ACCEPTED, S.DISPATCHED}), S.PARKED),
    Action.UNPARK: (frozenset({S.PARKED}), S.DISPATCHED),
    Action.RECATEGORISE: (frozenset({S.REPORTED, S.ACCEPTED, S.DISPATCHED}), None),
    Action.MERGE: (frozenset({S.REPORTED, S.ACCEPTED}), S.MERGED),
    Action.ESCALATE: (frozenset({S.DISPATCHED}), None),
    Action.ME_TOO: (frozenset({S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.HANDLED, S.VERIFIED, S.PARKED}), None),
}

# action → what it takes besides its name (the detail page's fields, the API's form fields).
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    Action.REJECT: ("note",),
    Action.HANDLE: ("note", "photos"),
    Action.VERIFY_PASS: ("note", "photos"),
    Action.VERIFY_FAIL: ("note", "photos"),
    Action.CLOSE: ("note",),
    Action.RATE: ("rating", "note"),
    Action.REQUEST_EXTENSION: ("hours", "note"),
    Action.REQUEST_RETURN: ("note",),
    Action.PARK: ("note",),
    Action.RECATEGORISE: ("category", "note"),
    Action.MERGE: ("target", "note"),
}

# Open statuses for lists and Open311 ("open"); the rest are "closed".
OPEN_STATUSES = frozenset({S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.HANDLED, S.VERIFIED, S.PARKED})
DONE_STATUSES = frozenset({S.CLOSED, S.RATED})
# Statuses in which a case no longer counts anywhere (it never became a case, or lives on in another).
VOID_STATUSES = frozenset({S.REJECTED, S.MERGED})


class PhotoKind(models.TextChoices):
    REPORT = "report", _("上报照片")
    RESULT = "result", _("处置照片")
    VERIFY = "verify", _("核查照片")
