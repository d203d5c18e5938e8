"""What the cockpit counts: every stored figure's key, name and definition (shown on hover), and the
ratios built from them. A page never counts raw rows; it sums these figures over a place and a period."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# A stock is the state at the end of a day (today: at the last refresh); a flow is what happened that day.
STOCK = "stock"
FLOW = "flow"


@dataclass(frozen=True)
class Definition:
    key: str
    label: str | Promise
    help: str | Promise
    kind: str
    unit: str | Promise = ""


def _defs(*items: Definition) -> dict[str, Definition]:
    return {d.key: d for d in items}


D = Definition
DEFINITIONS: dict[str, Definition] = _defs(
    # registry
    D(
        "households",
        _("在册户数"),
        _("登记在册（在册）的户，按户所在楼栋的网格计；未划网格的楼栋计入小区。"),
        STOCK,
        _("户"),
    ),
    D("people", _("在住人口"), _("状态为在住的人员。"), STOCK, _("人")),
    # campaigns: open campaigns only (open on that day), from their per-grid tallies
    D("campaign_households", _("排查应入户"), _("进行中的入户活动应走访的户数之和。"), STOCK, _("户")),
    D(
        "campaign_households_reached",
        _("排查已入户"),
        _("进行中的入户活动已走访（含电话、拒访登记）的户数。"),
        STOCK,
        _("户"),
    ),
    D("campaign_people", _("排查应核人数"), _("进行中的入户活动应核查的人数之和。"), STOCK, _("人")),
    D("campaign_people_checked", _("排查已核人数"), _("进行中的入户活动已核查的人数。"), STOCK, _("人")),
    D("campaign_day_households", _("当日入户"), _("当日首次走访到的户数（各活动之和）。"), FLOW, _("户")),
    D("campaign_day_people", _("当日核人"), _("当日首次核查到的人数（各活动之和）。"), FLOW, _("人")),
    # cases: by the day a case was reported (上报), or by its deadline day (应结案), as in 案件考核
    D("cases_reported", _("上报案件"), _("当日上报的案件（不予立案、合并的除外）。"), FLOW, _("件")),
    D("cases_due", _("应结案"), _("处置时限落在当日的案件（不予立案、合并的除外）。"), FLOW, _("件")),
    D("cases_due_on_time", _("按期结案"), _("应结案中按期处置并已结案的。"), FLOW, _("件")),
    D("cases_due_reworked", _("返工"), _("应结案中至少返工一次的。"), FLOW, _("件")),
    D("cases_due_rated", _("已评价"), _("应结案中居民已评价的。"), FLOW, _("件")),
    D("cases_due_rating_sum", _("评分合计"), _("应结案中居民评分（1–5）之和。"), FLOW, _("分")),
    D("cases_due_satisfied", _("满意"), _("应结案中评 4 或 5 分的。"), FLOW, _("件")),
    D("cases_open", _("在办案件"), _("未结案、未作废的案件。"), STOCK, _("件")),
    D("cases_overdue", _("超期在办"), _("在办且已过处置时限的案件。"), STOCK, _("件")),
)

# Ratios: (numerator key, denominator key, scale). Shown rounded half up, in integer arithmetic.
RATIOS: dict[str, tuple[str, str, int]] = {
    "on_time_rate": ("cases_due_on_time", "cases_due", 100),
    "rework_rate": ("cases_due_reworked", "cases_due", 100),
    "satisfaction_rate": ("cases_due_satisfied", "cases_due_rated", 100),
    "mean_rating": ("cases_due_rating_sum", "cases_due_rated", 1),
    "household_coverage": ("campaign_households_reached", "campaign_households", 100),
    "person_coverage": ("campaign_people_checked", "campaign_people", 100),
}
