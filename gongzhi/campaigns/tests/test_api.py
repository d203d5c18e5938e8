from __future__ import annotations

import json

import pytest

from gongzhi.campaigns.models import CampaignGridTally, CampaignHousehold, Visit
from gongzhi.campaigns.tests.helpers import open_campaign

pytestmark = pytest.mark.django_db


def test_a_phone_client_records_a_visit_once_and_reads_coverage(world, client_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    c = client_of("wangge_a")
    row = CampaignHousehold.objects.get(campaign=campaign, household=world.households["jumin"])
    person = row.person_rows.order_by("pk").first()
    body = {
        "idempotency_key": "phone-1",
        "outcome": "reached",
        "answers": {"rented": "否"},
        "checks": [{"person_row_id": person.pk, "status": "present", "answers": {"temp": "36.8"}}],
    }
    url = f"/api/v1/campaigns/{campaign.pk}/households/{row.pk}/visits"
    first = c.post(url, json.dumps(body), content_type="application/json")
    again = c.post(url, json.dumps(body), content_type="application/json")
    assert first.status_code == again.status_code == 201
    assert first.json()["visit_id"] == again.json()["visit_id"] and first.json()["state"] == "reached"
    assert Visit.objects.count() == 1
    assert CampaignGridTally.objects.get(campaign=campaign, grid=world.grid_a).households_reached == 1
    cov = c.get(f"/api/v1/campaigns/{campaign.pk}/coverage").json()
    assert cov == {"households_total": 2, "households_reached": 1, "persons_total": 3, "persons_checked": 1}
    assert [x["id"] for x in c.get("/api/v1/campaigns/").json()["items"]] == [campaign.pk]


def test_api_errors_name_the_field_and_other_grids_are_404(world, client_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    c = client_of("wangge_a")
    row = CampaignHousehold.objects.get(campaign=campaign, household=world.households["jumin"])
    bad = c.post(
        f"/api/v1/campaigns/{campaign.pk}/households/{row.pk}/visits",
        json.dumps({"idempotency_key": "x", "outcome": "reached", "answers": {"n": "很多"}}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "n"
    row_b = CampaignHousehold.objects.get(campaign=campaign, household=world.households["grid_b"])
    other = c.post(
        f"/api/v1/campaigns/{campaign.pk}/households/{row_b.pk}/visits",
        json.dumps({"idempotency_key": "y", "outcome": "reached"}),
        content_type="application/json",
    )
    assert other.status_code == 404
