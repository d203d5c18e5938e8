"""Importing population ledgers (人口台账): one row per person, in the shape staff keep them in Excel.

Three phases, so that a dry run shows exactly what a real run would do and nothing is half-written:
1. ``parse``: read the file, find the header, validate every row on its own (document numbers, phones,
   dates, relations, care tags, areas), with reasons in Chinese naming the column.
2. ``plan``: resolve places within the actor's scope, match people already registered (by the ID's blind
   index, or by name within their household for people without an ID), find duplicates and conflicting
   heads of household across rows, and decide for each row: create, update, unchanged or reject.
3. ``apply``: write the plan in one transaction with bulk inserts. Updates go through simple-history.

A run either imports every row or none (the default), or, when the user chooses "valid rows only",
imports the valid rows and returns every rejected row with its original cells and reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from gongzhi.accounts import actor_cache
from gongzhi.core.actors import Actor
from gongzhi.core.bulk import insert_objects, insert_rows, reserve_ids
from gongzhi.core.exceptions import DomainError
from gongzhi.core.identity import DocumentType
from gongzhi.core.tables import Header, find_header
from gongzhi.registry.choices import DwellingKind, HolderKind, PersonStatus, Relation
from gongzhi.registry.models import (
    CareTag,
    Dwelling,
    Household,
    Membership,
    Ownership,
    Person,
    PersonCareTag,
    Residence,
)
from gongzhi.registry.permissions import can_edit_registry_at
from gongzhi.registry.services import PersonData, person_fields
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node
from gongzhi.territory.permissions import visible_nodes

# --- the ledger's columns -----------------------------------------------------------------------------

COLUMNS: dict[str, tuple[str, ...]] = {
    "compound": ("小区", "小区名称", "所属小区", "小区名"),
    "building": ("楼栋", "楼号", "楼栋号", "幢号", "楼幢", "栋号"),
    "unit": ("单元", "单元号"),
    "room": ("房号", "房间号", "门牌号", "室号", "房屋"),
    "name": ("姓名", "名字"),
    "id_type": ("证件类型", "证件种类"),
    "id_number": ("证件号码", "身份证号", "身份证号码", "公民身份号码", "证件号", "身份证", "居民身份证号码"),
    "phone": ("联系电话", "手机号", "手机号码", "电话", "联系方式", "电话号码"),
    "relation": ("与户主关系", "关系", "与户主的关系"),
    "care_tags": ("关爱标签", "特殊人群", "人员类别", "重点人群"),
    "is_owner": ("是否产权人", "产权人", "是否业主", "业主"),
    "area": ("专有面积", "专有部分面积", "建筑面积", "面积", "房屋面积"),
    "moved_in_on": ("入住日期", "迁入日期", "入住时间"),
    "born_on": ("出生日期",),
    "sex": ("性别",),
}
REQUIRED = ("compound", "building", "unit", "room", "name", "relation")
# The template's column order: the first alias of each field is its header there.
TEMPLATE_FIELDS = (
    "compound",
    "building",
    "unit",
    "room",
    "name",
    "id_type",
    "id_number",
    "phone",
    "relation",
    "care_tags",
    "is_owner",
    "area",
    "moved_in_on",
)

DOCUMENT_TYPES = {
    "居民身份证": DocumentType.CITIZEN_ID,
    "身份证": DocumentType.CITIZEN_ID,
    "二代身份证": DocumentType.CITIZEN_ID,
    "港澳台居民居住证": DocumentType.HMT_RESIDENCE_PERMIT,
    "居住证": DocumentType.HMT_RESIDENCE_PERMIT,
    "港澳居民来往内地通行证": DocumentType.HMT_TRAVEL_PERMIT,
    "台湾居民来往大陆通行证": DocumentType.HMT_TRAVEL_PERMIT,
    "回乡证": DocumentType.HMT_TRAVEL_PERMIT,
    "台胞证": DocumentType.HMT_TRAVEL_PERMIT,
    "港澳台居民来往内地通行证": DocumentType.HMT_TRAVEL_PERMIT,
    "外国人永久居留身份证": DocumentType.FOREIGN_PR,
    "永居证": DocumentType.FOREIGN_PR,
    "外国人永久居留证": DocumentType.FOREIGN_PR_2017,
    "护照": DocumentType.PASSPORT,
    "军人证件": DocumentType.MILITARY,
    "军官证": DocumentType.MILITARY,
    "士兵证": DocumentType.MILITARY,
    "其他": DocumentType.OTHER,
    "其他证件": DocumentType.OTHER,
}
RELATIONS = {
    **{str(choice.label): choice.value for choice in Relation},
    "本人": Relation.HEAD,
    "妻子": Relation.SPOUSE,
    "丈夫": Relation.SPOUSE,
    "妻": Relation.SPOUSE,
    "夫": Relation.SPOUSE,
    "儿子": Relation.CHILD,
    "女儿": Relation.CHILD,
    "子": Relation.CHILD,
    "女": Relation.CHILD,
    "长子": Relation.CHILD,
    "次子": Relation.CHILD,
    "长女": Relation.CHILD,
    "次女": Relation.CHILD,
    "儿媳": Relation.CHILD_IN_LAW,
    "女婿": Relation.CHILD_IN_LAW,
    "父亲": Relation.PARENT,
    "母亲": Relation.PARENT,
    "父母": Relation.PARENT,
    "岳父": Relation.PARENT_IN_LAW,
    "岳母": Relation.PARENT_IN_LAW,
    "公公": Relation.PARENT_IN_LAW,
    "婆婆": Relation.PARENT_IN_LAW,
    "孙子": Relation.GRANDCHILD,
    "孙女": Relation.GRANDCHILD,
    "外孙": Relation.GRANDCHILD,
    "外孙女": Relation.GRANDCHILD,
    "祖父": Relation.GRANDPARENT,
    "祖母": Relation.GRANDPARENT,
    "外祖父": Relation.GRANDPARENT,
    "外祖母": Relation.GRANDPARENT,
    "爷爷": Relation.GRANDPARENT,
    "奶奶": Relation.GRANDPARENT,
    "外公": Relation.GRANDPARENT,
    "外婆": Relation.GRANDPARENT,
    "兄弟": Relation.SIBLING,
    "姐妹": Relation.SIBLING,
    "兄": Relation.SIBLING,
    "弟": Relation.SIBLING,
    "姐": Relation.SIBLING,
    "妹": Relation.SIBLING,
    "哥哥": Relation.SIBLING,
    "弟弟": Relation.SIBLING,
    "姐姐": Relation.SIBLING,
    "妹妹": Relation.SIBLING,
    "租户": Relation.TENANT,
    "租客": Relation.TENANT,
    "租住": Relation.TENANT,
}
YES = {"是", "y", "yes", "1", "√", "✓", "true", "产权人", "业主"}
NO = {"否", "n", "no", "0", "×", "x", "false", ""}
SEXES = {"男": "M", "女": "F"}
TAG_SEPARATORS = re.compile(r"[、，,;；/\s]+")
# The ledger's notion of "when": rows without a move-in date are taken as registered today.
Today = Callable[[], dt.date]


def label(field_name: str) -> str:
    return COLUMNS[field_name][0]


# --- phase 1: rows on their own ---------------------------------------------------------------------


@dataclass
class Row:
    number: int  # the row's number in the sheet, as Excel shows it
    cells: list[Any]
    reasons: list[str] = field(default_factory=list)
    compound: str = ""
    building: str = ""
    unit: str = ""
    room: str = ""
    place_text: tuple[str, str, str] = ("", "", "")  # compound, building, unit as the file writes them
    person: dict[str, Any] = field(default_factory=dict)
    search_key: str = ""
    relation: str = ""
    care_tag_ids: list[int] | None = None  # None: the file has no care-tag column, keep what is registered
    is_owner: bool | None = None
    area_dm2: int | None = None
    moved_in_on: dt.date | None = None
    # Filled by the plan.
    action: str = ""
    person_id: int | None = None
    dwelling_key: tuple[int, str] | None = None

    def reject(self, column: str | None, message: str) -> None:
        self.reasons.append(f"【{label(column)}】{message}" if column else message)


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = str(value).strip()
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{4})(\d{2})(\d{2})", raw)
    if not match:
        raise ValueError(raw)
    parts = [int(p) for p in match.groups() if p is not None]
    return dt.date(parts[0], parts[1], parts[2])


def parse_area(value: Any) -> int:
    """An area in m² as 0.01 m² units, exactly: never through a binary float's digits."""
    raw = str(value).strip() if not isinstance(value, float) else repr(value)
    raw = re.sub(r"(㎡|平方米|平米|m2|M2)$", "", raw).strip()
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise ValueError(raw) from None
    hundredths = amount * 100
    if hundredths != hundredths.to_integral_value() or amount <= 0 or amount > 100000:
        raise ValueError(raw)
    return int(hundredths)


def room_key(value: Any) -> str:
    return re.sub(r"(室|号房|号)$", "", text(value)).upper()


def building_key(value: Any) -> str:
    return re.sub(r"(号楼|号|栋|幢|楼|座)$", "", text(value)).upper()


def unit_key(value: Any) -> str:
    return re.sub(r"(单元)$", "", text(value)).upper()


def compound_key(value: Any) -> str:
    return re.sub(r"小区$", "", text(value))


def _document(row: Row, id_type_cell: Any, id_cell: Any) -> tuple[str, str]:
    """The (document type, number) of a row, rejecting numbers Excel already damaged."""
    if isinstance(id_cell, float | int) and not isinstance(id_cell, bool):
        as_text = repr(id_cell) if isinstance(id_cell, float) else str(id_cell)
        if len(str(int(id_cell))) >= 15 or "e" in as_text.lower():
            row.reject(
                "id_number",
                _(
                    "证件号码是数字格式（%(cell)s）：Excel 已把它当作数字，最后几位已经丢失，无法恢复。"
                    "请把该列设置为“文本”格式，重新录入完整号码后再导入。"
                )
                % {"cell": as_text},
            )
            return "", ""
    number = text(id_cell)
    kind_text = text(id_type_cell)
    if not number:
        if kind_text and DOCUMENT_TYPES.get(kind_text) not in (None, DocumentType.OTHER):
            row.reject("id_number", _("已填写证件类型，但没有证件号码。"))
        return "", ""
    if kind_text:
        kind = DOCUMENT_TYPES.get(kind_text)
        if kind is None:
            row.reject("id_type", _("不认识的证件类型“%(type)s”。") % {"type": kind_text})
            return "", ""
    elif re.fullmatch(r"\d{15}|\d{17}[\dXx]", number.replace(" ", "")):
        kind = DocumentType.CITIZEN_ID
    else:
        row.reject("id_type", _("证件号码不是身份证格式，请填写证件类型（如护照）。"))
        return "", ""
    return kind, number


def parse_row(number: int, cells: list[Any], header: Header, tags: dict[str, int], today: dt.date) -> Row:
    def cell(name: str) -> Any:
        index = header.columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    row = Row(number=number, cells=cells)
    row.compound, row.building = compound_key(cell("compound")), building_key(cell("building"))
    row.unit, row.room = unit_key(cell("unit")), room_key(cell("room"))
    row.place_text = (text(cell("compound")), text(cell("building")), text(cell("unit")))
    for name, value in (("compound", row.compound), ("building", row.building), ("unit", row.unit), ("room", row.room)):
        if not value:
            row.reject(name, _("不能为空。"))
    relation_text = text(cell("relation"))
    row.relation = RELATIONS.get(relation_text, "")
    if not row.relation:
        row.reject(
            "relation",
            _("“%(value)s”不是可识别的关系，可填：户主、配偶、子女、父母、孙子女、兄弟姐妹、租户、其他等。")
            % {"value": relation_text}
            if relation_text
            else _("不能为空。"),
        )
    born_on = sex = None
    try:
        born_on = parse_date(cell("born_on"))
    except ValueError as exc:
        row.reject("born_on", _("“%(value)s”不是有效日期，请写成 1980-01-31。") % {"value": exc})
    except TypeError:
        pass
    sex_text = text(cell("sex"))
    if sex_text:
        sex = SEXES.get(sex_text)
        if sex is None:
            row.reject("sex", _("请填写“男”或“女”。"))
    id_type, id_number = _document(row, cell("id_type"), cell("id_number"))
    phone_cell = cell("phone")
    phone = text(phone_cell)
    try:
        row.person = person_fields(
            PersonData(
                name=text(cell("name")),
                id_type=id_type,
                id_number=id_number,
                phone=phone,
                born_on=born_on,
                sex=sex or "",
            ),
            today=today,
        )
    except DomainError as exc:
        column = {
            "name": "name",
            "id_number": "id_number",
            "id_type": "id_type",
            "phone": "phone",
            "born_on": "born_on",
            "sex": "sex",
        }.get(exc.field or "", None)
        row.reject(column, exc.message)
    if row.person.get("id_bidx"):
        row.search_key = row.person["id_bidx"]
    if "care_tags" in header.columns:
        row.care_tag_ids = []
        for name in filter(None, TAG_SEPARATORS.split(text(cell("care_tags")))):
            tag_id = tags.get(name)
            if tag_id is None:
                row.reject(
                    "care_tags",
                    _("没有名为“%(tag)s”的关爱标签，可用：%(all)s。")
                    % {"tag": name, "all": "、".join(t for t in tags if not t.isascii())},
                )
            elif tag_id not in row.care_tag_ids:
                row.care_tag_ids.append(tag_id)
    if "is_owner" in header.columns:
        owner_text = text(cell("is_owner")).lower()
        if owner_text in YES:
            row.is_owner = True
        elif owner_text in NO:
            row.is_owner = False
        else:
            row.reject("is_owner", _("请填写“是”或“否”。"))
    area_cell = cell("area")
    if area_cell not in (None, ""):
        try:
            row.area_dm2 = parse_area(area_cell)
        except ValueError:
            row.reject(
                "area",
                _("“%(value)s”不是有效面积：应为大于0的数，最多两位小数（单位：平方米）。")
                % {"value": text(area_cell)},
            )
    try:
        row.moved_in_on = parse_date(cell("moved_in_on"))
    except ValueError as exc:
        row.reject("moved_in_on", _("“%(value)s”不是有效日期，请写成 2021-03-01。") % {"value": exc})
    if row.moved_in_on is not None:
        if row.moved_in_on > today:
            row.reject("moved_in_on", _("入住日期晚于今天。"))
        elif row.person.get("born_on") and row.moved_in_on < row.person["born_on"]:
            row.reject("moved_in_on", _("入住日期早于出生日期。"))
    return row


def parse(
    rows: list[list[Any]], *, today: dt.date, progress: Callable[[int, int], None] | None = None
) -> tuple[Header, list[Row]]:
    header = find_header(rows, aliases=COLUMNS, required=REQUIRED)
    tags: dict[str, int] = {}
    for tag in CareTag.objects.filter(is_active=True):
        tags[tag.name] = tag.pk
        tags[tag.code] = tag.pk
    body = [
        (index + 1, cells)
        for index, cells in enumerate(rows)
        if index > header.row_index and any(c not in (None, "") for c in cells)
    ]
    parsed = []
    for count, (number, cells) in enumerate(body, start=1):
        parsed.append(parse_row(number, cells, header, tags, today))
        if progress is not None and count % 2000 == 0:
            progress(count, len(body))
    if progress is not None:
        progress(len(body), len(body))
    return header, parsed


# --- phase 2: rows together, against the registry ---------------------------------------------------


@dataclass
class Plan:
    rows: list[Row]
    # Dwellings to create, keyed (unit id, room).
    new_dwellings: dict[tuple[int, str], Row] = field(default_factory=dict)
    dwellings: dict[tuple[int, str], Dwelling] = field(default_factory=dict)
    units: dict[int, Node] = field(default_factory=dict)
    households: dict[tuple[int, str], Household] = field(default_factory=dict)
    existing: dict[str, Person] = field(default_factory=dict)  # by blind index
    members_by_name: dict[tuple[int, str], list[Person]] = field(default_factory=dict)  # (household, name)
    owners: dict[int, set[int]] = field(default_factory=dict)  # dwelling id → current person owners
    memberships: dict[int, tuple[int, str]] = field(default_factory=dict)  # person → (household, relation)
    tags: dict[int, set[int]] = field(default_factory=dict)  # person → care tag ids

    @property
    def rejected(self) -> list[Row]:
        return [r for r in self.rows if r.action == "reject"]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def _chunks(items: Sequence[Any], size: int = 5000) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _places(actor: Actor) -> tuple[dict[str, list[Node]], dict[tuple[str, str], Node], dict[tuple[str, str], Node]]:
    """Compounds by name, buildings by (compound path, key) and units by (building path, key), in scope.

    A grid worker sees buildings, not whole compounds: compounds are found above the visible buildings.
    """
    buildings: dict[tuple[str, str], Node] = {}
    units: dict[tuple[str, str], Node] = {}
    step = Node.steplen
    nodes = visible_nodes(actor).filter(kind__in=[NodeKind.BUILDING, NodeKind.UNIT])
    for node in nodes.only("id", "path", "kind", "name", "grid_id", "depth"):
        if node.kind == NodeKind.BUILDING:
            buildings[(node.path[:-step], building_key(node.name))] = node
        else:
            units[(node.path[:-step], unit_key(node.name))] = node
    compounds: dict[str, list[Node]] = defaultdict(list)
    compound_paths = sorted({path for path, _key in buildings})
    for chunk in _chunks(compound_paths, 5000):
        for node in Node.objects.filter(path__in=chunk, kind=NodeKind.COMPOUND).only("id", "path", "name"):
            compounds[compound_key(node.name)].append(node)
    return compounds, buildings, units


def plan(actor: Actor, rows: list[Row]) -> Plan:
    result = Plan(rows=rows)
    compounds, buildings, units = _places(actor)
    for row in rows:
        if row.reasons:
            continue
        matches = compounds.get(row.compound, [])
        if not matches:
            row.reject("compound", _("找不到小区“%(name)s”（或不在您的管辖范围内）。") % {"name": row.place_text[0]})
            continue
        if len(matches) > 1:
            row.reject("compound", _("有多个名为“%(name)s”的小区，请联系街道区分名称。") % {"name": row.place_text[0]})
            continue
        building = buildings.get((matches[0].path, row.building))
        if building is None:
            row.reject(
                "building",
                _("小区“%(c)s”中没有楼栋“%(b)s”（或不在您的管辖范围内）。")
                % {"c": matches[0].name, "b": row.place_text[1]},
            )
            continue
        unit = units.get((building.path, row.unit))
        if unit is None:
            row.reject(
                "unit",
                _("%(b)s中没有单元“%(u)s”（或不在您的管辖范围内）。") % {"b": building.name, "u": row.place_text[2]},
            )
            continue
        if not can_edit_registry_at(actor, org_path=unit.path, grid_id=unit.grid_id):
            row.reject("building", _("您没有在该楼栋登记人员的权限。"))
            continue
        result.units[unit.pk] = unit
        row.dwelling_key = (unit.pk, row.room)

    _load_registry(result)
    _decide(actor, result)
    return result


def _load_registry(result: Plan) -> None:
    """Everything the rows refer to, in a handful of queries whatever the file's size.

    Only the dwellings the file names are loaded as objects (with their households and members): a
    ledger of new rooms in a registered compound must not load the compound's whole registry.
    """
    wanted = {row.dwelling_key for row in result.rows if row.dwelling_key is not None and not row.reasons}
    named: list[int] = []
    for chunk in _chunks(list(result.units), 2000):
        rooms = Dwelling.objects.filter(unit_id__in=chunk).values_list("pk", "unit_id", "room")
        named.extend(pk for pk, unit_id, room in rooms if (unit_id, room_key(room)) in wanted)
    for chunk in _chunks(named, 5000):
        for dwelling in Dwelling.objects.filter(pk__in=chunk):
            result.dwellings[(dwelling.unit_id, room_key(dwelling.room))] = dwelling
    key_of = {d.pk: key for key, d in result.dwellings.items()}
    for chunk in _chunks(list(key_of), 5000):
        for household in Household.objects.filter(dwelling_id__in=chunk, is_active=True).order_by("id"):
            result.households.setdefault(key_of[household.dwelling_id], household)  # type: ignore[index]
        for ownership in Ownership.objects.filter(dwelling_id__in=chunk, ended_on__isnull=True, person__isnull=False):
            result.owners.setdefault(ownership.dwelling_id, set()).add(ownership.person_id or 0)
    for chunk in _chunks([h.pk for h in result.households.values()], 5000):
        for person in Person.objects.filter(household_id__in=chunk):
            result.members_by_name.setdefault((person.household_id or 0, person.name), []).append(person)
    keys = sorted({r.search_key for r in result.rows if r.search_key and not r.reasons})
    for chunk in _chunks(keys, 5000):
        for person in Person.objects.filter(id_bidx__in=chunk):
            result.existing[person.id_bidx or ""] = person
    known = [p.pk for p in result.existing.values()] + [
        p.pk for people in result.members_by_name.values() for p in people
    ]
    for chunk in _chunks(sorted(set(known)), 5000):
        for person_id, household_id, relation in Membership.objects.filter(
            person_id__in=chunk, left_on__isnull=True
        ).values_list("person_id", "household_id", "relation"):
            result.memberships[person_id] = (household_id, relation)
        for person_id, tag_id in PersonCareTag.objects.filter(person_id__in=chunk).values_list("person_id", "tag_id"):
            result.tags.setdefault(person_id, set()).add(tag_id)


def _decide(actor: Actor, result: Plan) -> None:
    seen_keys: dict[str, int] = {}
    heads: dict[tuple[int, str], int] = {}
    for row in result.rows:
        if row.reasons:
            row.action = "reject"
            continue
        key = row.dwelling_key
        assert key is not None  # noqa: S101 - set for every row without reasons
        if row.search_key:
            first = seen_keys.setdefault(row.search_key, row.number)
            if first != row.number:
                row.reject("id_number", _("与第%(n)d行是同一证件号码，同一人只能出现一次。") % {"n": first})
                row.action = "reject"
                continue
        if key not in result.dwellings and key not in result.new_dwellings:
            if row.area_dm2 is None:
                row.reject("room", _("房屋“%(room)s”尚未登记，新建房屋需要填写专有面积。") % {"room": row.room})
                row.action = "reject"
                continue
            result.new_dwellings[key] = row
        household = result.households.get(key)
        existing = result.existing.get(row.search_key) if row.search_key else None
        if existing is None and household is not None:
            # Without an ID number, a person is recognised by name within their household.
            same_name = result.members_by_name.get((household.pk, row.person["name"]), [])
            candidates = [p for p in same_name if not p.id_bidx or p.id_bidx == row.search_key]
            existing = candidates[0] if len(candidates) == 1 else None
        if (
            existing is not None
            and existing.status == PersonStatus.RESIDENT
            and existing.household is not None
            and not (can_edit_registry_at(actor, org_path=existing.org_path, grid_id=existing.grid_id))
        ):
            row.reject("id_number", _("此人已在其他辖区登记，请联系街道办理迁移。"))
            row.action = "reject"
            continue
        if row.relation == Relation.HEAD:
            first_head = heads.setdefault(key, row.number)
            if first_head != row.number:
                row.reject("relation", _("同一房屋已有户主（第%(n)d行）。如是两户，请分别导入。") % {"n": first_head})
                row.action = "reject"
                continue
            if household is not None and household.head_id and (existing is None or existing.pk != household.head_id):
                row.reject(
                    "relation",
                    _("该房屋已登记户主（户编号 %(no)s），与本行不一致。请先在系统中变更户主。")
                    % {"no": household.number},
                )
                row.action = "reject"
                continue
        row.person_id = existing.pk if existing is not None else None
        row.action = (
            "create" if existing is None else ("update" if _changes(row, existing, household, result) else "unchanged")
        )
        if existing is not None:
            result.existing[row.search_key or f"#{existing.pk}"] = existing


def given(row: Row) -> dict[str, Any]:
    """The person columns a row actually fills: an empty cell never erases what is registered."""
    return {key: value for key, value in row.person.items() if value not in (None, "")}


def _changes(row: Row, person: Person, household: Household | None, result: Plan) -> bool:
    values = given(row)
    if any(
        getattr(person, key) != values[key]
        for key in ("name", "id_type", "id_bidx", "phone_bidx", "born_on", "sex")
        if key in values
    ):
        return True
    if person.status != PersonStatus.RESIDENT or household is None or person.household_id != household.pk:
        return True
    if row.care_tag_ids is not None and result.tags.get(person.pk, set()) != set(row.care_tag_ids):
        return True
    return result.memberships.get(person.pk) != (household.pk, row.relation)


# --- phase 3: writing -----------------------------------------------------------------------------------


def apply(actor: Actor, result: Plan, *, today: dt.date) -> None:
    """Write every row the plan accepted, in the caller's transaction (see run_import)."""
    accepted = [r for r in result.rows if r.action in {"create", "update", "unchanged"}]
    _create_dwellings(result)
    households = _ensure_households(result, accepted, today)
    creates = [r for r in accepted if r.action == "create"]
    updates = [r for r in accepted if r.action == "update"]
    people: dict[int, int] = {}  # row number → person id

    # New people go in through insert_rows: a 100,000-row ledger spent most of its time in Model.__init__
    # and bulk_create. The columns still pass through each field's preparation (the encrypted ones too).
    new_ids = reserve_ids(Person, len(creates))
    new_people = []
    for row, person_id in zip(creates, new_ids, strict=True):
        household = households[row.dwelling_key]  # type: ignore[index]
        new_people.append(
            {
                **row.person,
                "id": person_id,
                "household_id": household.pk,
                "org_path": household.org_path,
                "grid_id": household.grid_id,
            }
        )
        row.person_id = person_id
        people[row.number] = person_id
    insert_rows(Person, new_people)

    moved: list[Person] = []
    by_id = {p.pk: p for p in Person.objects.filter(pk__in=[r.person_id for r in updates]).select_related("household")}
    ended: list[int] = []
    for row in updates:
        person = by_id[row.person_id]  # type: ignore[index]
        household = households[row.dwelling_key]  # type: ignore[index]
        for key, value in given(row).items():
            setattr(person, key, value)
        if person.household_id != household.pk or person.status != PersonStatus.RESIDENT:
            ended.append(person.pk)
        person.household = household
        person.org_path = household.org_path
        person.grid_id = household.grid_id
        person.status = PersonStatus.RESIDENT
        moved.append(person)
        people[row.number] = person.pk
    if moved:
        for person in moved:
            person._change_reason = _("台账导入")  # type: ignore[attr-defined]
        bulk_update_with_history(
            moved,
            Person,
            [
                "name",
                "name_pinyin",
                "name_initials",
                "id_type",
                "id_number",
                "id_bidx",
                "id_masked",
                "phone",
                "phone_bidx",
                "phone_masked",
                "born_on",
                "sex",
                "household",
                "org_path",
                "grid",
                "status",
                "updated_at",
            ],
            batch_size=2000,
            default_user=None,
        )
    if moved:
        # bulk_update sends no post_save: the residents among the moved lose their cached Actors here.
        actor_cache.invalidate_users(p.user_id for p in moved)
    _memberships(result, accepted, households, people, today)
    _care_tags(accepted, people)
    _ownerships(result, accepted, people, today)


def _create_dwellings(result: Plan) -> None:
    new = []
    for key, row in result.new_dwellings.items():
        unit = result.units[key[0]]
        floor = int(row.room[:-2]) if len(row.room) > 2 and row.room[:-2].isdigit() else 1
        new.append(
            Dwelling(
                unit_id=unit.pk,
                room=row.room,
                floor=floor,
                kind=DwellingKind.RESIDENTIAL,
                exclusive_area_dm2=row.area_dm2 or 0,
                org_path=unit.path,
                grid_id=unit.grid_id,
            )
        )
    insert_objects(Dwelling, new)
    for dwelling in new:
        result.dwellings[(dwelling.unit_id, room_key(dwelling.room))] = dwelling


def _ensure_households(result: Plan, accepted: list[Row], today: dt.date) -> dict[tuple[int, str], Household]:
    households = dict(result.households)
    needed: dict[tuple[int, str], None] = {}  # an ordered set: a list made this quadratic in the file's size
    for row in accepted:
        key = row.dwelling_key
        if key is not None and key not in households:
            needed[key] = None
    start = (Household.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    first_date: dict[Any, dt.date] = {}
    for row in accepted:
        first_date.setdefault(row.dwelling_key, row.moved_in_on or today)
    new = []
    for offset, key in enumerate(needed):
        dwelling = result.dwellings[key]
        new.append(
            Household(
                number=f"H{start + offset:08d}",
                dwelling=dwelling,
                org_path=dwelling.org_path,
                grid_id=dwelling.grid_id,
                registered_on=first_date[key],
            )
        )
    insert_objects(Household, new)
    insert_objects(Residence, [Residence(household=h, dwelling=h.dwelling, moved_in_on=h.registered_on) for h in new])
    for key, household in zip(needed, new, strict=True):
        households[key] = household
    return households


def _memberships(
    result: Plan, accepted: list[Row], households: dict[Any, Household], people: dict[int, int], today: dt.date
) -> None:
    person_ids = [people[r.number] for r in accepted if r.action != "unchanged"]
    current: dict[int, Membership] = {}
    for chunk in _chunks(person_ids):
        for open_membership in Membership.objects.filter(person_id__in=chunk, left_on__isnull=True):
            current[open_membership.person_id] = open_membership
    to_end: list[Membership] = []
    to_start: list[dict[str, Any]] = []
    heads: dict[int, int] = {}
    for row in accepted:
        if row.action == "unchanged":
            continue
        person_id = people[row.number]
        household = households[row.dwelling_key]
        joined_on = row.moved_in_on or today
        membership = current.get(person_id)
        if membership is not None and membership.household_id == household.pk and membership.relation == row.relation:
            continue
        if membership is not None:
            membership.left_on = max(today, membership.joined_on)
            membership.left_reason = _("台账导入变更")
            to_end.append(membership)
            joined_on = membership.left_on
        to_start.append(
            {"person_id": person_id, "household_id": household.pk, "relation": row.relation, "joined_on": joined_on}
        )
        if row.relation == Relation.HEAD:
            heads[household.pk] = person_id
    Membership.objects.bulk_update(to_end, ["left_on", "left_reason"], batch_size=2000)
    ids = reserve_ids(Membership, len(to_start))
    insert_rows(Membership, [{**values, "id": pk} for values, pk in zip(to_start, ids, strict=True)])
    # A head who moved to another household no longer heads the old one.
    left_heads = [m.household_id for m in to_end if m.relation == Relation.HEAD]
    for chunk in _chunks(left_heads):
        Household.objects.filter(pk__in=chunk).update(head=None)
    # One UPDATE per household by primary key (executemany): bulk_update's CASE expression was the slow part.
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Household._meta.db_table} SET head_id = %s WHERE id = %s",  # noqa: S608 - the model's table
            [(person_id, household_id) for household_id, person_id in heads.items()],
        )


def _care_tags(accepted: list[Row], people: dict[int, int]) -> None:
    rows = [r for r in accepted if r.care_tag_ids is not None and r.action != "unchanged"]
    if not rows:
        return
    ids = [people[r.number] for r in rows]
    for chunk in _chunks(ids):
        PersonCareTag.objects.filter(person_id__in=chunk).delete()
    PersonCareTag.objects.bulk_create(
        [PersonCareTag(person_id=people[r.number], tag_id=tag_id) for r in rows for tag_id in r.care_tag_ids or []],
        batch_size=5000,
    )


def _ownerships(result: Plan, accepted: list[Row], people: dict[int, int], today: dt.date) -> None:
    """The owners a file names for a dwelling replace its current person owners, in equal shares."""
    named: dict[int, list[int]] = defaultdict(list)
    for row in accepted:
        if row.is_owner:
            dwelling = result.dwellings[row.dwelling_key]  # type: ignore[index]
            named[dwelling.pk].append(people[row.number])
    changed = {d: owners for d, owners in named.items() if set(owners) != result.owners.get(d, set())}
    if not changed:
        return
    for chunk in _chunks(list(changed)):
        Ownership.objects.filter(dwelling_id__in=chunk, ended_on__isnull=True, holder_kind=HolderKind.PERSON).update(
            ended_on=today
        )
    new = [
        {
            "dwelling_id": d,
            "person_id": p,
            "holder_kind": HolderKind.PERSON,
            "share_numerator": 1,
            "share_denominator": len(owners),
            "acquired_on": today,
        }
        for d, owners in changed.items()
        for p in owners
    ]
    ids = reserve_ids(Ownership, len(new))
    insert_rows(Ownership, [{**values, "id": pk} for values, pk in zip(new, ids, strict=True)])


# --- the whole run ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    rows: list[Row]
    header: Header
    imported: bool

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    def summary(self, *, limit: int | None = None) -> dict[str, Any]:
        rejected = [r for r in self.rows if r.action == "reject"]
        shown = rejected if limit is None else rejected[:limit]
        return {
            "imported": self.imported,
            "rows": len(self.rows),
            "created": self.count("create"),
            "updated": self.count("update"),
            "unchanged": self.count("unchanged"),
            "rejected": len(rejected),
            "rejections": [{"row": r.number, "reasons": r.reasons} for r in shown],
        }


def run_import(
    actor: Actor,
    rows: list[list[Any]],
    *,
    dry_run: bool = False,
    valid_rows_only: bool = False,
    today: dt.date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Outcome:
    """Check and (unless a dry run) import a ledger. All or nothing, unless ``valid_rows_only``."""
    today = today or timezone.localdate()
    header, parsed = parse(
        rows, today=today, progress=(lambda done, total: progress("checking", done, total)) if progress else None
    )
    with transaction.atomic():
        result = plan(actor, parsed)
        do_write = (
            not dry_run
            and (valid_rows_only or not result.rejected)
            and any(r.action in {"create", "update"} for r in parsed)
        )
        if do_write:
            if progress is not None:
                progress("writing", len(parsed), len(parsed))
            apply(actor, result, today=today)
    return Outcome(rows=parsed, header=header, imported=do_write)


# --- files around the import: the template and the rejected rows ---------------------------------------

TEMPLATE_NOTE = (
    "填写说明：每行一人。带*的列必填。证件号码、联系电话列已设为文本格式，请勿改为数字（否则18位号码会丢失末尾几位）。"
    "与户主关系填：户主、配偶、子女、父母、孙子女、兄弟姐妹、租户、其他等；同一房屋的户主只能有一人。"
    "关爱标签可填多个，用顿号分隔。新房屋须填专有面积（平方米，最多两位小数）。本行及示例行导入时自动跳过。"
)
TEMPLATE_EXAMPLE = {
    "compound": "华侨新村",
    "building": "1号楼",
    "unit": "1单元",
    "room": "301",
    "name": "张三",
    "id_type": "居民身份证",
    "id_number": "340303199001011233",
    "phone": "13800001111",
    "relation": "户主",
    "care_tags": "退役军人",
    "is_owner": "是",
    "area": "89.50",
    "moved_in_on": "2021-03-01",
}
TEXT_FIELDS = {"id_number", "phone", "room", "building", "unit"}


def write_template(out: Any) -> None:
    """The downloadable template: a note row, the header, one example row, text-formatted ID and phone columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人口台账"
    sheet.append([TEMPLATE_NOTE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TEMPLATE_FIELDS))
    sheet.row_dimensions[1].height = 60
    sheet["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(color="C0392B")
    sheet.append([("*" if f in REQUIRED else "") + label(f) for f in TEMPLATE_FIELDS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    sheet.append([TEMPLATE_EXAMPLE[f] for f in TEMPLATE_FIELDS])
    for index, name in enumerate(TEMPLATE_FIELDS, start=1):
        letter = sheet.cell(row=2, column=index).column_letter
        sheet.column_dimensions[letter].width = 22 if name in {"id_number", "care_tags"} else 12
        if name in TEXT_FIELDS:
            # Pre-format the column as text so a typed 18-digit number is never turned into 1.1E+17.
            for row in range(3, 2003):
                sheet.cell(row=row, column=index).number_format = "@"
    workbook.save(out)


def write_rejects(out: Any, outcome: Outcome) -> int:
    """The rejected rows with their original cells and the reason, to fix and import again."""
    from gongzhi.core.xlsx import Column, write_xlsx

    width = max([len(outcome.header.names)] + [len(r.cells) for r in outcome.rows])
    names = outcome.header.names + [""] * (width - len(outcome.header.names))
    columns = [Column("原行号", 8)] + [Column(name or f"列{i + 1}", 14, text=True) for i, name in enumerate(names)]
    columns.append(Column("错误原因", 60))
    rows = (
        [
            r.number,
            *[text(c) if not isinstance(c, float) else repr(c) for c in r.cells],
            *[""] * (width - len(r.cells)),
            "；".join(r.reasons),
        ]
        for r in outcome.rows
        if r.action == "reject"
    )
    return write_xlsx(
        out,
        title="未导入的行",
        columns=columns,
        rows=rows,
        notice="以下行未导入。请按最后一列“错误原因”改正后，可直接再次导入本文件（“原行号”和“错误原因”列会被忽略）。",
    )
