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
