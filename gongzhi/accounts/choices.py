from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SUBDISTRICT_OFFICER = "subdistrict_officer", _("街道干部")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    LEAD_CADRE = "lead_cadre", _("包保领导")
    RESPONSIBLE_CADRE = "responsible_cadre", _("包保干部")
    GRID_HEAD = "grid_head", _("网格长")
    GRID_WORKER = "grid_worker", _("网格员")
    BUILDING_HEAD = "building_head", _("楼栋长/责任人")
    PROPERTY_STAFF = "property_staff", _("物业人员")
    COMMITTEE_MEMBER = "committee_member", _("业委会成员")
    PARTY_SECRETARY = "party_secretary", _("党支部书记")
    VOLUNTEER_MANAGER = "volunteer_manager", _("志愿者协会管理员")
    PLATFORM_ADMIN = "platform_admin", _("平台管理员")
    AUDITOR = "auditor", _("审计员")


class ScopeKind(models.TextChoices):
    NODE = "node", _("区域节点")
    GRID = "grid", _("网格")
    NONE = "none", _("无")


# Where each role's Duty points. A grid role names a grid; a node role names a territory node of the
# given kinds; a system role (separated from data: 三员分立) names nothing.
ROLE_SCOPE: dict[str, tuple[str, tuple[str, ...]]] = {
    Role.SUBDISTRICT_OFFICER: (ScopeKind.NODE, ("subdistrict",)),
    Role.COMMUNITY_WORKER: (ScopeKind.NODE, ("community",)),
    Role.LEAD_CADRE: (ScopeKind.NODE, ("compound",)),
    Role.RESPONSIBLE_CADRE: (ScopeKind.NODE, ("compound",)),
    Role.GRID_HEAD: (ScopeKind.GRID, ()),
    Role.GRID_WORKER: (ScopeKind.GRID, ()),
    Role.BUILDING_HEAD: (ScopeKind.NODE, ("building",)),
    Role.PROPERTY_STAFF: (ScopeKind.NODE, ("compound",)),
    Role.COMMITTEE_MEMBER: (ScopeKind.NODE, ("compound",)),
    Role.PARTY_SECRETARY: (ScopeKind.NODE, ("compound",)),
    Role.VOLUNTEER_MANAGER: (ScopeKind.NODE, ("subdistrict", "community")),
    Role.PLATFORM_ADMIN: (ScopeKind.NONE, ()),
    Role.AUDITOR: (ScopeKind.NONE, ()),
}

# The responsibility chain of a compound, from the first to be told to the last (escalation order).
CHAIN_ROLES = (Role.BUILDING_HEAD, Role.GRID_HEAD, Role.RESPONSIBLE_CADRE, Role.LEAD_CADRE)
