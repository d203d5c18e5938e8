from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NodeKind(models.TextChoices):
    SUBDISTRICT = "subdistrict", _("街道")
    COMMUNITY = "community", _("社区")
    AREA = "area", _("片区")
    COMPOUND = "compound", _("小区")
    BUILDING = "building", _("楼栋")
    UNIT = "unit", _("单元")


# The only child kind each kind may have.
CHILD_KIND: dict[str, str] = {
    NodeKind.SUBDISTRICT: NodeKind.COMMUNITY,
    NodeKind.COMMUNITY: NodeKind.AREA,
    NodeKind.AREA: NodeKind.COMPOUND,
    NodeKind.COMPOUND: NodeKind.BUILDING,
    NodeKind.BUILDING: NodeKind.UNIT,
}


class ManagementMode(models.TextChoices):
    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    THIRD_PARTY = "third_party", _("第三方托管")
    SELF_MANAGED = "self_managed", _("业主自管")
    NONE = "none", _("无物业管理")


class CodeScheme(models.TextChoices):
    STATISTICAL = "stats12", _("统计用区划代码（12位）")
    LOCAL = "local", _("本地编号")
    GRID = "grid", _("网格编码（社区12位+片区2位+小区3位+网格3位）")
    PUBLIC_SECURITY = "gat15", _("公安社区编码（15位）")
