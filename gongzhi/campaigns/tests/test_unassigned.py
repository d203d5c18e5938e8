"""不漏一户: households that no grid holds, or that have no dwelling, are counted and walked all the same."""

from __future__ import annotations

import pytest

from gongzhi.campaigns import selectors, services
from gongzhi.campaigns.choices import HouseholdState, PersonState
from gongzhi.campaigns.models import CampaignGridTally, CampaignHousehold, CampaignPerson, GridAssignment
from gongzhi.campaigns.tests.helpers import open_campaign
from gongzhi.territory.models import Grid
from gongzhi.territory.permissions import visible_grids
from gongzhi.testing.world import add_orphans

pytestmark = pytest.mark.django_db


def test_households_outside_any_grid_are_in_the_totals(world, actor_of):  # type: ignore[no-untyped-def]
    gridless, homeless = add_orphans(world)
    campaign = open_campaign(world)
    # 4 in grids + 2 in 第一社区 outside any grid + 1 in 第二社区.
    assert CampaignHousehold.objects.filter(campaign=campaign).count() == 7
    assert CampaignPerson.objects.filter(campaign=campaign).count() == 5 + 3 + 1
    total = selectors.campaign_coverage(actor=actor_of("jiedao"), campaign=campaign)
    assert (total.households_total, total.persons_total) == (7, 9)
    holding = Grid.objects.get(community=world.community, is_holding=True)
    rows = CampaignHousehold.objects.filter(campaign=campaign, grid=holding)
    assert {r.household_id for r in rows} == {gridless.pk, homeless.pk}
    tally = CampaignGridTally.objects.get(campaign=campaign, grid=holding)
    assert (tally.households_total, tally.persons_total, tally.org_path) == (2, 3, world.community.path)
    assert Grid.objects.filter(community=world.other_community, is_holding=True).count() == 1
    assert services.tallies_mismatch(campaign) == {}


def test_the_unassigned_bucket_goes_to_the_community_worker_and_is_walked(world, actor_of):  # type: ignore[no-untyped-def]
    _gridless, homeless = add_orphans(world)
    campaign = open_campaign(world)
    holding = Grid.objects.get(community=world.community, is_holding=True)
    workers = GridAssignment.objects.filter(campaign=campaign, grid=holding, ended_at__isnull=True)
    assert [a.worker.username for a in workers] == ["shequ"]
    other = Grid.objects.get(community=world.other_community, is_holding=True)
    assert not GridAssignment.objects.filter(campaign=campaign, grid=other).exists()  # nobody holds 第二社区

    shequ = actor_of("shequ")
    assert holding in selectors.my_grids(actor=shequ, campaign=campaign)
    missing = selectors.household_lines(
        selectors.household_rows(actor=shequ, campaign=campaign, grid_id=holding.pk, state="missing")
    )
    assert len(missing) == 2
    assert "户号 H-PAPER-1（未登记房屋）" in [line.address for line in missing]
    row = CampaignHousehold.objects.get(campaign=campaign, household=homeless)
    person_row = CampaignPerson.objects.get(household_row=row)
    services.visit_record(
        actor=shequ,
        row=row,
        outcome=HouseholdState.REACHED,
        idempotency_key="unassigned-1",
        answers={"rented": False, "n": 1},
        checks=[services.CheckInput(person_row.pk, PersonState.PRESENT, {"temp": "36.6", "trip": "无"})],
    )
    cov = selectors.grid_coverage(actor=shequ, campaign=campaign, grid_id=holding.pk)
    assert (cov.households_reached, cov.households_total, cov.persons_checked) == (1, 2, 1)
    # The community's rows show the bucket as a grid row beside the area.
    rows = selectors.coverage_rows(actor=actor_of("jiedao"), campaign=campaign, node=world.community)
    assert [(r.name, r.households_total) for r in rows if r.grid_id == holding.pk] == [("第一社区·未划网格", 2)]


def test_opening_shows_the_unassigned_count_before_it_is_confirmed(world, client_of):  # type: ignore[no-untyped-def]
    add_orphans(world)
    campaign = open_campaign(world)
    draft = services.campaign_create(
        actor=services_actor(world),
        title="秋季登记",
        kind=campaign.kind,
        purpose="人口信息核对",
        scope=[world.community],
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        retention_ends_on=campaign.retention_ends_on,
    )
    preview = services.snapshot_preview(campaign=draft)
    assert (preview.households, preview.unassigned_total) == (5, 2)
    assert [(b.node.name, b.households) for b in preview.unassigned] == [("第一社区", 2)]
    page = client_of("shequ").get(f"/campaigns/{draft.pk}/").content.decode()
    assert "范围内在册 5 户" in page
    assert "2 户不在任何网格" in page
    assert "其中 2 户不在任何网格" in page  # the confirmation before 开始走访


def services_actor(world):  # type: ignore[no-untyped-def]
    from gongzhi.accounts.actors import actor_for_user

    return actor_for_user(world.user("shequ"))


def test_holding_cells_list_nowhere_as_grids(world, actor_of):  # type: ignore[no-untyped-def]
    add_orphans(world)
    open_campaign(world)
    assert Grid.objects.filter(is_holding=True).count() == 2
    for persona in ("jiedao", "shequ"):
        assert not visible_grids(actor_of(persona)).filter(is_holding=True).exists()
    # A second campaign reuses the community's cell.
    open_campaign(world)
    assert Grid.objects.filter(is_holding=True).count() == 2
