from __future__ import annotations

import pytest
from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.models import User
from gongzhi.campaigns import selectors, services
from gongzhi.campaigns.choices import CampaignStatus
from gongzhi.campaigns.models import Campaign, CampaignDayTally, CampaignGridTally, Visit
from gongzhi.campaigns.tests.test_services import as_tuple, independent_count
from gongzhi.demo.seed import seed_demo

pytestmark = pytest.mark.django_db


def test_demo_campaign_has_true_partial_progress():  # type: ignore[no-untyped-def]
    seed_demo(tier="T", seed=2026)
    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.OPEN
    assert services.tallies_mismatch(campaign) == {}
    jiedao = actor_for_user(User.objects.get(username="jiedao"))
    whole = selectors.campaign_coverage(actor=jiedao, campaign=campaign)
    assert as_tuple(whole) == independent_count(campaign)
    assert 0 < whole.households_reached < whole.households_total
    wangge_a = actor_for_user(User.objects.get(username="wangge_a"))
    (grid,) = selectors.my_grids(actor=wangge_a, campaign=campaign)
    tally = CampaignGridTally.objects.get(campaign=campaign, grid=grid)
    assert 0 < tally.households_reached < tally.households_total
    days = set(CampaignDayTally.objects.filter(campaign=campaign).values_list("day", flat=True))
    assert len(days) >= 3 and max(days) < timezone.localdate()
    assert Visit.objects.filter(campaign=campaign).exclude(answers={}).exists()
