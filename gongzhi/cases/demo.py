"""Demo cases: a handful in the personas' compound made through the services (one per step of the
workflow, so every persona has something to do), then a history of cases across every building,
written in bulk: 300 at tier T, 20,000 at S and 1,000,000 at M (two years of reports).

The bulk history is written straight into the case table (COPY on PostgreSQL): cases that were
reported, filed, dispatched, handled, verified, closed and rated in the past, with their deadlines
computed on the working calendar. It carries no event trail — it stands for data migrated from an
earlier system — and overdue historical cases are marked as already escalated to the top of the
chain, so the first escalation run does not notify the personas about two years of history.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

from django.db import connection
from django.utils import timezone
from PIL import Image

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.models import User
from gongzhi.cases import worktime
from gongzhi.cases.choices import Action, CaseStatus, Channel
from gongzhi.cases.models import Case, CaseCategory, CaseEvent
from gongzhi.cases.services import (
    case_report,
    case_transition,
    place_locate,
    route_for,
    working_calendar,
)
from gongzhi.core.bulk import Ids, insert_rows, reset_sequences
from gongzhi.core.photos import CleanPhoto, photo_clean
from gongzhi.registry.models import Household
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node

COUNTS = {"T": 300, "S": 20_000, "M": 1_000_000}
CHUNK = 50_000
HISTORY_DAYS = 730
DESCRIPTIONS = {
    "0101": ["卫生间顶上漏水，楼上邻居不在家", "楼道水管接头滴水", "地下室管道渗水"],
    "0102": ["电梯停在5楼不动了", "电梯门关不严", "电梯运行时异响"],
    "0103": ["楼道灯不亮", "小区路灯坏了三盏"],
    "0104": ["单元门门禁刷卡没反应", "道闸抬不起来"],
    "0201": ["垃圾桶满了没人清", "绿化带里有建筑垃圾"],
    "0202": ["楼道堆放纸箱和旧家具", "消防通道被杂物堵住"],
    "0203": ["草坪被车压坏", "有人在绿地里种菜"],
    "0301": ["顶楼在搭阳光房", "一楼院子在扩建"],
    "0302": ["晚上十点还在装修电钻", "楼下商铺音响很吵"],
    "0303": ["消防通道被占用停车", "车停在绿地上"],
    "0401": ["楼上漏水到楼下，协商不成", "邻居占用公共过道"],
    "0402": ["楼道有燃气味", "外墙瓷砖有脱落风险"],
    "0403": ["楼道里电动车飞线充电", "电动车停在楼梯口充电"],
}


def _photo(rng: random.Random) -> CleanPhoto:
    image = Image.new("RGB", (320, 240), (rng.randint(60, 200), rng.randint(60, 200), rng.randint(60, 200)))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return photo_clean(io.BytesIO(out.getvalue()), size=out.tell())


def _workflow_cases(rng: random.Random) -> int:
    users = {
        u.username: u for u in User.objects.filter(username__in=["jumin", "wangge_a", "wuye", "shequ", "louzhang"])
    }
    if len(users) < 4 or "jumin" not in users:
        return 0
    actors = {name: actor_for_user(user) for name, user in users.items()}
    jumin, wangge, wuye, shequ = actors["jumin"], actors["wangge_a"], actors["wuye"], actors["shequ"]
    household = Household.objects.filter(pk=jumin.household_id or 0).first()
    if household is None or household.dwelling_id is None:
        return 0
    home = place_locate(dwelling=household.dwelling)
    cats = {c.code: c for c in CaseCategory.objects.filter(parent__isnull=False)}

    def report(actor: Any, code: str, text: str, place: Any = home) -> Case:
        return case_report(actor=actor, category=cats[code], description=text, place=place, photos=[_photo(rng)])

    def step(case: Case, actor: Any, action: str, **kw: Any) -> Case:
        return case_transition(actor=actor, case=case, action=action, **kw)

    def dispatched(case: Case) -> Case:
        return step(step(case, wangge, Action.ACCEPT), wangge, Action.DISPATCH)

    made = [report(jumin, "0101", "卫生间顶上漏水，像是楼上水管坏了")]
    lift = dispatched(report(jumin, "0102", "电梯停在5楼不动了，老人下不了楼"))
    made.append(lift)
    rubbish = dispatched(report(jumin, "0201", "单元门口垃圾桶满了两天没人清"))
    rubbish = step(rubbish, wuye, Action.HANDLE, note="已清运并消毒", photos=[_photo(rng)])
    rubbish = step(rubbish, wangge, Action.VERIFY_PASS)
    made.append(step(rubbish, wangge, Action.CLOSE, note="垃圾已清运，物业已调整清运频次，感谢反映。"))
    noise = dispatched(report(jumin, "0302", "晚上十点后楼上还在装修"))
    noise = step(noise, shequ, Action.HANDLE, note="已上门劝导，装修时间已调整", photos=[_photo(rng)])
    noise = step(step(noise, wangge, Action.VERIFY_PASS), wangge, Action.CLOSE, note="已劝导装修户按规定时间施工。")
    made.append(step(noise, jumin, Action.RATE, rating=4, note="处理及时"))
    parking = dispatched(report(wangge, "0303", "消防通道被三辆车占用"))
    made.append(step(parking, wuye, Action.HANDLE, note="已联系车主挪车，张贴提示", photos=[_photo(rng)]))
    building = place_locate(building=home.building) if home.building else home
    shed = step(
        step(report(wangge, "0301", "顶楼在搭阳光房", building), wangge, Action.ACCEPT), wangge, Action.DISPATCH
    )
    made.append(step(shed, shequ, Action.PARK, note="需城管执法立案，列入季度专项整治"))
    green = dispatched(report(wangge, "0203", "中心草坪被车压坏一大片", building))
    made.append(step(green, wuye, Action.REQUEST_EXTENSION, hours=14, note="需等待草皮到货"))
    # Left alone past its deadline: the first escalation run tells the grid head, later the 包保干部.
    made.append(_overdue_case(wangge, cats["0403"], "2号楼楼道有电动车飞线充电", building))
    made.append(
        step(report(jumin, "0202", "楼道里有人放了旧沙发"), wangge, Action.REJECT, note=f"与 #{made[0].pk} 重复")
    )
    return len(made)


def _overdue_case(reporter: Any, category: CaseCategory, description: str, place: Any) -> Case:
    """A case reported and dispatched earlier and left alone past its deadline, with its event trail.

    A live case cannot be made overdue without waiting, and moving a live case's times back would edit
    its append-only events; so, like the bulk history, this one is written as it would have been
    recorded: reported, accepted, dispatched, with each time in order and the deadline on the calendar.
    """
    calendar = working_calendar()
    now = timezone.now()
    amount, unit = category.time_limit_amount, category.time_limit_unit
    dispatched = now - dt.timedelta(hours=3)
    while worktime.deadline(dispatched, amount, unit, calendar) > now - dt.timedelta(hours=2):
        dispatched -= dt.timedelta(hours=1)
    accepted = dispatched - dt.timedelta(minutes=20)
    reported = accepted - dt.timedelta(minutes=40)
    route = route_for(org_path=place.org_path, compound=place.compound, category=category)
    case = Case.objects.create(
        reporter_id=reporter.user_id,
        channel=Channel.GRID_WORKER,
        category=category,
        description=description,
        building=place.building,
        dwelling=place.dwelling,
        longitude=place.longitude,
        latitude=place.latitude,
        org_path=place.org_path,
        grid=place.grid,
        compound=place.compound,
        status=CaseStatus.DISPATCHED,
        accepted_at=accepted,
        dispatched_at=dispatched,
        deadline_at=worktime.deadline(dispatched, amount, unit, calendar),
        handler_kind=route.kind,
        handler_node=route.node,
        handler_label=route.label,
    )
    # created_at and updated_at are set by the database's clock on insert; history carries its own.
    Case.objects.filter(pk=case.pk).update(created_at=reported, updated_at=dispatched)
    steps = [
        ("report", "", CaseStatus.REPORTED, reported),
        (Action.ACCEPT, CaseStatus.REPORTED, CaseStatus.ACCEPTED, accepted),
        (Action.DISPATCH, CaseStatus.ACCEPTED, CaseStatus.DISPATCHED, dispatched),
    ]
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            at=at,
            actor_id=reporter.user_id,
            actor_name=reporter.username,
            action=action,
            from_status=from_status,
            to_status=to_status,
        )
        for action, from_status, to_status, at in steps
    )
    case.refresh_from_db()
    return case


def _bulk_history(rng: random.Random, count: int, now: dt.datetime) -> int:
    categories = list(CaseCategory.objects.filter(parent__isnull=False, is_active=True).order_by("code"))
    weights = [6, 3, 3, 2, 6, 4, 2, 1, 4, 5, 2, 2, 3][: len(categories)] + [1] * max(0, len(categories) - 13)
    step = Node.steplen
    buildings = list(
        Node.objects.filter(kind=NodeKind.BUILDING).values_list("pk", "path", "grid_id", "longitude", "latitude")
    )
    compounds = {n.path: n for n in Node.objects.filter(kind=NodeKind.COMPOUND)}
    if not buildings or not categories:
        return 0
    routes: dict[tuple[int, int], tuple[str, int, str]] = {}
    calendar = working_calendar()
    ids = Ids()
    adapt = connection.ops.adapt_datetimefield_value
    start = now - dt.timedelta(days=HISTORY_DAYS)
    span = (now - start).total_seconds()
    written = 0
    while written < count:
        rows: list[dict[str, Any]] = []
        for _ in range(min(CHUNK, count - written)):
            building_id, path, grid_id, lon, lat = buildings[rng.randrange(len(buildings))]
            compound = compounds.get(path[: 4 * step])
            category = rng.choices(categories, weights)[0]
            # In the order they came in, as a live system writes them: a month's cases lie together.
            created = start + dt.timedelta(seconds=span * (written + len(rows) + rng.random()) / count)
            row: dict[str, Any] = {
                "id": ids.take(Case),
                "created_at": adapt(created),
                "updated_at": adapt(created),
                "channel": rng.choice((Channel.RESIDENT, Channel.RESIDENT, Channel.GRID_WORKER, Channel.BUILDING_HEAD)),
                "category_id": category.pk,
                "description": rng.choice(DESCRIPTIONS.get(category.code, [category.name])),
                "building_id": building_id,
                "org_path": path,
                "grid_id": grid_id,
                "compound_id": compound.pk if compound else None,
                "is_private": rng.random() < 0.05,
                "longitude": lon,
                "latitude": lat,
            }
            _history(row, rng, category, compound, path, created, now, routes, calendar, adapt)
            rows.append(row)
        insert_rows(Case, rows)
        written += len(rows)
    reset_sequences([Case])
    # Fresh statistics for the planner: the benchmarks run right after the seed, before autovacuum would.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
    return written


def _history(
    row: dict[str, Any],
    rng: random.Random,
    category: CaseCategory,
    compound: Node | None,
    path: str,
    created: dt.datetime,
    now: dt.datetime,
    routes: dict[tuple[int, int], tuple[str, int, str]],
    calendar: worktime.IsWorkingDay,
    adapt: Any,
) -> None:
    """Carry one historical case as far as its age and luck take it."""
    age = now - created
    r = rng.random()
    if age < dt.timedelta(hours=4) and r < 0.5:
        row["status"] = CaseStatus.REPORTED
        return
    if r < 0.03:
        row["status"] = CaseStatus.REJECTED
        row["reply"] = "经核实不属于受理范围"
        return
    accepted = created + dt.timedelta(minutes=rng.randint(10, 240))
    key = (compound.pk if compound else 0, category.pk)
    if key not in routes:
        route = route_for(org_path=path, compound=compound, category=category)
        routes[key] = (route.kind, route.node.pk, route.label)
    kind, node_id, label = routes[key]
    dispatched = accepted + dt.timedelta(minutes=rng.randint(5, 120))
    deadline = worktime.deadline(dispatched, category.time_limit_amount, category.time_limit_unit, calendar)
    row.update(
        accepted_at=accepted,
        dispatched_at=dispatched,
        deadline_at=deadline,
        handler_kind=kind,
        handler_node_id=node_id,
        handler_label=label,
        status=CaseStatus.DISPATCHED,
    )
    if dispatched > now:
        row.update(
            status=CaseStatus.ACCEPTED,
            dispatched_at=None,
            deadline_at=None,
            handler_kind="",
            handler_node_id=None,
            handler_label="",
        )
        return
    if r < 0.05:
        row["status"] = CaseStatus.PARKED
        return
    limit = deadline - dispatched
    handled = dispatched + limit * rng.choice((0.2, 0.4, 0.6, 0.8, 0.9, 1.0, 1.3, 1.8))
    if handled > now:
        if deadline < now:
            row["escalation_level"] = 3  # history: escalated long ago
        return
    row.update(
        status=CaseStatus.HANDLED,
        handled_at=handled,
        is_on_time=handled <= deadline,
        handling_minutes=worktime.working_minutes_between(dispatched, handled, calendar),
        result="已处置完毕",
        rework_count=1 if rng.random() < 0.07 else 0,
        escalation_level=3 if handled > deadline else 0,
    )
    closed = handled + dt.timedelta(hours=rng.randint(2, 30))
    if closed > now:
        return
    row.update(status=CaseStatus.CLOSED, closed_at=closed, reply="问题已处理，感谢您的反映。", updated_at=adapt(closed))
    if rng.random() < 0.7 and closed + dt.timedelta(hours=12) < now:
        row.update(status=CaseStatus.RATED, rating=rng.choices((5, 4, 3, 2, 1), (55, 25, 10, 6, 4))[0])


def seed_demo_data(*, rng: random.Random, today: dt.date, tier: str) -> str:
    workflow = _workflow_cases(rng)
    now = timezone.now()
    history = _bulk_history(rng, COUNTS.get(tier, 0), now)
    return f"cases: {workflow} 件流程演示事件，{history} 件历史事件"
