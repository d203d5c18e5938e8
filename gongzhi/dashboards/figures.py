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
    # volunteering (place: the volunteer's household; what has no place counts at the subdistrict)
    D("volunteers", _("注册志愿者"), _("状态为在册的注册志愿者。"), STOCK, _("人")),
    D("volunteer_minutes", _("志愿服务时长"), _("当日认证的志愿服务分钟数（含更正），按服务日期计。"), FLOW, _("分钟")),
    D("points_earned", _("积分发放"), _("当日记入的服务积分。"), FLOW, _("分")),
    D("points_redeemed", _("积分兑换"), _("当日兑换商品用去的积分。"), FLOW, _("分")),
    # party
    D("party_organisations", _("党组织"), _("在册的党组织（党委、支部、党小组）。"), STOCK, _("个")),
    D("party_members", _("党员"), _("在册党员（含双报到的在职党员）。"), STOCK, _("人")),
    D("party_service_minutes", _("党员服务时长"), _("当日认证的党员服务（送服务、双报到）分钟数。"), FLOW, _("分钟")),
    # publicity (by the day a notice was published)
    D("notices", _("发布通知"), _("当日发布的通知。"), FLOW, _("条")),
    D("notice_recipients", _("通知应达"), _("当日发布的通知的接收人数。"), FLOW, _("人次")),
    D("notice_reached", _("通知已达"), _("当日发布的通知中已读或已当面告知的人数。"), FLOW, _("人次")),
    D("publicity_activities", _("线下宣传"), _("当日开展的线下宣传活动（横幅、传单、讲座等）。"), FLOW, _("场")),
    # consultation
    D("suggestions", _("广言亭建议"), _("当日提交的建议（被隐藏的除外）。"), FLOW, _("条")),
    D("topics", _("议事角议题"), _("当日立项的议题。"), FLOW, _("个")),
    D("follow_ups_open", _("待办跟进"), _("议事决定中尚未完成的跟进事项。"), STOCK, _("项")),
    D("follow_ups_overdue", _("跟进超期"), _("尚未完成且已过期限的跟进事项。"), STOCK, _("项")),
    # stewardship (per compound)
    D("committees_ending", _("业委会任期将满"), _("任期在 90 天内届满的业主委员会。"), STOCK, _("个")),
    D("manager_grade", _("管理评价等级"), _("小区管理方最近一次公布的月度评价等级（1 优秀 … 4 差）。"), STOCK),
)

# Ratios: (numerator key, denominator key, scale). Shown rounded half up, in integer arithmetic.
RATIOS: dict[str, tuple[str, str, int]] = {
    "on_time_rate": ("cases_due_on_time", "cases_due", 100),
    "rework_rate": ("cases_due_reworked", "cases_due", 100),
    "satisfaction_rate": ("cases_due_satisfied", "cases_due_rated", 100),
    "mean_rating": ("cases_due_rating_sum", "cases_due_rated", 1),
    "household_coverage": ("campaign_households_reached", "campaign_households", 100),
    "person_coverage": ("campaign_people_checked", "campaign_people", 100),
    "notice_read_rate": ("notice_reached", "notice_recipients", 100),
}
# Figures that are not summed over places (a grade): shown per compound only.
NOT_SUMMED = {"manager_grade"}
