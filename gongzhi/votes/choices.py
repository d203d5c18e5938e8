from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PollStatus(models.TextChoices):
    ANNOUNCED = "announced", _("公告中")
    OPEN = "open", _("投票中")
    CLOSED = "closed", _("已截止")
    PUBLISHED = "published", _("已公布")
    CANCELLED = "cancelled", _("已取消")


# A poll is announced (the notice period runs), opened (the roll is frozen), closed (the result is
# counted once and kept) and published (everyone in scope sees the result). Nothing goes back.
POLL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    PollStatus.ANNOUNCED: (PollStatus.OPEN, PollStatus.CANCELLED),
    PollStatus.OPEN: (PollStatus.CLOSED,),
    PollStatus.CLOSED: (PollStatus.PUBLISHED,),
    PollStatus.PUBLISHED: (),
    PollStatus.CANCELLED: (),
}


class Electorate(models.TextChoices):
    """Who is on the roll: a rule, turned into rows when the poll opens."""

    RESIDENTS = "residents", _("范围内的成年居民（一人一票）")
    HOUSEHOLDS = "households", _("范围内的住户（一户一票）")
    OWNERS = "owners", _("范围内房屋的业主（按专有面积和人数）")
    MEMBERS = "members", _("指定组织的成员")


class TallyRule(models.TextChoices):
    PLURALITY = "plurality", _("单选，得票最多者当选")
    APPROVAL = "approval", _("多选（最多选k项），得票多者当选")
    YES_NO = "yes_no", _("同意/反对/弃权，按比例通过")
    ART278 = "art278", _("业主共同决定（民法典第二百七十八条）")


class Opinion(models.TextChoices):
    """The fixed options of a yes/no question and of an owners' assembly matter."""

    YES = "yes", _("同意")
    NO = "no", _("反对")
    ABSTAIN = "abstain", _("弃权")


class Channel(models.TextChoices):
    ONLINE = "online", _("网上投票")
    PAPER = "paper", _("纸质选票")
    PROXY = "proxy", _("书面委托")


class Matter(models.TextChoices):
    """The matters owners decide jointly, Civil Code Art. 278 items (1)-(9)."""

    RULES_OF_PROCEDURE = "rules", _("制定和修改业主大会议事规则")
    COVENANT = "covenant", _("制定和修改管理规约")
    COMMITTEE = "committee", _("选举业主委员会或者更换业主委员会成员")
    MANAGER = "manager", _("选聘和解聘物业服务企业或者其他管理人")
    USE_FUND = "use_fund", _("使用建筑物及其附属设施的维修资金")
    RAISE_FUND = "raise_fund", _("筹集建筑物及其附属设施的维修资金")
    REBUILD = "rebuild", _("改建、重建建筑物及其附属设施")
    CHANGE_USE = "change_use", _("改变共有部分的用途或者利用共有部分从事经营活动")
    OTHER = "other", _("有关共有和共同管理权利的其他重大事项")


# Items (6)-(8) need three quarters; everything else, including *using* the fund, more than half.
MAJOR_MATTERS = frozenset({Matter.RAISE_FUND, Matter.REBUILD, Matter.CHANGE_USE})
