"""The cockpit's headline figures: tiles grouped in sections, each with its value, the change against the
same days of the month before (flows) or the end of last month (stocks), its definition and the module page
behind it. A section is a function of (actor, focus, today); modules' sections are listed in SECTIONS."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.numbers import ratio_text
from gongzhi.dashboards import selectors
from gongzhi.dashboards.figures import DEFINITIONS, FLOW, RATIOS, STOCK
from gongzhi.dashboards.selectors import Focus


@dataclass
class Tile:
    key: str
    label: str
    value: str
    help: str
    change: str = ""  # "+12" / "-3" / "+1.5 个百分点"; empty when there is nothing to compare with
    link: str = ""
    tone: str = ""  # "bad" marks a figure that needs attention (overdue cases)


@dataclass
class Section:
    key: str
    title: str
    tiles: list[Tile] = field(default_factory=list)
    rows: list[Any] = field(default_factory=list)  # a small table beside the tiles (sections.Line)


@dataclass
class Period:
    """This month up to today, and the same days of the month before. It also keeps the sums read for one
    headline, so that all sections together read each period once (a handful of queries per page)."""

    today: dt.date
    first: dt.date
    before_first: dt.date
    before_until: dt.date
    before_end: dt.date  # last day of the month before: the stocks' comparison
    read: dict[tuple[object, ...], dict[str, int] | None] = field(default_factory=dict, compare=False, repr=False)

    @property
    def flow_note(self) -> str:
        """How a flow tile's period reads: a month to date, or (a report's) whole month."""
        if self.today == selectors.month_last(self.first):
            return _("（全月，与上月比）")
        return _("（本月 1 日至今，与上月同期比）")

    @classmethod
    def of(cls, today: dt.date) -> Period:
        first = selectors.month_first(today)
        before_first = selectors.month_first(today, 1)
        before_end = first - dt.timedelta(days=1)
        before_until = min(
            before_first.replace(day=today.day) if today.day <= before_end.day else before_end, before_end
        )
        return cls(today, first, before_first, before_until, before_end)


def signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def point_change(now: tuple[int, int], before: tuple[int, int]) -> str:
    """The change of a percentage in points, exact: (a/b − c/d) × 100 rounded half up to one decimal."""
    (a, b), (c, d) = now, before
    if not b or not d:
        return ""
    numerator, denominator = a * d - c * b, b * d
    text = ratio_text(abs(numerator), denominator)
    if text in {"0.0"}:
        return _("持平")
    return ("+" if numerator > 0 else "-") + text + _(" 个百分点")


FLOW_KEYS = [k for k, d in DEFINITIONS.items() if d.kind == FLOW]
STOCK_KEYS = [k for k, d in DEFINITIONS.items() if d.kind == STOCK]


DAILY_KEYS = [k for k in FLOW_KEYS if not DEFINITIONS[k].ahead]


READ = ("read",)  # Period.read's mark that _read_period ran


def _whole_month(since: dt.date, until: dt.date) -> bool:
    return since.day == 1 and until == selectors.month_last(since)


def _read_period(actor: Actor, focus: Focus, period: Period) -> None:
    """What the sections ask of a period, read up front in three queries: the stocks' snapshot days, this
    month and the month before to date with both snapshots (one query of daily rows), and both whole months
    (cockpit_months, which the charts share) — instead of one or two queries for each."""
    period.read[READ] = None
    flows = [(period.first, period.today), (period.before_first, period.before_until)]
    months = [(period.first, selectors.month_last(period.first)), (period.before_first, period.before_end)]
    days = selectors.stock_days(focus=focus, on=period.today)
    latest = max((d for d, _before in days.values() if d is not None), default=None)
    # A snapshot of the month before's last day was kept if any stock's last one up to then is that day.
    kept = any(before == period.before_end for _d, before in days.values())
    slots: list[selectors.Slot] = []
    daily: list[tuple[object, ...]] = []
    for since, until in flows:
        if _whole_month(since, until):
            months.append((since, until))
        else:
            slots.append((DAILY_KEYS, since, until))
            daily.append(("flow", since, until))
    if latest is not None:
        slots.append((STOCK_KEYS, latest, latest))
        daily.append(("stock", period.today, True))
    else:
        period.read["stock", period.today, True] = None
    if kept:
        slots.append((STOCK_KEYS, period.before_end, period.before_end))
        daily.append(("stock", period.before_end, False))
    else:
        period.read["stock", period.before_end, False] = None
    for key, found in zip(daily, selectors.slot_totals(actor=actor, focus=focus, slots=slots), strict=True):
        period.read[key] = found
    monthly = selectors.cockpit_months(actor=actor, focus=focus, on=period.today)
    for since, until in months:
        period.read["flow", since, until] = {k: monthly.get((since, k), 0) for k in FLOW_KEYS}


def flow_sums(actor: Actor, focus: Focus, period: Period, since: dt.date, until: dt.date) -> dict[str, int]:
    """Every flow figure summed from ``since`` to ``until``: one query, kept for the rest of the headline.
    A whole calendar month is read from the monthly sums (a few rows per place); a part of a month from the
    daily rows, without the figures dated ahead by a deadline (those are summed over whole months only)."""
    if READ not in period.read:
        _read_period(actor, focus, period)
    key = ("flow", since, until)
    if key not in period.read:
        if _whole_month(since, until):
            found = selectors.month_totals(actor=actor, focus=focus, keys=FLOW_KEYS, month=since)
        else:
            found = selectors.flow_totals(actor=actor, focus=focus, keys=DAILY_KEYS, since=since, until=until)
        period.read[key] = found
    return period.read[key] or {}


def stock_sums(actor: Actor, focus: Focus, period: Period, on: dt.date, *, latest: bool) -> dict[str, int] | None:
    """Every stock figure at the end of ``on`` (``latest``: at the last snapshot up to ``on``); None when no
    snapshot of that day was kept."""
    if READ not in period.read:
        _read_period(actor, focus, period)
    key = ("stock", on, latest)
    if key not in period.read:
        day = selectors.stock_day(keys=STOCK_KEYS, on=on, focus=focus) if latest else on
        period.read[key] = (
            selectors.stock_totals(actor=actor, focus=focus, keys=STOCK_KEYS, day=day) if day is not None else None
        )
    return period.read[key]


def flow_tiles(actor: Actor, focus: Focus, period: Period, keys: list[str], links: dict[str, str]) -> list[Tile]:
    now = flow_sums(actor, focus, period, period.first, period.today)
    before = flow_sums(actor, focus, period, period.before_first, period.before_until)
    return [
        Tile(
            key=k,
            label=str(DEFINITIONS[k].label),
            value=f"{now[k]:,}",
            help=str(DEFINITIONS[k].help) + period.flow_note,
            change=signed(now[k] - before[k]),
            link=links.get(k, ""),
        )
        for k in keys
    ]


def stock_values(
    actor: Actor, focus: Focus, period: Period, keys: list[str]
) -> tuple[dict[str, int], dict[str, int] | None]:
    now = stock_sums(actor, focus, period, period.today, latest=True) or dict.fromkeys(STOCK_KEYS, 0)
    before = stock_sums(actor, focus, period, period.before_end, latest=False)
    return {k: now.get(k, 0) for k in keys}, ({k: before.get(k, 0) for k in keys} if before is not None else None)


def has_stocks(actor: Actor, focus: Focus, period: Period) -> bool:
    """Whether a snapshot of the stocks was kept up to the period's end (a report of a month before the
    cockpit was installed has none: its stocks show "—", not 0)."""
    return stock_sums(actor, focus, period, period.today, latest=True) is not None


def stock_tiles(actor: Actor, focus: Focus, period: Period, keys: list[str], links: dict[str, str]) -> list[Tile]:
    now, before = stock_values(actor, focus, period, keys)
    kept = has_stocks(actor, focus, period)
    return [
        Tile(
            key=k,
            label=str(DEFINITIONS[k].label),
            value=f"{now[k]:,}" if kept else "—",
            help=str(DEFINITIONS[k].help) + _("（与上月末比）"),
            change=signed(now[k] - before[k]) if before is not None else "",
            link=links.get(k, ""),
        )
        for k in keys
    ]


def ratio_tile(
    name: str, label: str, help_text: str, now: dict[str, int], before: dict[str, int] | None, link: str = ""
) -> Tile:
    numerator, denominator, scale = RATIOS[name]
    a, b = now.get(numerator, 0), now.get(denominator, 0)
    value = ratio_text(a, b, scale=scale, places=1 if scale == 100 else 2, suffix="%" if scale == 100 else "")
    change = ""
    if before is not None and scale == 100:
        change = point_change((a, b), (before.get(numerator, 0), before.get(denominator, 0)))
    return Tile(key=name, label=label, value=value, help=help_text, change=change, link=link)


def registry_section(actor: Actor, focus: Focus, period: Period) -> Section:
    people = reverse("registry:person-list")
    links = {"households": people, "people": people}
    return Section("registry", _("人口登记"), stock_tiles(actor, focus, period, ["households", "people"], links))


def cases_section(actor: Actor, focus: Focus, period: Period) -> Section:
    measures = reverse("cases:measures")
    tiles = flow_tiles(actor, focus, period, ["cases_reported"], {"cases_reported": measures})
    # The measures of a month are over the cases due in the whole month, as 案件考核 counts them.
    month_end = selectors.month_last(period.first)
    now = flow_sums(actor, focus, period, period.first, month_end)
    before = flow_sums(actor, focus, period, period.before_first, period.before_end)
    tiles.append(
        ratio_tile(
            "on_time_rate",
            _("按期结案率"),
            _("本月应结案（处置时限在本月）中按期处置并已结案的比例；与上月比。"),
            now,
            before,
            measures,
        )
    )
    tiles.append(
        ratio_tile("rework_rate", _("返工率"), _("本月应结案中至少返工一次的比例；与上月比。"), now, before, measures)
    )
    tiles.append(
        ratio_tile(
            "satisfaction_rate",
            _("满意率"),
            _("本月应结案且已评价的案件中评 4 或 5 分的比例；与上月比。"),
            now,
            before,
            measures,
        )
    )
    stocks = stock_tiles(actor, focus, period, ["cases_open", "cases_overdue"], {})
    for tile in stocks:
        if tile.key == "cases_overdue" and tile.value != "0":
            tile.tone = "bad"
    return Section("cases", _("案件办理"), tiles + stocks)


def campaigns_section(actor: Actor, focus: Focus, period: Period) -> Section:
    keys = ["campaign_households", "campaign_households_reached", "campaign_people", "campaign_people_checked"]
    now, before = stock_values(actor, focus, period, keys)
    link = reverse("campaigns:campaign-list")
    return Section(
        "campaigns",
        _("入户排查"),
        [
            ratio_tile(
                "household_coverage",
                _("户覆盖率"),
                _("进行中的入户活动：已走访户数 ÷ 应走访户数（含未划网格的户）。"),
                now,
                before,
                link,
            ),
            ratio_tile(
                "person_coverage",
                _("人覆盖率"),
                _("进行中的入户活动：已核查人数 ÷ 应核查人数。"),
                now,
                before,
                link,
            ),
            Tile(
                "campaign_households",
                str(DEFINITIONS["campaign_households"].label),
                f"{now['campaign_households']:,}" if has_stocks(actor, focus, period) else "—",
                str(DEFINITIONS["campaign_households"].help),
                link=link,
            ),
        ],
    )
