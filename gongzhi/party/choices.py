from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    WORKING_COMMITTEE = "working_committee", _("街道党工委")
    COMMUNITY_COMMITTEE = "community_committee", _("社区党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("小区党支部")
    JOINT_BRANCH = "joint_branch", _("联合党支部")
    GROUP = "group", _("楼栋党小组")
    COMPANY = "company", _("物业企业党组织")


# The kinds each kind may have as its parent (None: a root). A tree: 党工委 → 社区党委/党总支 → 支部 → 小组.
PARENT_KINDS: dict[str, tuple[str | None, ...]] = {
    OrgKind.WORKING_COMMITTEE: (None,),
    OrgKind.COMMUNITY_COMMITTEE: (OrgKind.WORKING_COMMITTEE,),
    OrgKind.GENERAL_BRANCH: (OrgKind.COMMUNITY_COMMITTEE, OrgKind.WORKING_COMMITTEE),
    OrgKind.BRANCH: (OrgKind.COMMUNITY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.WORKING_COMMITTEE),
    OrgKind.JOINT_BRANCH: (OrgKind.COMMUNITY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.WORKING_COMMITTEE),
    OrgKind.GROUP: (OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.COMPANY),
    OrgKind.COMPANY: (OrgKind.WORKING_COMMITTEE, OrgKind.COMMUNITY_COMMITTEE),
}
# Kinds whose rules are a branch's (支部工作条例): ≥ 3 full members, ≤ 50, committee by size.
BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.COMPANY)
# Kinds that give a compound its party organisation (the coverage figure).
COMPOUND_ORG_KINDS = (OrgKind.GENERAL_BRANCH, OrgKind.BRANCH, OrgKind.JOINT_BRANCH)
# Kinds that hold memberships (a group only places members of its branch).
HOLDING_KINDS = (*BRANCH_KINDS, OrgKind.GENERAL_BRANCH, OrgKind.COMMUNITY_COMMITTEE)
# What territory each kind covers: compounds, buildings, a community, or nothing (a company's organisation
# works where its company's contracts are).
COVERS: dict[str, str] = {
    OrgKind.WORKING_COMMITTEE: "subdistrict",
    OrgKind.COMMUNITY_COMMITTEE: "community",
    OrgKind.GENERAL_BRANCH: "compound",
    OrgKind.BRANCH: "compound",
    OrgKind.JOINT_BRANCH: "compound",
    OrgKind.GROUP: "building",
    OrgKind.COMPANY: "",
}


class MemberKind(models.TextChoices):
    FULL = "full", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    TRANSFERRED = "transferred", _("已转出")
    ENDED = "ended", _("已注销")


class Seat(models.TextChoices):
    """Positions of a branch committee (支部委员会) or a group; ordered as they are listed."""

    SECRETARY = "secretary", _("书记")
    DEPUTY = "deputy", _("副书记")
    ORGANISATION = "organisation", _("组织委员")
    PROPAGANDA = "propaganda", _("宣传委员")
    DISCIPLINE = "discipline", _("纪检委员")
    MEMBER = "member", _("委员")
    GROUP_LEADER = "group_leader", _("党小组组长")


# 双报到 (domain-rules.md §7): in-service members report to the community organisation where they live.


class RegistrationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待确认")
    ACCEPTED = "accepted", _("已报到")
    DECLINED = "declined", _("已退回")
    WITHDRAWN = "withdrawn", _("已撤回")
    ENDED = "ended", _("已结束")


REGISTRATION_TRANSITIONS: dict[str, set[str]] = {
    RegistrationStatus.SUBMITTED: {
        RegistrationStatus.ACCEPTED,
        RegistrationStatus.DECLINED,
        RegistrationStatus.WITHDRAWN,
    },
    RegistrationStatus.ACCEPTED: {RegistrationStatus.ENDED},
    RegistrationStatus.DECLINED: set(),
    RegistrationStatus.WITHDRAWN: set(),
    RegistrationStatus.ENDED: set(),
}
# A person has at most one registration in these statuses (a database constraint).
OPEN_REGISTRATION_STATUSES = (RegistrationStatus.SUBMITTED, RegistrationStatus.ACCEPTED)


class ServicePost(models.TextChoices):
    """The service posts (服务岗位) of the 报到单 and the categories of the community's 需求表."""

    PUBLICITY = "publicity", _("政策宣传")
    ENVIRONMENT = "environment", _("环境整治")
    PATROL = "patrol", _("治安巡逻")
    MEDIATION = "mediation", _("矛盾调解")
    ELDER_CARE = "elder_care", _("助老助残")
    LEGAL = "legal", _("法律服务")
    HEALTH = "health", _("医疗健康")
    CULTURE = "culture", _("文体活动")
    GOVERNANCE = "governance", _("小区治理")
    BUILDING_HEAD = "building_head", _("楼栋长")
    GRID_HELPER = "grid_helper", _("网格协管")
    OTHER = "other", _("其他")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("征集中")
    CLOSED = "closed", _("已关闭")


class AppraisalResult(models.TextChoices):
    """The yearly appraisal of an in-service member by the community (年度评议), fed back to the unit."""

    EXCELLENT = "excellent", _("优秀")
    COMPETENT = "competent", _("称职")
    BASIC = "basic", _("基本称职")
    INCOMPETENT = "incompetent", _("不称职")


# 三会一课 and organisational life (domain-rules.md §7, 支部工作条例 as summarised).


class MeetingKind(models.TextChoices):
    GENERAL_ASSEMBLY = "general_assembly", _("党员大会")
    COMMITTEE = "committee", _("支委会")
    GROUP = "group", _("党小组会")
    LECTURE = "lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    LIFE_MEETING = "life_meeting", _("组织生活会")
    APPRAISAL = "appraisal", _("民主评议党员")


class Period(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    YEAR = "year", _("每年")


# How often each kind is due. 党课 is quarterly here: sources differ (quarterly or each semester, UNCERTAIN in
# domain-rules.md), and quarterly is the stricter reading.
CADENCE: dict[str, str] = {
    MeetingKind.GENERAL_ASSEMBLY: Period.QUARTER,
    MeetingKind.COMMITTEE: Period.MONTH,
    MeetingKind.GROUP: Period.MONTH,
    MeetingKind.LECTURE: Period.QUARTER,
    MeetingKind.THEME_DAY: Period.MONTH,
    MeetingKind.LIFE_MEETING: Period.YEAR,
    MeetingKind.APPRAISAL: Period.YEAR,
}
# Meetings that need more than half of those entitled to attend (branch and committee meetings).
QUORUM_KINDS = (MeetingKind.GENERAL_ASSEMBLY, MeetingKind.COMMITTEE)
# Which meetings each kind of organisation holds: a branch its own, a group its group meeting. 支委会 only
# where there is a committee (7 or more full members); the compliance table leaves it out otherwise.
MEETING_KINDS: dict[str, tuple[str, ...]] = {
    OrgKind.BRANCH: (
        MeetingKind.GENERAL_ASSEMBLY,
        MeetingKind.COMMITTEE,
        MeetingKind.LECTURE,
        MeetingKind.THEME_DAY,
        MeetingKind.LIFE_MEETING,
        MeetingKind.APPRAISAL,
    ),
    OrgKind.GROUP: (MeetingKind.GROUP,),
}
MEETING_KINDS[OrgKind.JOINT_BRANCH] = MEETING_KINDS[OrgKind.BRANCH]
MEETING_KINDS[OrgKind.COMPANY] = MEETING_KINDS[OrgKind.BRANCH]


class Compliance(models.TextChoices):
    """One cell of the compliance table: a kind of meeting in one period."""

    DONE = "done", _("已开展")
    DUE = "due", _("待开展")
    OVERDUE = "overdue", _("逾期")
    NOT_YET = "not_yet", _("未到期")
