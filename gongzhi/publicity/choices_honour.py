"""Statuses and transitions of honour campaigns (评选活动)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignPhase(models.TextChoices):
    DRAFT = "draft", _("草稿")
    NOMINATING = "nominating", _("提名中")
    REVIEWING = "reviewing", _("审核中")
    VOTING = "voting", _("投票中")
    JUDGING = "judging", _("评委评分")
    DECIDED = "decided", _("结果待公布")
    PUBLISHED = "published", _("已公布")
    CANCELLED = "cancelled", _("已取消")


# One way, phase by phase: a campaign never goes back (a vote reopened after counts were seen is the
# CONSUL #5321 trap). Cancelling is possible until the result is published.
CAMPAIGN_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CampaignPhase.DRAFT: (CampaignPhase.NOMINATING, CampaignPhase.CANCELLED),
    CampaignPhase.NOMINATING: (CampaignPhase.REVIEWING, CampaignPhase.CANCELLED),
    CampaignPhase.REVIEWING: (CampaignPhase.VOTING, CampaignPhase.CANCELLED),
    CampaignPhase.VOTING: (CampaignPhase.JUDGING, CampaignPhase.CANCELLED),
    CampaignPhase.JUDGING: (CampaignPhase.DECIDED, CampaignPhase.CANCELLED),
    CampaignPhase.DECIDED: (CampaignPhase.PUBLISHED, CampaignPhase.CANCELLED),
    CampaignPhase.PUBLISHED: (),
    CampaignPhase.CANCELLED: (),
}

# Phases in which the public vote's count exists (the poll has closed).
COUNTED_PHASES = frozenset({CampaignPhase.JUDGING, CampaignPhase.DECIDED, CampaignPhase.PUBLISHED})


class CategoryKind(models.TextChoices):
    BUILDING = "building", _("楼栋")
    PERSON = "person", _("个人")
    HOUSEHOLD = "household", _("家庭")
    VOLUNTEER = "volunteer", _("志愿者")


PERSONAL_KINDS = frozenset({CategoryKind.PERSON, CategoryKind.HOUSEHOLD, CategoryKind.VOLUNTEER})


class NominationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过（入围）")
    REJECTED = "rejected", _("未通过")
