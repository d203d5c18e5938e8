from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from gongzhi.core.models import ByteOrderCharField, TimeStampedModel
from gongzhi.territory.choices import CodeScheme, ManagementMode, NodeKind


class Node(MP_Node):
    """One place in the territory tree: a subdistrict, community, area, compound, building or unit.

    One table for the whole tree, so that a subtree is one range over ``path``. Fields that belong to one
    kind (a community's statistical code, a compound's management mode, a building's grid) are nullable
    columns here rather than side tables: the tree has tens of thousands of rows, not millions.
    """

    path = ByteOrderCharField(max_length=255, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=NodeKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    # The current code; its history is in CodeRecord. Community: 12-digit statistical code; area: 2
    # digits; compound: 3 digits (the parts of a grid code); building and unit: their number.
    code = models.CharField(_("编码"), max_length=20, blank=True)
    management_mode = models.CharField(_("管理模式"), max_length=20, choices=ManagementMode.choices, blank=True)
    is_old_compound = models.BooleanField(_("老旧小区"), default=False)
    is_single_building = models.BooleanField(_("单体楼"), default=False)
    # A building's grid; its units carry a copy so that "nodes in my grids" is one predicate.
    grid = models.ForeignKey(
        "territory.Grid",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nodes",
        verbose_name=_("所属网格"),
    )
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    # WGS-84 / CGCS2000 longitude and latitude of a building's entrance (for the map and reports).
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    boundary = models.JSONField(_("边界（GeoJSON）"), null=True, blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("区域节点")
        verbose_name_plural = _("区域节点")
        constraints = [
            models.CheckConstraint(
                condition=Q(grid__isnull=True) | Q(kind__in=[NodeKind.BUILDING, NodeKind.UNIT]),
                name="node_grid_only_on_buildings_and_units",
            ),
            models.CheckConstraint(
                condition=Q(management_mode="") | Q(kind=NodeKind.COMPOUND), name="node_mode_only_on_compounds"
            ),
        ]
        indexes = [models.Index(fields=["kind", "path"])]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return str(NodeKind(self.kind).label)


class Grid(TimeStampedModel):
    """A management cell (网格): in exactly one community, covering a set of buildings."""

    community = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        related_name="grids",
        verbose_name=_("社区"),
        limit_choices_to={"kind": NodeKind.COMMUNITY},
    )
    # The compound the grid lies in, when it lies in one; its area and compound codes form the grid code.
    compound = models.ForeignKey(
        Node,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="compound_grids",
        verbose_name=_("小区"),
        limit_choices_to={"kind": NodeKind.COMPOUND},
    )
    name = models.CharField(_("名称"), max_length=100)
    sequence = models.PositiveSmallIntegerField(_("网格序号"))
    code = models.CharField(_("网格编码"), max_length=20, unique=True)
    boundary = models.JSONField(_("边界（GeoJSON）"), null=True, blank=True)
    # Bounding box of the boundary: a cheap first filter before point-in-polygon.
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    # Copy of the community's path, so that "grids under this node" is one range.
    org_path = ByteOrderCharField(max_length=255, db_index=True)
    is_active = models.BooleanField(_("启用"), default=True)
    # A community's holding cell (未划网格, sequence 0): opening a campaign puts there the households of the
    # community that no grid holds yet, so that they are counted and walked (by the community's workers)
    # until someone assigns their building. It covers no building and lists nowhere as a grid.
    is_holding = models.BooleanField(_("未划网格暂存"), default=False, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        constraints = [
            models.UniqueConstraint(fields=["community", "compound", "sequence"], name="grid_sequence_unique"),
            models.UniqueConstraint(fields=["community"], condition=Q(is_holding=True), name="grid_one_holding"),
        ]

    def __str__(self) -> str:
        return self.name


class CodeRecord(TimeStampedModel):
    """A code given to a node or grid under a scheme, with the period it was valid: codes are data."""

    scheme = models.CharField(_("编码体系"), max_length=10, choices=CodeScheme.choices)
    value = models.CharField(_("编码"), max_length=32)
    node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.CASCADE, related_name="code_records")
    grid = models.ForeignKey(Grid, null=True, blank=True, on_delete=models.CASCADE, related_name="code_records")
    valid_from = models.DateField(_("启用日期"))
    valid_to = models.DateField(_("停用日期"), null=True, blank=True)

    class Meta:
        ordering = ["scheme", "-valid_from"]
        verbose_name = _("编码记录")
        verbose_name_plural = _("编码记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(node__isnull=False, grid__isnull=True) | Q(node__isnull=True, grid__isnull=False),
                name="code_record_node_xor_grid",
            ),
        ]
        indexes = [models.Index(fields=["scheme", "value"])]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.value}"
