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
    # Dated by a deadline, so that rows lie ahead of today: summed over whole months only (FigureMonth).
    ahead: bool = False


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
    D("cases_due", _("应结案"), _("处置时限落在当日的案件（不予立案、合并的除外）。"), FLOW, _("件"), ahead=True),
    D("cases_due_on_time", _("按期结案"), _("应结案中按期处置并已结案的。"), FLOW, _("件"), ahead=True),
    D("cases_due_reworked", _("返工"), _("应结案中至少返工一次的。"), FLOW, _("件"), ahead=True),
    D("cases_due_rated", _("已评价"), _("应结案中居民已评价的。"), FLOW, _("件"), ahead=True),
    D("cases_due_rating_sum", _("评分合计"), _("应结案中居民评分（1–5）之和。"), FLOW, _("分"), ahead=True),
    D("cases_due_satisfied", _("满意"), _("应结案中评 4 或 5 分的。"), FLOW, _("件"), ahead=True),
    D("cases_open", _("在办案件"), _("未结案、未作废的案件。"), STOCK, _("件")),
    D("cases_overdue", _("超期在办"), _("在办且已过处置时限的案件。"), STOCK, _("件")),
    # volunteering (place: where the volunteer lives, their person's grid and address)
    D("volunteers", _("注册志愿者"), _("状态为在册的注册志愿者，按本人住址所在网格计。"), STOCK, _("人")),
    D(
        "volunteer_minutes",
        _("志愿服务时长"),
        _("当日认证的志愿服务时长（含更正），按服务日期和志愿者住址计。"),
        FLOW,
        _("分钟"),
    ),
    D("points_earned", _("积分发放"), _("当日记入的服务积分（更正扣回的已减去）。"), FLOW, _("分")),
    D("points_redeemed", _("积分兑换"), _("当日兑换商品用去的积分（取消订单退还的已减去）。"), FLOW, _("分")),
    # party
    D(
        "party_organisations",
        _("党组织"),
        _("存续的党组织（党委、支部、党小组等），计在其覆盖区域的第一个节点；未设覆盖区域的计入街道。"),
        STOCK,
        _("个"),
    ),
    D("party_members", _("党员"), _("在册党员（含双报到的在职党员），按本人住址计。"), STOCK, _("人")),
    D(
        "party_service_minutes",
        _("党员服务时长"),
        _("当日在党员服务活动（送服务）中认证的在册党员服务时长（含更正），按党员住址计。"),
        FLOW,
        _("分钟"),
    ),
    # publicity (by the day a notice was published)
    D("notices", _("发布通知"), _("当日发布的通知（含其后撤回的），计在发布单位。"), FLOW, _("条")),
    D(
        "notice_recipients",
        _("通知应达"),
        _("当日发布的通知的居民接收人数，按接收人所在网格计（工作人员不计）。"),
        FLOW,
        _("人次"),
    ),
    D(
        "notice_reached",
        _("通知已达"),
        _("当日发布的通知中居民已读或已当面告知的人数，按接收人所在网格计。"),
        FLOW,
        _("人次"),
    ),
    D(
        "publicity_activities",
        _("线下宣传"),
        _("当日开展的线下宣传活动（横幅、传单、讲座等），计在活动面向的区域。"),
        FLOW,
        _("场"),
    ),
    # consultation
    D("suggestions", _("广言亭建议"), _("当日提交的建议（被隐藏的除外），计在建议的范围。"), FLOW, _("条")),
    D("topics", _("议事角议题"), _("当日立项的议题，计在议题的范围。"), FLOW, _("个")),
    D("follow_ups_open", _("待办跟进"), _("议事决定中尚未完成的跟进事项，计在其议题的范围。"), STOCK, _("项")),
    D("follow_ups_overdue", _("跟进超期"), _("尚未完成且完成期限已过（早于今天）的跟进事项。"), STOCK, _("项")),
    # stewardship (per compound)
    D(
        "committees_ending",
        _("业委会任期将满"),
        _("现任一届在 90 天内届满、尚未登记下一届的业主委员会，计在其小区。"),
        STOCK,
        _("个"),
    ),
    D(
        "manager_grade",
        _("管理评价等级"),
        _("小区物业或托管方在最近一次公示的月度评比中的等级，按评分细则的等级排序编码（1 为最高，如 AAA）。"),
        STOCK,
    ),
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
