from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.campaigns import selectors, services
from gongzhi.campaigns.choices import CHECKED_STATES, DONE_STATES, CampaignStatus, HouseholdState, PersonState
from gongzhi.campaigns.models import (
    CampaignGridTally,
    CampaignHousehold,
    CampaignPerson,
    GridAssignment,
    PersonCheck,
    Visit,
)
from gongzhi.campaigns.tests.helpers import open_campaign
from gongzhi.core.actors import Actor
from gongzhi.core.exceptions import DomainError, InvalidTransition, NotAllowed
from gongzhi.registry.choices import Relation
from gongzhi.registry.models import Person
from gongzhi.registry.services import PersonData

pytestmark = pytest.mark.django_db


def independent_count(campaign, grid_ids=None):  # type: ignore[no-untyped-def]
    """Counted straight from the visits and checks, not from the snapshot states or tallies."""
    households = CampaignHousehold.objects.filter(campaign=campaign)
    people = CampaignPerson.objects.filter(campaign=campaign)
    if grid_ids is not None:
        households = households.filter(grid_id__in=grid_ids)
        people = people.filter(grid_id__in=grid_ids)
    reached = {
        v.household_row_id
        for v in Visit.objects.filter(campaign=campaign, outcome__in=DONE_STATES, household_row__in=households)
    }
    checked = {
        c.person_row_id
        for c in PersonCheck.objects.filter(visit__campaign=campaign, status__in=CHECKED_STATES, person_row__in=people)
    }
    return households.count(), len(reached), people.count(), len(checked)


def as_tuple(cov):  # type: ignore[no-untyped-def]
    return cov.households_total, cov.households_reached, cov.persons_total, cov.persons_checked


def test_campaign_open_snapshots_households_people_tallies_and_assignments(world):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    assert campaign.status == CampaignStatus.OPEN
    assert CampaignHousehold.objects.filter(campaign=campaign).count() == 4
    assert CampaignPerson.objects.filter(campaign=campaign).count() == 5
    tally_a = CampaignGridTally.objects.get(campaign=campaign, grid=world.grid_a)
    assert (tally_a.households_total, tally_a.persons_total) == (2, 3)
    assert tally_a.org_path == world.compound_x.path
    workers = set(
        GridAssignment.objects.filter(campaign=campaign, grid=world.grid_a).values_list("worker__username", flat=True)
    )
    assert workers == {"wangge_a"}
    assert services.tallies_mismatch(campaign) == {}


def test_walking_order_follows_building_unit_floor_room(world):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    rows = list(CampaignHousehold.objects.filter(campaign=campaign, grid=world.grid_a).order_by("walk_key"))
    assert [r.household_id for r in rows] == [world.households["jumin"].pk, world.households["neighbour"].pk]


def test_visit_record_counts_a_household_once_and_is_idempotent(world, actor_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    wangge = actor_of("wangge_a")
    row = CampaignHousehold.objects.get(campaign=campaign, household=world.households["jumin"])
    people = list(row.person_rows.order_by("pk"))
    checks = [
        services.CheckInput(people[0].pk, PersonState.PRESENT, {"temp": "36.6", "trip": "无"}),
        services.CheckInput(people[1].pk, PersonState.AWAY),
    ]
    v1 = services.visit_record(
        actor=wangge,
        row=row,
        outcome=HouseholdState.REACHED,
        idempotency_key="k1",
        answers={"rented": "否"},
        checks=checks,
    )
    again = services.visit_record(
        actor=wangge,
        row=row,
        outcome=HouseholdState.REACHED,
        idempotency_key="k1",
        answers={"rented": "否"},
        checks=checks,
    )
    assert again.pk == v1.pk
    assert Visit.objects.count() == 1
    services.visit_record(actor=wangge, row=row, outcome=HouseholdState.ABSENT, idempotency_key="k2")
    row.refresh_from_db()
    assert row.state == HouseholdState.REACHED and row.visit_count == 2
    tally = CampaignGridTally.objects.get(campaign=campaign, grid=world.grid_a)
    assert (tally.households_reached, tally.persons_checked) == (1, 2)
    assert v1.answers == {"rented": False}
    assert PersonCheck.objects.get(person_row=people[0]).answers == {"temp": "36.6", "trip": "无"}
    assert as_tuple(
        selectors.grid_coverage(actor=wangge, campaign=campaign, grid_id=world.grid_a.pk)
    ) == independent_count(campaign, [world.grid_a.pk])
    assert services.tallies_mismatch(campaign) == {}


def test_nobody_home_then_reached_counts_at_the_second_visit(world, actor_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    wangge = actor_of("wangge_a")
    row = CampaignHousehold.objects.get(campaign=campaign, household=world.households["neighbour"])
    services.visit_record(actor=wangge, row=row, outcome=HouseholdState.ABSENT, idempotency_key="a")
    assert CampaignGridTally.objects.get(campaign=campaign, grid=world.grid_a).households_reached == 0
    services.visit_record(actor=wangge, row=row, outcome=HouseholdState.VACANT, idempotency_key="b")
    assert CampaignGridTally.objects.get(campaign=campaign, grid=world.grid_a).households_reached == 1


def test_answers_are_validated_with_the_question_named(world, actor_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    wangge = actor_of("wangge_a")
    row = CampaignHousehold.objects.get(campaign=campaign, household=world.households["jumin"])
    person = row.person_rows.first()
    with pytest.raises(DomainError, match="体温") as exc:
        services.visit_record(
            actor=wangge,
            row=row,
            outcome=HouseholdState.REACHED,
            idempotency_key="t",
            checks=[services.CheckInput(person.pk, PersonState.PRESENT, {"temp": "56"})],
        )
    assert exc.value.field == f"p{person.pk}-temp"
    with pytest.raises(DomainError, match="常住人数"):
        services.visit_record(
            actor=wangge, row=row, outcome=HouseholdState.REACHED, idempotency_key="n", answers={"n": "abc"}
        )
    assert not Visit.objects.exists()
    assert CampaignGridTally.objects.get(campaign=campaign, grid=world.grid_a).households_reached == 0


def test_idempotency_key_of_another_household_is_refused(world, actor_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    wangge = actor_of("wangge_a")
    rows = list(CampaignHousehold.objects.filter(campaign=campaign, grid=world.grid_a))
    services.visit_record(actor=wangge, row=rows[0], outcome=HouseholdState.REACHED, idempotency_key="same")
    with pytest.raises(DomainError):
        services.visit_record(actor=wangge, row=rows[1], outcome=HouseholdState.REACHED, idempotency_key="same")


def test_person_found_is_registered_and_counted(world, actor_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    wangge = actor_of("wangge_a")
    row = CampaignHousehold.objects.get(campaign=campaign, household=world.households["jumin"])
    found = services.person_found(actor=wangge, row=row, data=PersonData(name="新租客"), relation=Relation.TENANT)
    assert found.is_found and Person.objects.get(pk=found.person_id).household_id == world.households["jumin"].pk
    assert CampaignGridTally.objects.get(campaign=campaign, grid=world.grid_a).persons_total == 4
    assert services.tallies_mismatch(campaign) == {}


def test_reassign_keeps_history_and_changes_who_walks(world, actor_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    services.grid_reassign(
        actor=actor_of("shequ"), campaign=campaign, grid=world.grid_a, workers=[world.user("wangge_b")], reason="病假"
    )
    current = GridAssignment.objects.filter(campaign=campaign, grid=world.grid_a, ended_at__isnull=True)
    assert [a.worker.username for a in current] == ["wangge_b"]
    assert GridAssignment.objects.filter(campaign=campaign, grid=world.grid_a).count() == 2
    # wangge_b now sees grid A's households of this campaign.
    assert selectors.household_rows(actor=actor_of("wangge_b"), campaign=campaign, grid_id=world.grid_a.pk).count() == 2
    with pytest.raises(NotAllowed):
        services.grid_reassign(
            actor=actor_of("wangge_a"), campaign=campaign, grid=world.grid_a, workers=[world.user("wangge_a")]
        )


def test_recount_repairs_a_drifted_tally(world, actor_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    row = CampaignHousehold.objects.get(campaign=campaign, household=world.households["jumin"])
    services.visit_record(actor=actor_of("wangge_a"), row=row, outcome=HouseholdState.REACHED, idempotency_key="x")
    CampaignGridTally.objects.filter(campaign=campaign, grid=world.grid_a).update(households_reached=0)
    assert world.grid_a.pk in services.tallies_mismatch(campaign)
    assert services.recount(campaign=campaign) == 1
    assert services.tallies_mismatch(campaign) == {}
    progress = selectors.daily_progress(actor=actor_of("jiedao"), campaign=campaign)
    assert progress[-1]["h_total"] == 1


def test_close_stops_visits_and_transitions_are_checked(world, actor_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    services.campaign_close(actor=actor_of("jiedao"), campaign=campaign)
    row = CampaignHousehold.objects.filter(campaign=campaign).first()
    with pytest.raises(DomainError):
        services.visit_record(actor=actor_of("wangge_a"), row=row, outcome=HouseholdState.REACHED, idempotency_key="z")
    with pytest.raises(InvalidTransition):
        services.campaign_open(actor=actor_of("jiedao"), campaign=campaign)


def test_community_worker_cannot_open_a_subdistrict_campaign(world, actor_of):  # type: ignore[no-untyped-def]
    with pytest.raises(NotAllowed):
        services.campaign_create(
            actor=actor_of("shequ"),
            title="x",
            kind="screening",
            purpose="p",
            scope=[world.subdistrict],
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 1, 2),
            retention_ends_on=dt.date(2026, 1, 3),
        )


def test_purge_blanks_answers_after_retention_and_keeps_counts(world, actor_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    row = CampaignHousehold.objects.get(campaign=campaign, household=world.households["jumin"])
    person = row.person_rows.first()
    services.visit_record(
        actor=actor_of("wangge_a"),
        row=row,
        outcome=HouseholdState.REACHED,
        idempotency_key="p",
        answers={"rented": "是"},
        checks=[services.CheckInput(person.pk, PersonState.PRESENT, {"temp": "37.9"})],
    )
    assert services.purge_expired(today=campaign.retention_ends_on) == 0
    assert services.purge_expired(today=campaign.retention_ends_on + dt.timedelta(days=1)) == 1
    assert Visit.objects.get().answers == {} and PersonCheck.objects.get().answers == {}
    tally = CampaignGridTally.objects.get(campaign=campaign, grid=world.grid_a)
    assert (tally.households_reached, tally.persons_checked) == (1, 1)
    assert services.purge_expired(today=campaign.retention_ends_on + dt.timedelta(days=2)) == 0


def test_system_actor_sees_everything(world):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    cov = selectors.campaign_coverage(actor=Actor.system("t"), campaign=campaign)
    assert as_tuple(cov) == independent_count(campaign)


def test_recount_command_reports_and_fixes_drift(world, actor_of):  # type: ignore[no-untyped-def]
    from django.core.management import CommandError, call_command

    campaign = open_campaign(world)
    call_command("campaign_recount", str(campaign.pk))
    CampaignGridTally.objects.filter(campaign=campaign, grid=world.grid_b).update(households_total=9)
    with pytest.raises(CommandError, match="drifted"):
        call_command("campaign_recount", str(campaign.pk))
    call_command("campaign_recount", str(campaign.pk), "--fix")
    assert services.tallies_mismatch(campaign) == {}
