"""Excel exports for the manager: the points ledger, certified hours and shop orders.

They carry volunteers' names (personal data, no ID numbers or phones), so each export writes an access-log
row with who, what and how many rows (domain-rules.md §3.6), and the first row of the sheet says who exported
it and when.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.audit import access_record
from gongzhi.core.xlsx import Column, xlsx_response
from gongzhi.volunteering.choices import EntryKind, OrderStatus, RecordKind
from gongzhi.volunteering.models import Order, PointsEntry, ServiceRecord

CHUNK = 2000


class Counted:
    """Rows passed through while counting them, for the access log."""

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self.rows:
            self.count += 1
            yield row


def _local(value: dt.datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _notice(actor: Actor, now: dt.datetime) -> str:
    return _("导出人：%(who)s · 导出时间：%(at)s · 含志愿者姓名，仅限志愿服务管理使用，不得外传。") % {
        "who": actor.username,
        "at": f"{now:%Y-%m-%d %H:%M}",
    }


def _respond(
    *, actor: Actor, now: dt.datetime, what: str, title: str, columns: list[Column], rows: Iterable[Sequence[Any]]
) -> FileResponse:
    counted = Counted(rows)
    response = xlsx_response(
        filename=f"{title}-{now:%Y%m%d-%H%M}.xlsx",
        title=title,
        columns=columns,
        rows=counted,
        notice=_notice(actor, now),
    )
    access_record(
        actor=actor,
        action="export",
        subject_type=f"volunteering.{what}",
        fields="name,volunteer_number",
        reason=_("导出%(title)s") % {"title": title},
        row_count=counted.count,
    )
    return response


def ledger_xlsx(*, actor: Actor, entries: QuerySet[PointsEntry], now: dt.datetime) -> FileResponse:
    kinds = dict(EntryKind.choices)
    rows = (
        (_local(at), number, name, str(kinds.get(kind, kind)), amount, balance, occurred_on, actor_name, reason)
        for at, number, name, kind, amount, balance, occurred_on, actor_name, reason in entries.values_list(
            "at",
            "volunteer__number",
            "volunteer__person__name",
            "kind",
            "amount",
            "balance_after",
            "occurred_on",
            "actor_name",
            "reason",
        ).iterator(chunk_size=CHUNK)
    )
    columns = [
        Column(_("记账时间"), 17),
        Column(_("志愿者编号"), 13, text=True),
        Column(_("姓名"), 10),
        Column(_("类型"), 10),
        Column(_("积分"), 8),
        Column(_("余额"), 8),
        Column(_("归属日期"), 11),
        Column(_("经办人"), 12),
        Column(_("说明"), 30),
    ]
    return _respond(actor=actor, now=now, what="pointsentry", title=_("积分流水"), columns=columns, rows=rows)


def hours_xlsx(*, actor: Actor, records: QuerySet[ServiceRecord], now: dt.datetime) -> FileResponse:
    kinds = dict(RecordKind.choices)
    rows = (
        (
            service_on,
            number,
            name,
            title,
            content,
            str(kinds.get(kind, kind)),
            minutes,
            (Decimal(minutes) / 60).quantize(Decimal("0.01")),
            reason,
            recorder,
            _local(at),
        )
        for service_on, number, name, title, content, kind, minutes, reason, recorder, at in records.values_list(
            "service_on",
            "volunteer__number",
            "volunteer__person__name",
            "activity__title",
            "content",
            "kind",
            "minutes",
            "reason",
            "recorded_by_name",
            "at",
        ).iterator(chunk_size=CHUNK)
    )
    columns = [
        Column(_("服务日期"), 11),
        Column(_("志愿者编号"), 13, text=True),
        Column(_("姓名"), 10),
        Column(_("活动"), 20),
        Column(_("服务内容"), 12),
        Column(_("类型"), 8),
        Column(_("时长（分钟）"), 10),
        Column(_("时长（小时）"), 10),
        Column(_("更正原因"), 20),
        Column(_("记录人"), 12),
        Column(_("记录时间"), 17),
    ]
    return _respond(actor=actor, now=now, what="servicerecord", title=_("服务时长"), columns=columns, rows=rows)


def orders_xlsx(*, actor: Actor, orders: QuerySet[Order], now: dt.datetime) -> FileResponse:
    statuses = dict(OrderStatus.choices)
    fields = (
        "created_at",
        "pickup_code",
        "volunteer__number",
        "volunteer__person__name",
        "item__name",
        "quantity",
        "points",
        "status",
        "picked_up_at",
        "cancelled_at",
        "cancel_reason",
    )

    def row(values: Sequence[Any]) -> list[Any]:
        cells = list(values)
        cells[0], cells[8], cells[9] = _local(cells[0]), _local(cells[8]), _local(cells[9])
        cells[7] = str(statuses.get(cells[7], cells[7]))
        return cells

    rows = (row(values) for values in orders.values_list(*fields).iterator(chunk_size=CHUNK))
    columns = [
        Column(_("下单时间"), 17),
        Column(_("领取码"), 11, text=True),
        Column(_("志愿者编号"), 13, text=True),
        Column(_("姓名"), 10),
        Column(_("商品"), 16),
        Column(_("数量"), 6),
        Column(_("积分"), 8),
        Column(_("状态"), 8),
        Column(_("领取时间"), 17),
        Column(_("取消时间"), 17),
        Column(_("取消原因"), 20),
    ]
    return _respond(actor=actor, now=now, what="order", title=_("兑换订单"), columns=columns, rows=rows)
