from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DwellingKind(models.TextChoices):
    RESIDENTIAL = "residential", _("住宅")
    COMMERCIAL = "commercial", _("商铺")


class Relation(models.TextChoices):
    """Relation to the head of household (与户主关系)."""

    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    PARENT = "parent", _("父母")
    PARENT_IN_LAW = "parent_in_law", _("岳父母/公婆")
    GRANDCHILD = "grandchild", _("孙子女/外孙子女")
    GRANDPARENT = "grandparent", _("祖父母/外祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER_RELATIVE = "other_relative", _("其他亲属")
    TENANT = "tenant", _("租住人员")
    OTHER = "other", _("其他")


class PersonStatus(models.TextChoices):
    RESIDENT = "resident", _("在住")
    MOVED_OUT = "moved_out", _("已迁出")
    DECEASED = "deceased", _("已故")


class HolderKind(models.TextChoices):
    PERSON = "person", _("个人")
    DEVELOPER = "developer", _("建设单位（未售）")
    ORGANISATION = "organisation", _("单位")
