"""Campaign files as Excel, masked, each with an access-log row like the registry's exports: the missing
list of one grid, and the answers of every visited household and checked person in scope."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.campaigns import results, selectors
from gongzhi.campaigns.models import Campaign
from gongzhi.core.actors import Actor
from gongzhi.core.audit import access_record
from gongzhi.core.xlsx import Column, xlsx_response
from gongzhi.territory.models import Grid

COLUMNS = [
    Column(_("类别"), 6),
    Column(_("住址"), 28),
    Column(_("姓名"), 10),
    Column(_("状态"), 16),
    Column(_("走访次数"), 8),
]


def missing_export(*, actor: Actor, campaign: Campaign, grid: Grid) -> FileResponse:
    households = selectors.household_lines(
        selectors.household_rows(actor=actor, campaign=campaign, grid_id=grid.pk, state="missing")
    )
    people = selectors.people_lines(selectors.missing_people(actor=actor, campaign=campaign, grid_id=grid.pk))
    access_record(
        actor=actor,
        action="export",
        subject_type="campaigns.missing",
        subject_id=f"{campaign.pk}:{grid.pk}",
        subject_label=f"{campaign.title} · {grid.name}",
        fields="masked",
        reason=_("走访未完成名单"),
        row_count=len(households) + len(people),
    )

    def rows() -> Iterator[Sequence[Any]]:
        for h in households:
            yield (_("户"), h.address, h.head, h.state_label, h.visit_count)
        for p in people:
            yield (_("人"), p.address, p.name, p.state_label, "")

    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return xlsx_response(
        filename=f"{campaign.title}-{grid.name}-未完成名单.xlsx",
        title=_("未完成名单"),
        columns=COLUMNS,
        rows=rows(),
        notice=_("%(who)s 于 %(at)s 导出；仅用于本次走访，不得公开或挪作他用。") % {"who": actor.username, "at": stamp},
    )


def answer_export(*, actor: Actor, campaign: Campaign) -> FileResponse:
    questions, rows = results.answer_export_rows(actor=actor, campaign=campaign)
    lines = list(rows)
    access_record(
        actor=actor,
        action="export",
        subject_type="campaigns.answers",
        subject_id=str(campaign.pk),
        subject_label=campaign.title,
        fields="masked,health" if any(q.is_health for q in questions) else "masked",
        reason=_("走访回答汇总"),
        row_count=len(lines),
    )
    columns = [Column(_("类别"), 6), Column(_("住址"), 28), Column(_("姓名"), 10), Column(_("状态"), 12)]
    columns += [Column(f"{q.get_target_display()}·{q.label}", 14) for q in questions]

    def cells() -> Iterator[Sequence[Any]]:
        for line in lines:
            yield (line.kind, line.address, line.name, line.state, *(line.answers.get(q.pk, "") for q in questions))

    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return xlsx_response(
        filename=f"{campaign.title}-走访回答.xlsx",
        title=_("走访回答"),
        columns=columns,
        rows=cells(),
        notice=_("%(who)s 于 %(at)s 导出；含个人信息，仅用于本次走访及随访，不得公开或挪作他用。")
        % {"who": actor.username, "at": stamp},
    )


def follow_up_viewed(*, actor: Actor, campaign: Campaign, count: int) -> None:
    """The follow-up list names households by a health or other flagged answer: its viewing is logged."""
    access_record(
        actor=actor,
        action="view",
        subject_type="campaigns.follow_up",
        subject_id=str(campaign.pk),
        subject_label=campaign.title,
        fields="masked",
        reason=_("查看需随访名单"),
        row_count=count,
    )
