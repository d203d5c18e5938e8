"""The headline sections of volunteering, party, publicity, consultation and stewardship: tiles from the
stored figures (headline's helpers), and for stewardship a small table of the month's ranking and the
committees whose term ends soon, read from stewardship's selectors (tens of rows).

board.SECTIONS lists these after headline's own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.numbers import ratio_text
from gongzhi.dashboards import headline
from gongzhi.dashboards.figures import DEFINITIONS
from gongzhi.dashboards.headline import Period, Section, Tile
from gongzhi.dashboards.selectors import Focus
from gongzhi.stewardship import selectors as stewardship
from gongzhi.stewardship import standings
from gongzhi.stewardship.choices import SubjectKind
from gongzhi.stewardship.permissions import visible_evaluations
from gongzhi.territory.choices import NodeKind

RANKED = 3  # the top and the bottom few of each kind


@dataclass
class Line:
    """One row of a section's table: a heading it falls under, what it is, its figure, a remark, a link."""

    group: str
    label: str
    value: str
    note: str = ""
    link: str = ""
    tone: str = ""  # "good" (红榜), "bad" (黑榜, overdue)


def hours_text(minutes: int) -> str:
    """Minutes in hours to one decimal, rounded half up exactly: 90 → "1.5", 1,000,000 → "16,666.7"."""
    text = ratio_text(abs(minutes), 60, scale=1, places=1)
    whole, part = text.split(".")
    return ("-" if minutes < 0 else "") + f"{int(whole):,}.{part}"


def hours_change(minutes: int) -> str:
    return ("+" if minutes > 0 else "") + hours_text(minutes)


def hours_tile(actor: Actor, focus: Focus, period: Period, key: str, label: str, link: str) -> Tile:
    now = headline.flow_sums(actor, focus, period, period.first, period.today)[key]
    before = headline.flow_sums(actor, focus, period, period.before_first, period.before_until)[key]
    return headline.Tile(
        key=key,
        label=label,
        value=hours_text(now),
        help=str(DEFINITIONS[key].help) + _("以小时计，保留一位小数") + period.flow_note,
        change=hours_change(now - before),
        link=link,
    )


def volunteering_section(actor: Actor, focus: Focus, period: Period) -> Section:
    hours = reverse("volunteering:hours")
    ledger = reverse("volunteering:ledger")
    tiles = [hours_tile(actor, focus, period, "volunteer_minutes", _("志愿服务时长（小时）"), hours)]
    tiles += headline.flow_tiles(
        actor, focus, period, ["points_earned", "points_redeemed"], {"points_earned": ledger, "points_redeemed": ledger}
    )
    tiles += headline.stock_tiles(
        actor, focus, period, ["volunteers"], {"volunteers": reverse("volunteering:volunteer-list")}
    )
    return headline.Section("volunteering", _("志愿服务"), tiles)


def party_section(actor: Actor, focus: Focus, period: Period) -> Section:
    tree = reverse("party:tree")
    tiles = headline.stock_tiles(
        actor,
        focus,
        period,
        ["party_organisations", "party_members"],
        {"party_organisations": tree, "party_members": tree},
    )
    tiles.append(
        hours_tile(actor, focus, period, "party_service_minutes", _("党员服务时长（小时）"), reverse("party:home"))
    )
    return headline.Section("party", _("党建引领"), tiles)


def publicity_section(actor: Actor, focus: Focus, period: Period) -> Section:
    now = headline.flow_sums(actor, focus, period, period.first, period.today)
    before = headline.flow_sums(actor, focus, period, period.before_first, period.before_until)
    manage = reverse("publicity:manage")
    tiles = [
        headline.ratio_tile(
            "notice_read_rate",
            _("通知触达率"),
            _("本月发布的通知：居民已读或已当面告知的人数 ÷ 接收人数；与上月同期比。"),
            now,
            before,
            manage,
        )
    ]
    tiles += headline.flow_tiles(
        actor,
        focus,
        period,
        ["notices", "publicity_activities"],
        {"notices": manage, "publicity_activities": reverse("publicity:activity-list")},
    )
    return headline.Section("publicity", _("宣传通知"), tiles)


def consultation_section(actor: Actor, focus: Focus, period: Period) -> Section:
    suggestions, topics = reverse("consultation:suggestion-list"), reverse("consultation:topic-list")
    tiles = headline.flow_tiles(
        actor, focus, period, ["suggestions", "topics"], {"suggestions": suggestions, "topics": topics}
    )
    stocks = headline.stock_tiles(
        actor,
        focus,
        period,
        ["follow_ups_open", "follow_ups_overdue"],
        {"follow_ups_open": topics, "follow_ups_overdue": topics},
    )
    for tile in stocks:
        if tile.key == "follow_ups_overdue" and tile.value != "0":
            tile.tone = "bad"
    return headline.Section("consultation", _("民主协商"), tiles + stocks)


def focus_path(focus: Focus) -> str:
    """The path the focus lies under for rows kept per compound: a grid's compound (or community)."""
    if focus.grid is not None:
        return (focus.grid.compound or focus.grid.community).path
    return focus.node.path if focus.node is not None else ""


def ranking_lines(actor: Actor, focus: Focus, today: dt.date) -> list[Line]:
    """The ranking of the latest month published up to ``today``'s month, within the focus: the top and bottom
    few of each kind, with their places over the whole subdistrict and the red and black lists."""
    month = stewardship.latest_published_month(on=today)
    if month is None:
        return []
    visible = visible_evaluations(actor).filter(compound__path__startswith=focus_path(focus))
    results = standings.month_results(month, visible)
    lines = []
    for kind in SubjectKind:
        group = [r for r in results if r.evaluation.subject_kind == kind]
        shown = group if len(group) <= 2 * RANKED else group[:RANKED] + group[-RANKED:]
        for r in shown:
            note = _("第%(n)d名") % {"n": r.place}
            tone = ""
            if r.black:
                note, tone = note + " · " + _("黑榜") + (f"（{r.black_reason}）" if r.black_reason else ""), "bad"
            elif r.red:
                note, tone = note + " · " + _("红榜"), "good"
            lines.append(
                Line(
                    group=_("%(m)s %(kind)s排名") % {"m": f"{month.month:%Y-%m}", "kind": kind.label},
                    label=r.evaluation.subject_name,
                    value=f"{standings.points_text(r.total)} {r.grade}",
                    note=note,
                    link=reverse("stewardship:evaluation", args=[r.evaluation.pk]),
                    tone=tone,
                )
            )
    return lines


def ending_lines(actor: Actor, focus: Focus, period: Period) -> list[Line]:
    return [
        Line(
            group=_("业委会任期将满"),
            label=f"{t.compound} {t.committee}",
            value=_("第%(n)d届 %(d)s 届满") % {"n": t.number, "d": t.ends_on.isoformat()},
            note=_("还有 %(n)d 天") % {"n": (t.ends_on - period.today).days},
            link=reverse("stewardship:compound-detail", args=[t.compound_id]),
        )
        for t in stewardship.committees_ending(actor=actor, under=focus_path(focus), today=period.today)
    ]


def stewardship_section(actor: Actor, focus: Focus, period: Period) -> Section:
    tiles = headline.stock_tiles(
        actor, focus, period, ["committees_ending"], {"committees_ending": reverse("stewardship:compound-list")}
    )
    if focus.node is not None and focus.node.kind == NodeKind.COMPOUND:
        now, _before = headline.stock_values(actor, focus, period, ["manager_grade"])
        tiles.append(
            headline.Tile(
                key="manager_grade",
                label=str(DEFINITIONS["manager_grade"].label),
                value=stewardship.grade_label(now["manager_grade"]),
                help=_("本小区物业或托管方在最近一次公示的月度评比中的等级。"),
                link=reverse("stewardship:lists"),
            )
        )
    rows = ranking_lines(actor, focus, period.today) + ending_lines(actor, focus, period)
    return headline.Section("stewardship", _("物业治理"), tiles, rows)


SECTIONS = [volunteering_section, party_section, publicity_section, consultation_section, stewardship_section]
