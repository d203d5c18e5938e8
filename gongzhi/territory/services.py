"""Writes to the territory tree and grids. Keyword-only, actor first, atomic, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.audit import audit_record, changed_only, snapshot
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.territory.choices import CHILD_KIND, CodeScheme, NodeKind
from gongzhi.territory.geometry import geometry_from_geojson
from gongzhi.territory.models import CodeRecord, Grid, Node
from gongzhi.territory.permissions import can_manage_territory

NODE_DETAIL_FIELDS = (
    "code",
    "management_mode",
    "is_old_compound",
    "is_single_building",
    "floors",
    "longitude",
    "latitude",
    "boundary",
)


def _ensure_manage(actor: Actor, node: Node | None = None) -> None:
    if not can_manage_territory(actor, node):
        raise NotAllowed(_("只有街道干部可以维护区域和网格。"))


def validate_node_details(kind: str, details: dict[str, Any]) -> None:
    unknown = set(details) - set(NODE_DETAIL_FIELDS)
    if unknown:
        raise DomainError(_("未知字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))})
    code = details.get("code", "")
    if kind == NodeKind.COMMUNITY and code and not (len(code) == 12 and code.isdigit()):
        raise DomainError(_("社区编码应为12位统计用区划代码。"), field="code")
    if kind == NodeKind.AREA and code and not (len(code) == 2 and code.isdigit()):
        raise DomainError(_("片区编号应为2位数字。"), field="code")
    if kind == NodeKind.COMPOUND and code and not (len(code) == 3 and code.isdigit()):
        raise DomainError(_("小区编号应为3位数字。"), field="code")
    if details.get("management_mode") and kind != NodeKind.COMPOUND:
        raise DomainError(_("只有小区有管理模式。"), field="management_mode")
    if details.get("boundary") is not None:
        geometry_from_geojson(details["boundary"])


@transaction.atomic
def node_add(*, actor: Actor, parent: Node | None, kind: str, name: str, **details: Any) -> Node:
    """Add a node under ``parent`` (or a subdistrict as a root); the kind must be the parent's child kind."""
    if parent is None:
        _ensure_manage(actor)
        if kind != NodeKind.SUBDISTRICT:
            raise DomainError(_("顶层节点必须是街道。"), field="kind")
    else:
        _ensure_manage(actor, parent)
        parent = Node.objects.get(pk=parent.pk)  # a stale parent misreports its children (treebeard)
        if CHILD_KIND.get(parent.kind) != kind:
            raise DomainError(
                _("%(parent)s下只能添加%(child)s。")
                % {
                    "parent": parent.kind_label,
                    "child": NodeKind(CHILD_KIND[parent.kind]).label if parent.kind in CHILD_KIND else _("（无）"),
                },
                field="kind",
            )
    name = name.strip()
    if not name:
        raise DomainError(_("名称不能为空。"), field="name")
    validate_node_details(kind, details)
    create_kwargs = {"kind": kind, "name": name, **details}
    if parent is None:
        node = Node.objects.add_root(create_kwargs=create_kwargs)
    else:
        if kind == NodeKind.UNIT and parent.grid_id:
            create_kwargs["grid_id"] = parent.grid_id
        node = Node.objects.add_child(parent, create_kwargs=create_kwargs)
    if details.get("code"):
        CodeRecord.objects.create(
            node=node, scheme=_scheme_for(kind), value=details["code"], valid_from=timezone.localdate()
        )
    audit_record(actor=actor, action="territory.node_add", target=node, after=snapshot(node), label=node.name)
    return node


def _scheme_for(kind: str) -> str:
    return CodeScheme.STATISTICAL if kind == NodeKind.COMMUNITY else CodeScheme.LOCAL


@transaction.atomic
def node_update(*, actor: Actor, node: Node, name: str | None = None, **details: Any) -> Node:
    _ensure_manage(actor, node)
    validate_node_details(node.kind, details)
    before = snapshot(node)
    if name is not None:
        if not name.strip():
            raise DomainError(_("名称不能为空。"), field="name")
        node.name = name.strip()
    old_code = node.code
    for key, value in details.items():
        setattr(node, key, value)
    node.save()
    if "code" in details and details["code"] != old_code:
        code_set(actor=actor, node=node, scheme=_scheme_for(node.kind), value=details["code"])
    audit_record(
        actor=actor,
        action="territory.node_update",
        target=node,
        label=node.name,
        before=changed_only(before, snapshot(node))[0],
        after=changed_only(before, snapshot(node))[1],
    )
    return node


def code_set(
    *,
    actor: Actor,
    scheme: str,
    value: str,
    node: Node | None = None,
    grid: Grid | None = None,
    valid_from: dt.date | None = None,
) -> CodeRecord:
    """Give a node or grid a new code under a scheme, ending the previous one (codes are versioned data)."""
    valid_from = valid_from or timezone.localdate()
    with transaction.atomic():
        CodeRecord.objects.filter(node=node, grid=grid, scheme=scheme, valid_to__isnull=True).update(
            valid_to=valid_from
        )
        return CodeRecord.objects.create(node=node, grid=grid, scheme=scheme, value=value, valid_from=valid_from)


def grid_code(*, community: Node, compound: Node | None, sequence: int) -> str:
    """Community 12 + area 2 + compound 3 + grid 3 (a grid spanning compounds has area and compound 0)."""
    if not (len(community.code) == 12 and community.code.isdigit()):
        raise DomainError(_("社区尚未设置12位统计用区划代码，无法生成网格编码。"), field="community")
    if not 1 <= sequence <= 999:
        raise DomainError(_("网格序号应在1至999之间。"), field="sequence")
    if compound is None:
        return f"{community.code}00000{sequence:03d}"
    area = Node.objects.get(path=compound.path[: -Node.steplen])
    if not (area.code and compound.code):
        raise DomainError(_("片区或小区尚未设置编号，无法生成网格编码。"), field="compound")
    return f"{community.code}{area.code}{compound.code}{sequence:03d}"


def holding_grid(*, community: Node) -> Grid:
    """The community's holding cell for households no grid holds yet (made on first need, never listed).

    Its code is the community's with area, compound and sequence 0 (no real grid has sequence 0); a
    community without a statistical code gets one from its node id, as no grid code can clash with it.
    """
    existing = Grid.objects.filter(community=community, is_holding=True).first()
    if existing is not None:
        return existing
    code = f"{community.code}00000000" if community.code else f"H{community.pk}"
    grid, _created = Grid.objects.get_or_create(
        community=community,
        is_holding=True,
        defaults={
            "name": _("%(community)s·未划网格") % {"community": community.name},
            "sequence": 0,
            "code": code[:20],
            "org_path": community.path,
        },
    )
    return grid


def _grid_bbox(boundary: Any) -> dict[str, float | None]:
    if boundary is None:
        return {"min_lon": None, "min_lat": None, "max_lon": None, "max_lat": None}
    min_lon, min_lat, max_lon, max_lat = geometry_from_geojson(boundary).bounds
    return {"min_lon": min_lon, "min_lat": min_lat, "max_lon": max_lon, "max_lat": max_lat}


@transaction.atomic
def grid_create(
    *,
    actor: Actor,
    community: Node,
    name: str,
    sequence: int,
    compound: Node | None = None,
    boundary: Any = None,
) -> Grid:
    _ensure_manage(actor, community)
    if community.kind != NodeKind.COMMUNITY:
        raise DomainError(_("网格必须属于一个社区。"), field="community")
    if compound is not None and (compound.kind != NodeKind.COMPOUND or not compound.path.startswith(community.path)):
        raise DomainError(_("所选小区不在该社区内。"), field="compound")
    code = grid_code(community=community, compound=compound, sequence=sequence)
    if Grid.objects.filter(code=code).exists():
        raise DomainError(_("网格编码 %(code)s 已存在，请换一个序号。") % {"code": code}, field="sequence")
    grid = Grid.objects.create(
        community=community,
        compound=compound,
        name=name.strip(),
        sequence=sequence,
        code=code,
        boundary=boundary,
        org_path=community.path,
        **_grid_bbox(boundary),
    )
    CodeRecord.objects.create(grid=grid, scheme=CodeScheme.GRID, value=code, valid_from=timezone.localdate())
    audit_record(
        actor=actor,
        action="territory.grid_create",
        target=grid,
        after=snapshot(grid, ["code", "name"]),
        label=grid.name,
    )
    return grid


@transaction.atomic
def grid_set_boundary(*, actor: Actor, grid: Grid, boundary: Any) -> Grid:
    _ensure_manage(actor, grid.community)
    bbox = _grid_bbox(boundary)
    grid.boundary = boundary
    for key, value in bbox.items():
        setattr(grid, key, value)
    grid.save()
    audit_record(
        actor=actor,
        action="territory.grid_boundary",
        target=grid,
        label=grid.name,
        after={"bbox": [bbox["min_lon"], bbox["min_lat"], bbox["max_lon"], bbox["max_lat"]]},
    )
    return grid
