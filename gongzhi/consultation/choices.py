from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SuggestionStatus(models.TextChoices):
    OPEN = "open", _("征集支持中")
    PROMOTED = "promoted", _("已转为议题")


class TopicStatus(models.TextChoices):
    OPEN = "open", _("讨论中")
    MEETING = "meeting", _("已召集会议")
    VOTING = "voting", _("表决中")
    DECIDED = "decided", _("已表决")
    PUBLISHED = "published", _("已公示，跟进中")
    DONE = "done", _("已办结")
    DROPPED = "dropped", _("已终止")


# The path of a topic: discussion → meeting(s) → resolution vote → decided → result notice → follow-up
# done. A topic may go to the vote without a meeting, and be dropped before the vote.
TOPIC_TRANSITIONS: dict[str, tuple[str, ...]] = {
    TopicStatus.OPEN: (TopicStatus.MEETING, TopicStatus.VOTING, TopicStatus.DROPPED),
    TopicStatus.MEETING: (TopicStatus.VOTING, TopicStatus.DROPPED),
    TopicStatus.VOTING: (TopicStatus.DECIDED,),
    TopicStatus.DECIDED: (TopicStatus.PUBLISHED, TopicStatus.DONE),
    TopicStatus.PUBLISHED: (TopicStatus.DONE,),
    TopicStatus.DONE: (),
    TopicStatus.DROPPED: (),
}


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已召集")
    HELD = "held", _("已召开")


class Party(models.TextChoices):
    """Who is invited to a 议事 meeting and on whose behalf an attendee speaks."""

    RESIDENTS_COMMITTEE = "residents_committee", _("社区居委会")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    PARTY_BRANCH = "party_branch", _("小区党支部")
    RESIDENTS = "residents", _("居民代表")
    GRID = "grid", _("网格员")
    OTHER = "other", _("其他单位")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已完成")


class ModerationKind(models.TextChoices):
    HIDE = "hide", _("隐藏")
    RESTORE = "restore", _("恢复显示")
