"""Persona × scope matrix for campaigns (mirrors permissions.py), with coverage checked by an independent count."""

from __future__ import annotations

import pytest

from gongzhi.campaigns import selectors, services
from gongzhi.campaigns.choices import HouseholdState, PersonState
from gongzhi.campaigns.models import CampaignGridTally, CampaignHousehold, CampaignPerson
from gongzhi.campaigns.permissions import (
    visible_campaign_households,
    visible_campaign_people,
    visible_campaigns,
    visible_tallies,
)
from gongzhi.campaigns.tests.helpers import open_campaign
from gongzhi.campaigns.tests.test_services import as_tuple, independent_count
from gongzhi.testing.world import add_orphans

pytestmark = pytest.mark.django_db

# persona → households (by world key) they see in a subdistrict-wide campaign
SEES = {
    "jiedao": {"jumin", "neighbour", "grid_b", "community2"},
    "shequ": {"jumin", "neighbour", "grid_b"},
    "baobao": {"jumin", "neighbour", "grid_b"},
    "lingdao": {"jumin", "neighbour", "grid_b"},
    "wangge_a": {"jumin", "neighbour"},
    "wangge_b": {"grid_b"},
    "louzhang": {"jumin", "neighbour"},
    "wuye": set(),
    "yeweihui": set(),
    "dangzhibu": set(),
    "zhiyuan": set(),
    "admin": set(),
    "shenji": set(),
    "jumin": set(),
}


@pytest.mark.parametrize("username", sorted(SEES))
def test_persona_sees_exactly_their_households(world, actor_of, username):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    actor = actor_of(username)
    keys = {k for k, h in world.households.items()}
    by_id = {world.households[k].pk: k for k in keys}
    seen = {
        by_id[h]
        for h in visible_campaign_households(actor).filter(campaign=campaign).values_list("household_id", flat=True)
    }
    assert seen == SEES[username]
    people = set(
        visible_campaign_people(actor).filter(campaign=campaign).values_list("household_row__household_id", flat=True)
    )
    assert {by_id[h] for h in people} == SEES[username]
    assert visible_campaigns(actor).filter(pk=campaign.pk).exists() == bool(SEES[username])


@pytest.mark.parametrize("username", ["jiedao", "shequ", "baobao", "wangge_a", "wangge_b", "louzhang"])
def test_coverage_matches_an_independent_count_for_each_persona(world, actor_of, username):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    wangge_a = actor_of("wangge_a")
    for key in ("jumin", "neighbour"):
        row = CampaignHousehold.objects.get(campaign=campaign, household=world.households[key])
        checks = [services.CheckInput(p.pk, PersonState.PRESENT) for p in row.person_rows.all()][:1]
        services.visit_record(
            actor=wangge_a, row=row, outcome=HouseholdState.REACHED, idempotency_key=key, checks=checks
        )
    row_b = CampaignHousehold.objects.get(campaign=campaign, household=world.households["grid_b"])
    services.visit_record(actor=actor_of("wangge_b"), row=row_b, outcome=HouseholdState.REFUSED, idempotency_key="b")
    actor = actor_of(username)
    visible_ids = set(visible_campaign_households(actor).filter(campaign=campaign).values_list("pk", flat=True))
    households = CampaignHousehold.objects.filter(pk__in=visible_ids)
    expected = independent_count(campaign, sorted(set(households.values_list("grid_id", flat=True))))
    if username == "louzhang":
        # Building 1 only: counted over its own rows.
        people = CampaignPerson.objects.filter(household_row__in=households)
        expected = (households.count(), 2, people.count(), 2)
    assert as_tuple(selectors.campaign_coverage(actor=actor, campaign=campaign)) == expected


def test_drill_down_sums_to_the_whole_and_reaches_grids(world, actor_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    jiedao = actor_of("jiedao")
    top = selectors.coverage_rows(actor=jiedao, campaign=campaign)
    assert [r.name for r in top] == ["第一社区", "第二社区"]
    whole = selectors.campaign_coverage(actor=jiedao, campaign=campaign)
    assert sum(r.households_total for r in top) == whole.households_total == 4
    compound_rows = selectors.coverage_rows(actor=jiedao, campaign=campaign, node=world.area)
    assert [r.name for r in compound_rows] == ["X小区"]
    grid_rows = selectors.coverage_rows(actor=jiedao, campaign=campaign, node=world.compound_x)
    assert {r.name for r in grid_rows} == {"A网格", "B网格"}


def test_tallies_are_scoped(world, actor_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    assert visible_tallies(actor_of("wangge_a")).filter(campaign=campaign).count() == 1
    assert visible_tallies(actor_of("shequ")).filter(campaign=campaign).count() == 2
    assert visible_tallies(actor_of("wuye")).filter(campaign=campaign).count() == 0
    assert visible_tallies(actor_of("louzhang")).filter(campaign=campaign).count() == 0


def _tally_sums(campaign, rows):  # type: ignore[no-untyped-def]
    """The four counts added up in Python from the tally rows themselves, independently of the selectors."""
    totals = [0, 0, 0, 0]
    for t in rows:
        for i, c in enumerate(selectors.TALLY_COLUMNS):
            totals[i] += getattr(t, c)
    return tuple(totals)


def _summed(rows):  # type: ignore[no-untyped-def]
    """The drill-down's rows added up: what the table shows summed, to compare with the tallies."""
    return tuple(sum(as_tuple(r)[i] for r in rows) for i in range(4)) if rows else ()


@pytest.mark.parametrize("username", ["jiedao", "shequ", "baobao"])
def test_each_level_of_the_drill_down_sums_the_tallies_below_it(world, actor_of, username):  # type: ignore[no-untyped-def]
    # The orphans put a grid (第一社区's 未划网格) directly at the community, beside its area.
    add_orphans(world)
    campaign = open_campaign(world)
    # Different counts in every grid, so a row summed over the wrong grids shows.
    for n, tally in enumerate(CampaignGridTally.objects.filter(campaign=campaign).order_by("grid_id"), start=1):
        CampaignGridTally.objects.filter(pk=tally.pk).update(
            households_total=10 * n, households_reached=n, persons_total=100 * n, persons_checked=7 * n
        )
    actor = actor_of(username)
    seen = list(visible_tallies(actor).filter(campaign=campaign))
    top = selectors.coverage_rows(actor=actor, campaign=campaign)
    assert top
    assert _summed(top) == _tally_sums(campaign, seen)
    assert as_tuple(selectors.campaign_coverage(actor=actor, campaign=campaign)) == _tally_sums(campaign, seen)
    for node in (world.community, world.area, world.compound_x):
        below = [t for t in seen if t.org_path.startswith(node.path)]
        # A node's coverage: its subtree, and the grids that lie directly at a place above it.
        above = [t for t in seen if node.path.startswith(t.org_path) and t.org_path != node.path]
        whole = selectors.campaign_coverage(actor=actor, campaign=campaign, node=node)
        assert as_tuple(whole) == _tally_sums(campaign, below + above), node.name
        rows = selectors.coverage_rows(actor=actor, campaign=campaign, node=node)
        assert _summed(rows) == (_tally_sums(campaign, below) if below else ()), node.name
        for r in rows:
            if r.grid_id is None:
                assert r.name and r.node_id
                assert as_tuple(r) == _tally_sums(campaign, [t for t in below if t.org_path.startswith(r.key)])
            else:
                (tally,) = [t for t in below if t.grid_id == r.grid_id]
                assert as_tuple(r) == _tally_sums(campaign, [tally])
