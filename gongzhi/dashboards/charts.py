"""The cockpit's charts: each a dict the page passes to ECharts (json_script, or the big screen's JSON),
with its title, the definition line shown under it and, when there is nothing to draw, an empty state.
Every value is an integer or a ratio rounded half up (ratio_text); the text is what the tooltip shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.campaigns import selectors as campaigns
from gongzhi.campaigns.choices import CampaignStatus
from gongzhi.campaigns.models import Campaign
from gongzhi.core.actors import Actor
from gongzhi.core.numbers import ratio_text
from gongzhi.dashboards import selectors
from gongzhi.dashboards.selectors import Focus
from gongzhi.stewardship import standings
from gongzhi.stewardship.choices import MonthStatus, SubjectKind
from gongzhi.stewardship.permissions import visible_evaluations


def _chart(
    key: str, title: str, help_text: str, x: list[str], series: list[dict[str, Any]], kind: str = "line"
) -> dict[str, Any]:
    """A count chart with only zeros is empty (nothing happened, or nobody stores it yet); a ratio's 0.0% is
    a value, its missing points (no denominator) are None."""
    ratio = any(s.get("unit") == "%" for s in series)
    empty = not x or all(v is None or (v == 0 and not ratio) for s in series for v in s["data"])
    return {
        "key": key,
        "title": title,
        "help": help_text,
        "kind": kind,
        "x": x,
        "series": series,
        "empty": empty,
        "empty_text": _("暂无数据"),
    }


def _percent(n: int, d: int) -> tuple[float | None, str]:
    text = ratio_text(n, d)
    return (None, "—") if text == "—" else (float(text), text + "%")


def cases_daily(actor: Actor, focus: Focus, today: dt.date) -> dict[str, Any]:
    days = selectors.by_day(
        actor=actor, focus=focus, keys=["cases_reported"], since=selectors.month_first(today), until=today
    )
    values = [v["cases_reported"] for v in days.values()]
    return _chart(
        "cases_daily",
        _("本月每日上报案件"),
        _("本月 1 日至今每天上报的案件数（不予立案、合并的除外），按上报日期计。"),
        [f"{d:%m-%d}" for d in days],
        [{"name": _("上报案件"), "data": values, "text": [f"{v:,}" for v in values]}],
        kind="bar",
    )


def _twelve_months(actor: Actor, focus: Focus, today: dt.date) -> list[tuple[dt.date, dict[str, int]]]:
    """The twelve months up to today's of selectors.TWELVE_MONTH_KEYS, oldest first, every month present:
    from cockpit_months, which the headline reads too."""
    found = selectors.cockpit_months(actor=actor, focus=focus, on=today)
    months = [selectors.month_first(today, back) for back in range(11, -1, -1)]
    return [(m, {k: found.get((m, k), 0) for k in selectors.TWELVE_MONTH_KEYS}) for m in months]


def on_time_monthly(
    actor: Actor, focus: Focus, today: dt.date, months: list[tuple[dt.date, dict[str, int]]] | None = None
) -> dict[str, Any]:
    """``months``: _twelve_months(), when the page reads them once for both twelve-month charts."""
    months = months if months is not None else _twelve_months(actor, focus, today)
    pairs = [_percent(*selectors.ratio(v, "on_time_rate")) for _m, v in months]
    return _chart(
        "on_time",
        _("按期结案率（近 12 个月）"),
        _("每月应结案（处置时限在该月）中按期处置并已结案的比例，四舍五入到 0.1%；没有应结案的月份不画点。"),
        [f"{m:%Y-%m}" for m, _v in months],
        [{"name": _("按期结案率"), "data": [p[0] for p in pairs], "text": [p[1] for p in pairs], "unit": "%"}],
    )


def open_campaigns(actor: Actor) -> list[tuple[int, str]]:
    return [(c.pk, c.title) for c in _open_campaigns(actor)]


def _open_campaigns(actor: Actor) -> list[Campaign]:
    return list(campaigns.campaign_list(actor=actor).filter(status=CampaignStatus.OPEN))


def campaign_coverage(actor: Actor, campaign_id: int | None) -> dict[str, Any]:
    """Household coverage per day of one open campaign (the one chosen, else the latest), over every grid
    the actor sees in it: the campaign's own daily tallies, which do not follow the focus."""
    open_rows = _open_campaigns(actor)
    choices = [(c.pk, c.title) for c in open_rows]
    chosen = next((c for c in choices if c[0] == campaign_id), choices[0] if choices else None)
    help_text = _(
        "所选进行中入户活动每天结束时的累计户覆盖率：已走访户数 ÷ 应走访户数，四舍五入到 0.1%；"
        "范围为您可见的该活动全部网格，不随下钻变化。"
    )
    if chosen is None:
        chart = _chart("coverage", _("入户活动户覆盖率"), help_text, [], [])
        chart["empty_text"] = _("没有进行中的入户活动")
    else:
        # The row campaign_list read is campaign_get's (the same scope): not read again.
        campaign = next(c for c in open_rows if c.pk == chosen[0])
        total = campaigns.campaign_coverage(actor=actor, campaign=campaign).households_total
        rows = campaigns.daily_progress(actor=actor, campaign=campaign)
        pairs = [_percent(r["h_total"], total) for r in rows]
        chart = _chart(
            "coverage",
            _("入户活动户覆盖率 · %(title)s") % {"title": chosen[1]},
            help_text,
            [r["day"][5:] for r in rows],
            [{"name": _("户覆盖率"), "data": [p[0] for p in pairs], "text": [p[1] for p in pairs], "unit": "%"}],
        )
    chart["campaigns"] = [{"id": pk, "title": title} for pk, title in choices]
    chart["campaign_id"] = chosen[0] if chosen else None
    return chart


MANAGER_KINDS = (SubjectKind.PROPERTY_COMPANY, SubjectKind.THIRD_PARTY)


def ranking_trend(actor: Actor, focus: Focus) -> dict[str, Any]:
    """The compound's manager's published monthly scores (stewardship's trend); only at a compound focus."""
    help_text = _("小区管理方（物业或托管）各月已公示的月度评价总分（满分 100），取最近 12 个月。")
    title = _("小区管理评价趋势")
    if focus.node is None or focus.node.kind != "compound":
        chart = _chart("ranking", title, help_text, [], [])
        chart["empty_text"] = _("选择一个小区后显示")
        return chart
    visible = visible_evaluations(actor)
    latest = (
        visible.filter(compound_id=focus.node.pk, subject_kind__in=MANAGER_KINDS, month__status=MonthStatus.PUBLISHED)
        .order_by("-month__month")
        .first()
    )
    results = standings.trend(latest, visible) if latest is not None else []
    chart = _chart(
        "ranking",
        title,
        help_text,
        [f"{r.evaluation.month.month:%Y-%m}" for r in results],
        [
            {
                "name": _("总分"),
                "data": [r.total / 10 for r in results],
                "text": [f"{standings.points_text(r.total)}（{r.grade}）" for r in results],
            }
        ],
    )
    if not results:
        chart["empty_text"] = _("该小区暂无已公示的评价")
    return chart


def volunteer_hours(
    actor: Actor, focus: Focus, today: dt.date, months: list[tuple[dt.date, dict[str, int]]] | None = None
) -> dict[str, Any]:
    months = months if months is not None else _twelve_months(actor, focus, today)
    minutes = [v["volunteer_minutes"] for _m, v in months]
    return _chart(
        "volunteer",
        _("志愿服务时长（近 12 个月）"),
        _("每月认证的志愿服务时长（小时，分钟数 ÷ 60，四舍五入到 0.1），按服务日期计，含更正。"),
        [f"{m:%Y-%m}" for m, _v in months],
        [
            {
                "name": _("服务时长"),
                "data": [float(ratio_text(m, 60, scale=1)) for m in minutes],
                "text": [ratio_text(m, 60, scale=1) + _(" 小时") for m in minutes],
            }
        ],
        kind="bar",
    )


def all_charts(*, actor: Actor, focus: Focus, today: dt.date, campaign_id: int | None = None) -> list[dict[str, Any]]:
    months = _twelve_months(actor, focus, today)
    return [
        cases_daily(actor, focus, today),
        on_time_monthly(actor, focus, today, months),
        campaign_coverage(actor, campaign_id),
        ranking_trend(actor, focus),
        volunteer_hours(actor, focus, today, months),
    ]
