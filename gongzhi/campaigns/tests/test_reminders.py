from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from gongzhi.campaigns import services
from gongzhi.campaigns.choices import HouseholdState
from gongzhi.campaigns.models import CampaignGridTally, CampaignHousehold
from gongzhi.campaigns.reminders import campaign_reminders, expected_permille
from gongzhi.campaigns.tests.helpers import START, open_campaign
from gongzhi.core.models import Notification

pytestmark = pytest.mark.django_db


def told(username: str, kind: str) -> int:
    return Notification.objects.filter(recipient__username=username, kind=kind).count()


def test_expected_pace_is_a_straight_line(world):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    assert expected_permille(campaign, START) == 100
    assert expected_permille(campaign, START + dt.timedelta(days=9)) == 1000
    assert expected_permille(campaign, START - dt.timedelta(days=1)) == 0


def test_workers_with_gaps_are_told_once_a_day(world, actor_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    for key in ("jumin", "neighbour"):
        row = CampaignHousehold.objects.get(campaign=campaign, household=world.households[key])
        services.visit_record(actor=actor_of("wangge_a"), row=row, outcome=HouseholdState.REACHED, idempotency_key=key)
    campaign_reminders(today=START)
    campaign_reminders(today=START)
    assert told("wangge_a", "campaigns.gaps") == 0  # grid A is done
    assert told("wangge_b", "campaigns.gaps") == 1


@override_settings(GONGZHI_CAMPAIGN_BEHIND_DAYS=2)
def test_a_grid_behind_for_n_days_goes_up_the_chain_step_by_step(world):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    campaign_reminders(today=START)
    assert CampaignGridTally.objects.get(campaign=campaign, grid=world.grid_b).behind_since == START
    campaign_reminders(today=START + dt.timedelta(days=1))
    assert told("baobao", "campaigns.behind") == 0
    campaign_reminders(today=START + dt.timedelta(days=2))
    # Grids A and B of compound X are behind; their heads walk them, so the next step up is the cadre.
    assert told("baobao", "campaigns.behind") == 2 and told("lingdao", "campaigns.behind") == 0
    campaign_reminders(today=START + dt.timedelta(days=3))
    assert told("baobao", "campaigns.behind") == 2
    campaign_reminders(today=START + dt.timedelta(days=4))
    assert told("lingdao", "campaigns.behind") == 2
    assert told("wangge_b", "campaigns.behind") == 0
