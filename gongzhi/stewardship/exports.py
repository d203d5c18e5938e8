"""Excel sheets staff keep today: a compound's month of ledger, and a month's evaluation ranking; each
export writes an access-log row."""

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
from gongzhi.stewardship.choices import RaterKind
from gongzhi.stewardship.models import EvaluationMonth
from gongzhi.stewardship.permissions import visible_entries
from gongzhi.stewardship.standings import Result, points_text
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


RANKING_COLUMNS = [
    Column(_("排名"), 6),
    Column(_("社区内排名"), 10),
    Column(_("评比对象"), 28),
    Column(_("类型"), 12),
    Column(_("小区"), 16),
    Column(_("社区"), 14),
    Column(_("得分"), 8),
    Column(_("等级"), 6),
    Column(_("社区评分"), 9),
    Column(_("街道评分"), 9),
    Column(_("业委会评分"), 10),
    Column(_("居民满意度"), 10),
    Column(_("台账完整率"), 10),
    Column(_("红黑榜"), 20),
]


def ranking_export(*, actor: Actor, month: EvaluationMonth, results: Sequence[Result]) -> FileResponse:
    """The month's ranking (standings.month_results, already narrowed to what the actor sees) as Excel."""
    label = f"{month.month:%Y-%m}"
    access_record(
        actor=actor,
        action="export",
        subject_type="stewardship.ranking",
        subject_id=label,
        subject_label=label,
        reason=_("月度评比排名"),
        row_count=len(results),
    )

    def part(r: Result, kind: str) -> str:
        value = r.parts.get(kind)
        return points_text(value) if value is not None else "—"

    def rows() -> Iterator[Sequence[Any]]:
        for r in results:
            e = r.evaluation
            mark = _("红榜") if r.red else (_("黑榜：%(r)s") % {"r": r.black_reason} if r.black else "")
            yield (
                r.place,
                r.community_place,
                e.subject_name,
                e.get_subject_kind_display(),
                e.compound.name,
                e.community.name,
                points_text(r.total),
                r.grade,
                part(r, RaterKind.COMMUNITY),
                part(r, RaterKind.SUBDISTRICT),
                part(r, RaterKind.COMMITTEE),
                part(r, RaterKind.RESIDENTS),
                f"{r.ledger_permille / 10:.1f}%",
                mark,
            )

    state = month.get_status_display()
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return xlsx_response(
        filename=f"月度评比-{label}.xlsx",
        title=_("月度评比"),
        columns=RANKING_COLUMNS,
        rows=rows(),
        notice=_("%(m)s 月度评比（%(s)s）；%(who)s 于 %(at)s 导出。")
        % {"m": label, "s": state, "who": actor.username, "at": stamp},
    )
