"""Hostile parameters over /api/v1 and Open311 are refused with a client error, never a server error: page
numbers whose offset overflows the database's integer, ids beyond 64 bits, NUL characters that PostgreSQL's
text refuses, dates that are not dates. Each case is one a fuzzer or a careless client sent."""

from __future__ import annotations

import json

import pytest

from gongzhi.campaigns.models import CampaignHousehold
from gongzhi.campaigns.tests.helpers import open_campaign
from gongzhi.core.api import PAGE_MAX, PAGE_SIZE_MAX

pytestmark = pytest.mark.django_db

HUGE = 396653211183271552  # the page a fuzzer sent to /volunteering/hours: its offset overflows SQLite
PAGINATED = [
    "/api/v1/territory/grids",
    "/api/v1/registry/people",
    "/api/v1/registry/households",
    "/api/v1/volunteering/activities",
    "/api/v1/volunteering/orders",
    "/api/v1/volunteering/points/entries",
    "/api/v1/volunteering/hours",
    "/api/v1/votes/polls",
    "/api/v1/cases/cases",
    "/api/v1/campaigns/",
    "/api/v1/stewardship/evaluations",
]
BY_ID = [
    "/api/v1/territory/nodes/{}",
    "/api/v1/territory/grids/{}",
    "/api/v1/registry/people/{}",
    "/api/v1/registry/households/{}",
    "/api/v1/volunteering/activities/{}",
    "/api/v1/votes/polls/{}",
    "/api/v1/cases/cases/{}",
    "/api/v1/campaigns/{}/coverage",
    "/api/v1/stewardship/evaluations/{}",
]


@pytest.mark.parametrize("url", PAGINATED)
@pytest.mark.parametrize("query", [f"page={HUGE}", f"page={PAGE_MAX + 1}", "page=0", "page_size=0", "page_size=101"])
def test_out_of_bounds_pages_are_422(world, client_of, url, query):  # type: ignore[no-untyped-def]
    response = client_of("jiedao").get(f"{url}?{query}")
    assert response.status_code == 422, response.content
    assert "detail" in response.json()


@pytest.mark.parametrize("url", PAGINATED)
def test_the_last_allowed_page_is_an_empty_page(world, client_of, url):  # type: ignore[no-untyped-def]
    response = client_of("jiedao").get(f"{url}?page={PAGE_MAX}&page_size={PAGE_SIZE_MAX}")
    assert response.status_code == 200 and response.json()["items"] == []


def test_page_size_is_honoured_up_to_its_bound(world, client_of):  # type: ignore[no-untyped-def]
    c = client_of("jiedao")
    all_people = c.get("/api/v1/registry/people?page_size=100").json()
    assert all_people["count"] > 2
    assert len(c.get("/api/v1/registry/people?page_size=2").json()["items"]) == 2


@pytest.mark.parametrize("url", BY_ID)
@pytest.mark.parametrize("value", [2**63, 10**30, 0, -1])
def test_ids_outside_the_64_bit_range_are_422(world, client_of, url, value):  # type: ignore[no-untyped-def]
    assert client_of("jiedao").get(url.format(value)).status_code == 422


@pytest.mark.parametrize("url", BY_ID)
def test_the_largest_id_is_a_plain_404(world, client_of, url):  # type: ignore[no-untyped-def]
    assert client_of("jiedao").get(url.format(2**63 - 1)).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/registry/people?q=%00",
        "/api/v1/registry/people?grid=99999999999999999999",
        "/api/v1/registry/households?grid=-5",
        "/api/v1/territory/grids?q=a%00b",
        "/api/v1/cases/cases?status=%00",
        "/api/v1/votes/polls?status=open%00",
        "/api/v1/stewardship/evaluations?month=2026-01%00",
        "/api/v1/registry/people?q=" + "张" * 201,
    ],
)
def test_text_and_filter_parameters_are_bounded(world, client_of, url):  # type: ignore[no-untyped-def]
    assert client_of("jiedao").get(url).status_code == 422


def test_a_visit_body_with_nul_is_refused_and_nothing_written(world, client_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    row = CampaignHousehold.objects.get(campaign=campaign, household=world.households["jumin"])
    url = f"/api/v1/campaigns/{campaign.pk}/households/{row.pk}/visits"
    c = client_of("wangge_a")
    for body in (
        {"idempotency_key": "k\x00", "outcome": "reached"},
        {"idempotency_key": "k", "outcome": "reached", "note": "门\x00口"},
        {"idempotency_key": "k", "outcome": "reached", "answers": {"rented": "否\x00"}},
    ):
        response = c.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 400, response.content
    row.refresh_from_db()
    assert row.state == "pending" and not row.visits.exists()


@pytest.mark.parametrize(
    "query",
    [
        "start_date=yesterday",
        "start_date=2026-13-01T00:00:00Z",
        "end_date=%00",
        "service_request_id=1,2,x",
        f"service_request_id={2**70}",
        "page=0",
        f"page={HUGE}",
        "status=%00",
    ],
)
def test_open311_bad_queries_are_georeport_errors(world, client, query):  # type: ignore[no-untyped-def]
    response = client.get(f"/open311/v2/requests.json?{query}")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert isinstance(errors, list) and errors[0]["code"] == 400 and errors[0]["description"]


@pytest.mark.parametrize("path", [f"requests/{2**70}.json", "requests/abc.json", "services/nope.json"])
def test_open311_unknown_ids_are_georeport_404s(world, client, path):  # type: ignore[no-untyped-def]
    response = client.get(f"/open311/v2/{path}")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404
