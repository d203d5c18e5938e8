"""Benchmark of door-to-door campaign coverage (issue 5), on the demo campaign of a seeded database.

    GONGZHI_DB=postgres GONGZHI_DB_NAME=<seeded M> python -m bench.campaigns --json
    GONGZHI_SQLITE_PATH=<seeded S file> python -m bench.campaigns --json

It uses the database the environment points at (seeded by ``seed_demo`` at a tier) and creates none.
Figures, each the median of --repeat runs, with the hand-written SQL measured in the same run:

1. coverage of the whole scope as the officer (jiedao) sees it — ``selectors.campaign_coverage``, the
   function the page calls; limit = the best hand-written GROUP BY over the snapshot tables giving the
   same four numbers (checked equal);
2. the campaign page rendered by the Django test client as jiedao (coverage, drill-down, progress);
3. one grid's missing list as its grid worker sees it (households and persons, names masked, addresses)
   — the selectors the page calls; limit = hand SQL listing the same rows;
4. recording a visit (ms per visit, each committed, tallies included); the rows touched are restored
   and the tallies recounted afterwards, so the demo data is left as it was.

Prints one JSON object with --json (else a table); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.common import log, setup_django


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--visits", type=int, default=40)
    return parser.parse_args()


def median_ms(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    result = run()  # warm-up: caches, prepared plans, imports
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2), result


def hand_coverage(campaign_id: int) -> tuple[int, int, int, int]:
    """The fastest hand-written form over the snapshot tables: two conditional counts, one per table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), SUM(CASE WHEN state IN ('reached', 'vacant') THEN 1 ELSE 0 END) "
            "FROM campaigns_campaignhousehold WHERE campaign_id = %s",
            [campaign_id],
        )
        h_total, h_reached = cursor.fetchone()
        cursor.execute(
            "SELECT COUNT(*), SUM(CASE WHEN state IN ('present', 'away', 'moved_out', 'deceased') THEN 1 ELSE 0 END) "
            "FROM campaigns_campaignperson WHERE campaign_id = %s",
            [campaign_id],
        )
        p_total, p_checked = cursor.fetchone()
    return int(h_total), int(h_reached or 0), int(p_total), int(p_checked or 0)


def hand_tally_sum(campaign_id: int) -> tuple[int, int, int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT SUM(households_total), SUM(households_reached), SUM(persons_total), SUM(persons_checked) "
            "FROM campaigns_campaigngridtally WHERE campaign_id = %s",
            [campaign_id],
        )
        return tuple(int(v or 0) for v in cursor.fetchone())  # type: ignore[return-value]


def hand_missing(campaign_id: int, grid_id: int) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ch.id, ch.walk_key, ch.state, d.room, u.name, p.name FROM campaigns_campaignhousehold ch "
            "JOIN registry_household h ON h.id = ch.household_id "
            "LEFT JOIN registry_dwelling d ON d.id = h.dwelling_id "
            "LEFT JOIN territory_node u ON u.id = d.unit_id "
            "LEFT JOIN registry_person p ON p.id = h.head_id "
            "WHERE ch.campaign_id = %s AND ch.grid_id = %s AND ch.state NOT IN ('reached', 'vacant') "
            "ORDER BY ch.walk_key",
            [campaign_id, grid_id],
        )
        rows = len(cursor.fetchall())
        cursor.execute(
            "SELECT cp.id, p.name, ch.walk_key, d.room, u.name FROM campaigns_campaignperson cp "
            "JOIN registry_person p ON p.id = cp.person_id "
            "JOIN campaigns_campaignhousehold ch ON ch.id = cp.household_row_id "
            "JOIN registry_household h ON h.id = ch.household_id "
            "LEFT JOIN registry_dwelling d ON d.id = h.dwelling_id "
            "LEFT JOIN territory_node u ON u.id = d.unit_id "
            "WHERE cp.campaign_id = %s AND cp.grid_id = %s "
            "AND cp.state NOT IN ('present', 'away', 'moved_out', 'deceased') ORDER BY ch.walk_key",
            [campaign_id, grid_id],
        )
        return rows + len(cursor.fetchall())


def main() -> int:
    args = parse_args()
    setup_django()
    from django.db import connection
    from django.db.models import F
    from django.test import Client
    from django.urls import reverse

    from gongzhi.accounts.actors import actor_for_user
    from gongzhi.accounts.models import User
    from gongzhi.campaigns import selectors, services
    from gongzhi.campaigns.choices import CampaignStatus, HouseholdState, PersonState
    from gongzhi.campaigns.models import Campaign, CampaignGridTally, CampaignHousehold, CampaignPerson, Visit
    from gongzhi.core.actors import Actor

    vendor = connection.vendor
    campaign = Campaign.objects.filter(status=CampaignStatus.OPEN).order_by("pk").first()
    jiedao_user = User.objects.filter(username="jiedao").first()
    if campaign is None:
        log("No open campaign: seed the database with seed_demo first.")
        return 2
    households = CampaignHousehold.objects.filter(campaign=campaign).count()
    persons = CampaignPerson.objects.filter(campaign=campaign).count()
    grids = CampaignGridTally.objects.filter(campaign=campaign).count()
    log(f"{vendor}: campaign #{campaign.pk}, {households} households, {persons} persons, {grids} grids")
    big = households > 200_000
    coverage_goal_ms = 300 if vendor == "postgresql" else 50
    # The officer's view when the demo has jiedao; else the whole campaign as a scheduled job sees it.
    jiedao = actor_for_user(jiedao_user) if jiedao_user is not None else Actor.system("bench")
    figures = []

    # 1. coverage, whole scope
    value, cov = median_ms(lambda: selectors.campaign_coverage(actor=jiedao, campaign=campaign), args.repeat)
    limit, hand = median_ms(lambda: hand_coverage(campaign.pk), args.repeat)
    tally_ms, tally = median_ms(lambda: hand_tally_sum(campaign.pk), args.repeat)
    got = (cov.households_total, cov.households_reached, cov.persons_total, cov.persons_checked)
    if got != hand or tally != hand:
        log(f"MISMATCH: service {got}, hand GROUP BY {hand}, tally sum {tally}")
        return 1
    figures.append(
        {
            "figure": "campaign coverage, whole scope",
            "value": value,
            "unit": "ms",
            "limit": limit,
            "goal": "< 50 ms (SQLite S) / < 300 ms (PG M), ≤ 1.5× limit",
            "pass": value < coverage_goal_ms and value <= 1.5 * limit,
            "numbers": {"households": f"{got[1]}/{got[0]}", "persons": f"{got[3]}/{got[2]}"},
            "hand_tally_sum_ms": tally_ms,
        }
    )
    log(f"coverage: {value} ms (hand GROUP BY {limit} ms, hand tally SUM {tally_ms} ms)")

    # 2. the coverage page as jiedao (skipped when the demo has no jiedao)
    if jiedao_user is not None:
        client = Client(HTTP_HOST="localhost")
        client.force_login(jiedao_user)
        url = reverse("campaigns:campaign-detail", args=[campaign.pk])

        def page() -> int:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            return len(response.content)

        value, _size = median_ms(page, max(5, args.repeat // 2))
        figures.append(
            {
                "figure": "coverage page render (jiedao)",
                "value": value,
                "unit": "ms",
                "limit": None,
                "goal": "< 1000 ms (whole page: coverage, drill-down, progress; no hand-SQL counterpart)",
                "pass": value < 1000,
            }
        )
        log(f"page: {value} ms")

    # 3. one grid's missing list, as its worker sees it
    # The grid with the most households still missing: the longest list, and doors left to knock on.
    tally_row = (
        CampaignGridTally.objects.filter(campaign=campaign)
        .order_by(F("households_reached") - F("households_total"), "grid_id")
        .first()
    )
    assert tally_row is not None
    worker = User.objects.filter(
        campaign_assignments__campaign=campaign, campaign_assignments__grid_id=tally_row.grid_id
    ).first()
    actor = actor_for_user(worker) if worker is not None else jiedao
    if actor.user_id is None:
        log("No walker for the grid and no jiedao: the visits are recorded by the system actor.")
    grid_id = tally_row.grid_id

    def missing() -> int:
        rows = selectors.household_rows(actor=actor, campaign=campaign, grid_id=grid_id, state="missing")
        lines = selectors.household_lines(rows)
        people = selectors.people_lines(selectors.missing_people(actor=actor, campaign=campaign, grid_id=grid_id))
        return len(lines) + len(people)

    value, count = median_ms(missing, args.repeat)
    limit, hand_count = median_ms(lambda: hand_missing(campaign.pk, grid_id), args.repeat)
    if count != hand_count:
        log(f"MISMATCH: missing list {count} rows, hand SQL {hand_count}")
        return 1
    figures.append(
        {
            "figure": "missing list, one grid",
            "value": value,
            "unit": "ms",
            "limit": limit,
            "goal": "< 100 ms (PG M)",
            "pass": value < 100,
            "rows": count,
            "grid_households": tally_row.households_total,
        }
    )
    log(f"missing list: {value} ms for {count} rows (hand SQL {limit} ms)")

    # 4. recording visits, committed one by one; then the touched rows are restored and tallies recounted
    rows = list(
        CampaignHousehold.objects.filter(campaign=campaign, grid_id=grid_id, state=HouseholdState.PENDING)[
            : args.visits
        ]
    )
    saved_h = list(CampaignHousehold.objects.filter(pk__in=[r.pk for r in rows]).values())
    saved_p = list(CampaignPerson.objects.filter(household_row__in=rows).values())
    people_of: dict[int, list[int]] = {}
    for p in saved_p:
        people_of.setdefault(p["household_row_id"], []).append(p["id"])
    times = []
    keys = []
    try:
        for n, row in enumerate(rows):
            key = f"bench-{campaign.pk}-{time.time_ns()}-{n}"
            keys.append(key)
            checks = [services.CheckInput(pk, PersonState.PRESENT, {}) for pk in people_of.get(row.pk, [])]
            started = time.perf_counter()
            services.visit_record(
                actor=actor, row=row, outcome=HouseholdState.REACHED, idempotency_key=key, checks=checks
            )
            times.append((time.perf_counter() - started) * 1000)
    finally:
        Visit.objects.filter(idempotency_key__in=keys).delete()
        for h in saved_h:
            CampaignHousehold.objects.filter(pk=h["id"]).update(
                state=h["state"], done_on=h["done_on"], visit_count=h["visit_count"], last_visit_at=h["last_visit_at"]
            )
        for p in saved_p:
            CampaignPerson.objects.filter(pk=p["id"]).update(state=p["state"], checked_on=p["checked_on"])
        services.recount(campaign=campaign)
    if services.tallies_mismatch(campaign):
        log("tallies do not match after restoring")
        return 1
    value = round(statistics.median(times), 2) if times else 0.0
    figures.append(
        {
            "figure": "record a visit",
            "value": value,
            "unit": "ms per visit",
            "limit": None,
            "goal": "each visit committed with its checks and tallies (no hand-SQL counterpart)",
            "pass": bool(times) and value < 100,
            "visits": len(times),
        }
    )
    log(f"visit: {value} ms per visit over {len(times)} visits")

    result = {
        "bench": "campaigns",
        "database": vendor,
        "tier_hint": "M" if big else "S/T",
        "households": households,
        "persons": persons,
        "grids": grids,
        "figures": figures,
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for f in figures:
            print(f"{f['figure']:<36} {f['value']:>9} {f['unit']:<13} limit {f['limit']}  pass {f['pass']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
