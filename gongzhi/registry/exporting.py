"""Exports of registry lists to Excel: only what the actor can see, masked unless they may reveal and ask
to (with a reason), who and when written into the file, and an access-log row for every export."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.audit import access_record
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.xlsx import Column
from gongzhi.registry.models import Dwelling, Household, Person, PersonCareTag
from gongzhi.registry.permissions import can_export_registry, can_export_unmasked
from gongzhi.territory.selectors import place_labels

MIN_REASON_LENGTH = 4
# Rows fetched per query while streaming, so memory stays flat on 100,000-row exports.
CHUNK = 2000


@dataclass
class Export:
    filename: str
    title: str
    columns: Sequence[Column]
    rows: Iterator[Sequence[Any]]
    notice: str


def _chunked(queryset: QuerySet[Any]) -> Iterator[Any]:
    yield from queryset.iterator(chunk_size=CHUNK)


def _labels_for(batch: list[Any]) -> dict[str, str]:
    return place_labels(paths=[row.org_path for row in batch])


def _labels(model: type[Any], field_name: str) -> dict[str, str]:
    return {str(value): str(label) for value, label in model._meta.get_field(field_name).choices}


def _in_batches(queryset: QuerySet[Any]) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in _chunked(queryset):
        batch.append(item)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _check(actor: Actor, *, unmasked: bool, reason: str) -> str:
    if not can_export_registry(actor):
        raise NotAllowed(_("您没有导出人员信息的权限。"))
    reason = " ".join(reason.split())
    if unmasked:
        if not can_export_unmasked(actor):
            raise NotAllowed(_("您无权导出完整证件号码和电话（需要相应职责，并完成双因素认证）。"))
        if len(reason) < MIN_REASON_LENGTH:
            raise DomainError(_("导出完整信息须填写原因（至少%(n)d个字）。") % {"n": MIN_REASON_LENGTH}, field="reason")
    return reason or _("工作台账")


def _notice(actor: Actor, *, unmasked: bool, reason: str) -> str:
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    kind = _("含完整个人信息") if unmasked else _("个人信息已脱敏")
    return _("导出人：%(who)s　时间：%(when)s　用途：%(why)s　%(kind)s。仅限工作使用，严禁外传。") % {
        "who": actor.display_name or actor.username,
        "when": stamp,
        "why": reason,
        "kind": kind,
    }


PEOPLE_COLUMNS = [
    Column("姓名", 10),
    Column("性别", 6),
    Column("出生日期", 12),
    Column("证件类型", 14),
    Column("证件号码", 22, text=True),
    Column("联系电话", 16, text=True),
    Column("住址", 30),
    Column("房号", 8, text=True),
    Column("户编号", 12, text=True),
    Column("网格", 12),
    Column("关爱标签", 20),
    Column("状态", 8),
]


def people_export(*, actor: Actor, people: QuerySet[Person], unmasked: bool = False, reason: str = "") -> Export:
    """People from a selector the caller already scoped (registry.selectors.person_list).

    Rows are read as tuples (values_list) and care tags one query per batch: model instances with
    select_related and a prefetch cost about ten times the SELECT itself on a 100,000-row ledger.
    """
    reason = _check(actor, unmasked=unmasked, reason=reason)
    count = people.count()
    access_record(
        actor=actor,
        action="export",
        subject_type="registry.person",
        fields="id_number,phone" if unmasked else "masked",
        reason=reason,
        row_count=count,
    )

    # Labels translated once per export: get_FOO_display() hashed the lazy choices for every cell.
    sexes, id_types, statuses = (_labels(Person, name) for name in ("sex", "id_type", "status"))
    columns = (
        "pk",
        "name",
        "sex",
        "born_on",
        "id_type",
        "id_number" if unmasked else "id_masked",
        "phone" if unmasked else "phone_masked",
        "org_path",
        "household__dwelling__room",
        "household__number",
        "grid__name",
        "status",
    )
    values = people.values_list(*columns)

    def rows() -> Iterator[Sequence[Any]]:
        batch: list[tuple[Any, ...]] = []
        for row in values.iterator(chunk_size=CHUNK):
            batch.append(row)
            if len(batch) == CHUNK:
                yield from _people_rows(batch, sexes, id_types, statuses)
                batch = []
        yield from _people_rows(batch, sexes, id_types, statuses)

    return Export(
        f"人员台账-{timezone.localdate():%Y%m%d}.xlsx",
        "人员",
        PEOPLE_COLUMNS,
        rows(),
        _notice(actor, unmasked=unmasked, reason=reason),
    )


def _people_rows(
    batch: list[tuple[Any, ...]], sexes: dict[str, str], id_types: dict[str, str], statuses: dict[str, str]
) -> Iterator[Sequence[Any]]:
    if not batch:
        return
    labels = place_labels(paths=[row[7] for row in batch])
    tags: dict[int, list[str]] = defaultdict(list)
    links = PersonCareTag.objects.filter(person_id__in=[row[0] for row in batch]).order_by("tag__name")
    for person_id, tag_name in links.values_list("person_id", "tag__name"):
        tags[person_id].append(tag_name)
    for pk, name, sex, born_on, id_type, number, phone, org_path, room, household, grid, status in batch:
        yield (
            name,
            sexes.get(sex, sex),
            born_on,
            id_types.get(id_type, id_type),
            number,
            phone,
            labels.get(org_path, ""),
            room or "",
            household or "",
            grid or "",
            "、".join(tags.get(pk, ())),
            statuses.get(status, status),
        )


HOUSEHOLD_COLUMNS = [
    Column("户编号", 12, text=True),
    Column("户主", 10),
    Column("住址", 30),
    Column("房号", 8, text=True),
    Column("人数", 6),
    Column("网格", 12),
    Column("登记日期", 12),
]


def households_export(*, actor: Actor, households: QuerySet[Household]) -> Export:
    reason = _check(actor, unmasked=False, reason="")
    queryset = households.select_related("head", "dwelling", "grid").annotate(
        size=Count("members", filter=Q(members__status="resident"))
    )
    access_record(
        actor=actor,
        action="export",
        subject_type="registry.household",
        fields="masked",
        reason=reason,
        row_count=queryset.count(),
    )

    def rows() -> Iterator[Sequence[Any]]:
        for batch in _in_batches(queryset):
            labels = _labels_for(batch)
            for h in batch:
                yield (
                    h.number,
                    h.head.name if h.head else "",
                    labels.get(h.org_path, ""),
                    h.dwelling.room if h.dwelling else "",
                    h.size,
                    h.grid.name if h.grid else "",
                    h.registered_on,
                )

    return Export(
        f"户籍台账-{timezone.localdate():%Y%m%d}.xlsx",
        "户",
        HOUSEHOLD_COLUMNS,
        rows(),
        _notice(actor, unmasked=False, reason=reason),
    )


DWELLING_COLUMNS = [
    Column("住址", 30),
    Column("房号", 8, text=True),
    Column("楼层", 6),
    Column("用途", 8),
    Column("专有面积（㎡）", 12, text=True),
    Column("网格", 12),
    Column("在住户数", 8),
]


def dwellings_export(*, actor: Actor, dwellings: QuerySet[Dwelling]) -> Export:
    reason = _check(actor, unmasked=False, reason="")
    queryset = dwellings.select_related("grid").annotate(
        active=Count("households", filter=Q(households__is_active=True))
    )
    access_record(
        actor=actor,
        action="export",
        subject_type="registry.dwelling",
        fields="",
        reason=reason,
        row_count=queryset.count(),
    )

    def rows() -> Iterator[Sequence[Any]]:
        for batch in _in_batches(queryset):
            labels = _labels_for(batch)
            for d in batch:
                yield (
                    labels.get(d.org_path, ""),
                    d.room,
                    d.floor,
                    d.get_kind_display(),
                    d.exclusive_area_m2,
                    d.grid.name if d.grid else "",
                    d.active,
                )

    return Export(
        f"房屋台账-{timezone.localdate():%Y%m%d}.xlsx",
        "房屋",
        DWELLING_COLUMNS,
        rows(),
        _notice(actor, unmasked=False, reason=reason),
    )
