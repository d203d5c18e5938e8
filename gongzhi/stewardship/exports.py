"""A compound's month of ledger as Excel, the sheet staff keep today, with an access-log row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.audit import access_record
from gongzhi.core.xlsx import Column, xlsx_response
from gongzhi.stewardship.permissions import visible_entries
from gongzhi.territory.models import Node

COLUMNS = [
    Column(_("日期"), 11),
    Column(_("记录方"), 12),
    Column(_("类别"), 8),
    Column(_("内容"), 50),
    Column(_("照片"), 6),
    Column(_("记录人"), 10),
    Column(_("点评"), 40),
]


def ledger_export(*, actor: Actor, compound: Node, first: dt.date, last: dt.date) -> FileResponse:
    entries = list(
        visible_entries(actor)
        .filter(compound=compound, day__gte=first, day__lte=last)
        .prefetch_related("photos", "comments")
        .order_by("day", "id")
    )
    access_record(
        actor=actor,
        action="export",
        subject_type="stewardship.ledger",
        subject_id=f"{compound.pk}:{first:%Y-%m}",
        subject_label=f"{compound.name} {first:%Y-%m}",
        reason=_("工作台账月报"),
        row_count=len(entries),
    )

    def rows() -> Iterator[Sequence[Any]]:
        for e in entries:
            comments = "；".join(f"{c.author_name}：{c.text}" for c in e.comments.all())
            yield (
                e.day,
                e.get_side_display(),
                e.get_kind_display(),
                e.text,
                len(e.photos.all()),
                e.author_name,
                comments,
            )

    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return xlsx_response(
        filename=f"{compound.name}-工作台账-{first:%Y-%m}.xlsx",
        title=_("工作台账"),
        columns=COLUMNS,
        rows=rows(),
        notice=_("%(c)s %(m)s 工作台账；%(who)s 于 %(at)s 导出。")
        % {"c": compound.name, "m": f"{first:%Y-%m}", "who": actor.username, "at": stamp},
    )
