"""A demo screening campaign over the whole subdistrict, opened six days ago, with partial progress.

The campaign is planned and opened through the services (the snapshot is the real INSERT … SELECT);
the visits and person checks of the past days are written in bulk (gongzhi.core.bulk), the snapshot
rows' states are set from them with one UPDATE … FROM a temporary table, and the tallies are then
rebuilt by ``recount`` — the same path an operator uses to repair counts. Grid A of the personas is
about half done, so wangge_a has doors left to knock on.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty, User
from gongzhi.campaigns import services
from gongzhi.campaigns.choices import CampaignKind, FieldKind, FieldTarget, HouseholdState, PersonState
from gongzhi.campaigns.models import Campaign, CampaignHousehold, CampaignPerson, GridAssignment, PersonCheck, Visit
from gongzhi.core.actors import Actor
from gongzhi.core.bulk import Ids, insert_rows, reset_sequences
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node

DAYS_SO_FAR = 6
TITLE = "2026年春季入户排查"
FIELDS = [
    services.FieldSpec(FieldTarget.HOUSEHOLD, "是否出租", FieldKind.YES_NO, key="rented"),
    services.FieldSpec(
        FieldTarget.HOUSEHOLD, "实际居住人数", FieldKind.NUMBER, min_value=Decimal(0), max_value=Decimal(30), key="n"
    ),
    services.FieldSpec(FieldTarget.PERSON, "体温", FieldKind.TEMPERATURE, key="temp"),
    services.FieldSpec(FieldTarget.PERSON, "14天内外出", FieldKind.CHOICE, ("无", "省内", "省外"), key="trip"),
]


def _officer() -> Actor:
    user = User.objects.filter(username="jiedao").first()
    return actor_for_user(user) if user is not None else Actor.system("demo")


def _update_from(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """UPDATE table SET columns FROM a temporary table of (id, *columns): one statement for all rows."""
    if not rows:
        return
    q = connection.ops.quote_name
    tmp = q(f"tmp_{table}")
    target = q(table)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {tmp}")
        types = {"state": "varchar(10)", "done_on": "date", "checked_on": "date", "visit_count": "integer"}
        types["last_visit_at"] = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
        cols = ", ".join(f"{q(c)} {types[c]}" for c in columns)
        cursor.execute(f"CREATE TEMPORARY TABLE {tmp} (id integer PRIMARY KEY, {cols})")
        names = ", ".join(q(c) for c in ["id", *columns])
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {tmp} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * (len(columns) + 1))
            cursor.executemany(f"INSERT INTO {tmp} ({names}) VALUES ({marks})", rows)  # noqa: S608
        sets = ", ".join(f"{q(c)} = {tmp}.{q(c)}" for c in columns)
        cursor.execute(f"UPDATE {target} SET {sets} FROM {tmp} WHERE {target}.id = {tmp}.id")  # noqa: S608
        cursor.execute(f"DROP TABLE {tmp}")


def seed_demo_data(*, rng: random.Random, today: dt.date, tier: str) -> str:
    subdistrict = Node.objects.filter(kind=NodeKind.SUBDISTRICT).order_by("path").first()
    if subdistrict is None:
        return "campaigns: 没有街道，未生成走访任务"
    officer = _officer()
    starts_on = today - dt.timedelta(days=DAYS_SO_FAR)
    campaign = services.campaign_create(
        actor=officer,
        title=TITLE,
        kind=CampaignKind.SCREENING,
        purpose="按区防控指挥部通知，全街道入户排查：核实在住人员和健康状况，只收集必要信息，任务结束30天后删除个人回答。",
        scope=[subdistrict],
        starts_on=starts_on,
        ends_on=today + dt.timedelta(days=3),
        retention_ends_on=today + dt.timedelta(days=33),
        fields=FIELDS,
    )
    services.campaign_open(actor=officer, campaign=campaign)
    tz = ZoneInfo(settings.TIME_ZONE)
    Campaign.objects.filter(pk=campaign.pk).update(opened_at=dt.datetime.combine(starts_on, dt.time(8, 30), tzinfo=tz))
    counts = _progress(campaign, rng=rng, starts_on=starts_on, tz=tz)
    services.recount(campaign=campaign)
    return (
        f"campaigns: 「{TITLE}」 {counts['households']} 户 / {counts['persons']} 人，"
        f"已走访 {counts['visits']} 次，核查 {counts['checks']} 人次"
    )


def _progress(campaign: Campaign, *, rng: random.Random, starts_on: dt.date, tz: ZoneInfo) -> dict[str, int]:
    grid_a = Duty.objects.filter(user__username="wangge_a", role=Role.GRID_HEAD).values_list("grid_id", flat=True)
    persona_grid = grid_a.first()
    walkers: dict[int, tuple[int, str]] = {}
    for grid_id, user_id, name, username in GridAssignment.objects.filter(
        campaign=campaign, ended_at__isnull=True
    ).values_list("grid_id", "worker_id", "worker__full_name", "worker__username"):
        walkers.setdefault(grid_id, (user_id, name or username))
    fallback = (campaign.created_by_id, "system")
    people: dict[int, list[int]] = defaultdict(list)
    for pk, row_id in CampaignPerson.objects.filter(campaign=campaign).values_list("pk", "household_row_id").order_by():
        people[row_id].append(pk)
    # Each grid has its own pace: most between 40% and 90%, grid A of the personas about half.
    pace: dict[int, float] = {}
    ids = Ids()
    visits: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    household_updates: list[tuple[Any, ...]] = []
    person_updates: list[tuple[Any, ...]] = []
    rows = CampaignHousehold.objects.filter(campaign=campaign).values_list("pk", "grid_id").order_by("pk")
    for row_id, grid_id in rows:
        if grid_id not in pace:
            pace[grid_id] = 0.5 if grid_id == persona_grid else rng.uniform(0.4, 0.92)
        worker_id, worker_name = walkers.get(grid_id, fallback)
        draw = rng.random()
        if draw < pace[grid_id]:
            outcome = HouseholdState.VACANT if rng.random() < 0.06 else HouseholdState.REACHED
        elif draw < pace[grid_id] + 0.12:
            outcome = HouseholdState.ABSENT
        elif draw < pace[grid_id] + 0.14:
            outcome = HouseholdState.REFUSED
        else:
            continue
        # Earlier days see more doors: the square of a uniform draw leans towards the first days.
        day = starts_on + dt.timedelta(days=int(rng.random() ** 1.5 * DAYS_SO_FAR))
        at = dt.datetime.combine(day, dt.time(9 + rng.randrange(10), rng.randrange(60)), tzinfo=tz)
        visit_id = ids.take(Visit)
        answers: dict[str, Any] = {}
        if outcome == HouseholdState.REACHED:
            answers = {"rented": rng.random() < 0.15, "n": str(len(people[row_id]))}
        visits.append(
            {
                "id": visit_id,
                "campaign_id": campaign.pk,
                "household_row_id": row_id,
                "worker_id": worker_id,
                "worker_name": worker_name,
                "idempotency_key": f"demo-{campaign.pk}-{visit_id}",
                "outcome": outcome,
                "answers": answers,
                "note": "",
                "visited_at": at,
            }
        )
        done = outcome in (HouseholdState.REACHED, HouseholdState.VACANT)
        household_updates.append((row_id, outcome, day if done else None, 1, at))
        if outcome != HouseholdState.REACHED:
            continue
        for person_id in people[row_id]:
            r = rng.random()
            status = PersonState.PRESENT if r < 0.84 else PersonState.AWAY if r < 0.97 else PersonState.UNKNOWN
            person_answers: dict[str, Any] = {}
            if status == PersonState.PRESENT:
                temp = Decimal(360 + rng.randrange(12)) / 10
                person_answers = {"temp": str(temp), "trip": rng.choices(["无", "省内", "省外"], [85, 12, 3])[0]}
            checks.append(
                {
                    "id": ids.take(PersonCheck),
                    "visit_id": visit_id,
                    "person_row_id": person_id,
                    "status": status,
                    "answers": person_answers,
                }
            )
            person_updates.append((person_id, status, day if status != PersonState.UNKNOWN else None))
    insert_rows(Visit, visits)
    insert_rows(PersonCheck, checks)
    reset_sequences([Visit, PersonCheck])
    _update_from(
        CampaignHousehold._meta.db_table, ["state", "done_on", "visit_count", "last_visit_at"], household_updates
    )
    _update_from(CampaignPerson._meta.db_table, ["state", "checked_on"], person_updates)
    return {
        "households": len(rows),
        "persons": sum(len(v) for v in people.values()),
        "visits": len(visits),
        "checks": len(checks),
    }
