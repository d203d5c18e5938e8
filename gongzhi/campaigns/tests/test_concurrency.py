"""Two walkers in one grid, and one flaky phone submitting twice at once: the tally stays exact (PostgreSQL;
SQLite serialises every write anyway)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from gongzhi.campaigns import services
from gongzhi.campaigns.choices import HouseholdState, PersonState
from gongzhi.campaigns.models import CampaignGridTally, CampaignHousehold, Visit
from gongzhi.campaigns.tests.helpers import open_campaign
from gongzhi.registry.choices import Relation
from gongzhi.registry.services import PersonData
from gongzhi.testing.world import SYSTEM, add_dwelling

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_parallel_visits_and_double_submits_keep_the_tally_exact(world, actor_of):  # type: ignore[no-untyped-def]
    from gongzhi.registry.services import household_register

    for room in ("201", "202", "301", "302", "401", "402"):
        household_register(
            actor=SYSTEM, dwelling=add_dwelling(world.units["1"], room), head=PersonData(name=f"住户{room}")
        )
    campaign = open_campaign(world)
    rows = list(CampaignHousehold.objects.filter(campaign=campaign, grid=world.grid_a).order_by("pk"))
    assert len(rows) == 8
    walkers = [actor_of("wangge_a"), actor_of("shequ")]
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def walk(i: int) -> None:
        try:
            # Threads 0–5 visit six households of grid A at once; 6 and 7 resubmit thread 0's form.
            n = i if i < 6 else 0
            row, key = rows[n], f"walk{n}"
            checks = [services.CheckInput(p.pk, PersonState.PRESENT) for p in row.person_rows.all()]
            barrier.wait()
            services.visit_record(
                actor=walkers[i % 2], row=row, outcome=HouseholdState.REACHED, idempotency_key=key, checks=checks
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=walk, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert Visit.objects.filter(campaign=campaign).count() == 6
    tally = CampaignGridTally.objects.get(campaign=campaign, grid=world.grid_a)
    assert tally.households_reached == 6
    assert tally.persons_checked == sum(r.person_rows.count() for r in rows[:6])
    assert services.tallies_mismatch(campaign) == {}
    services.person_found(
        actor=actor_of("wangge_a"), row=rows[0], data=PersonData(name="新人"), relation=Relation.TENANT
    )
    assert services.tallies_mismatch(campaign) == {}
