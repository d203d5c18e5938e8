from __future__ import annotations

import json

import pytest
from django.urls import reverse

from gongzhi.campaigns.models import CampaignGridTally, CampaignHousehold, CampaignPerson, GridAssignment, Visit
from gongzhi.campaigns.tests.helpers import open_campaign
from gongzhi.core.models import AccessLog
from gongzhi.territory.models import Grid

pytestmark = pytest.mark.django_db


def test_grid_worker_records_a_visit_once_even_when_submitted_twice(world, client_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    c = client_of("wangge_a")
    page = c.get(reverse("campaigns:visit-list", args=[campaign.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "1号楼1单元101" in body and "1号楼1单元102" in body and "2号楼" not in body
    row = CampaignHousehold.objects.get(campaign=campaign, household=world.households["jumin"])
    form = c.get(reverse("campaigns:visit-record", args=[campaign.pk, row.pk]))
    key = form.context["key"]
    people = list(row.person_rows.order_by("pk"))
    data = {
        "idempotency_key": key,
        "outcome": "reached",
        "h-rented": "否",
        f"p{people[0].pk}-status": "present",
        f"p{people[0].pk}-temp": "36.4",
        f"p{people[1].pk}-status": "away",
    }
    url = reverse("campaigns:visit-record", args=[campaign.pk, row.pk])
    assert c.post(url, data).status_code == 302
    assert c.post(url, data).status_code == 302
    assert Visit.objects.count() == 1
    tally = CampaignGridTally.objects.get(campaign=campaign, grid=world.grid_a)
    assert (tally.households_reached, tally.persons_checked) == (1, 2)
    missing = c.get(reverse("campaigns:missing-list", args=[campaign.pk, world.grid_a.pk]))
    assert [line.pk for line in missing.context["lines"]] == [
        CampaignHousehold.objects.get(campaign=campaign, household=world.households["neighbour"]).pk
    ]
    assert "邻**" in missing.content.decode() and "邻居乙" not in missing.content.decode()


def test_a_bad_temperature_is_shown_in_chinese_and_nothing_is_written(world, client_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    c = client_of("wangge_a")
    row = CampaignHousehold.objects.get(campaign=campaign, household=world.households["jumin"])
    person = row.person_rows.first()
    response = c.post(
        reverse("campaigns:visit-record", args=[campaign.pk, row.pk]),
        {"idempotency_key": "abc", "outcome": "reached", f"p{person.pk}-status": "present", f"p{person.pk}-temp": "60"},
    )
    assert response.status_code == 200
    assert "“体温”应在 34.0 到 43.0 之间" in response.content.decode()
    assert response.context["key"] == "abc"
    assert not Visit.objects.exists()


def test_found_person_is_added_through_the_registry(world, client_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    row = CampaignHousehold.objects.get(campaign=campaign, household=world.households["jumin"])
    response = client_of("wangge_a").post(
        reverse("campaigns:person-found", args=[campaign.pk, row.pk]), {"name": "租客丁", "relation": "tenant"}
    )
    assert response.status_code == 302
    assert CampaignPerson.objects.filter(campaign=campaign, is_found=True, person__name="租客丁").exists()


def test_export_of_the_missing_list_writes_an_access_log(world, client_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    response = client_of("wangge_a").get(reverse("campaigns:missing-export", args=[campaign.pk, world.grid_a.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    log = AccessLog.objects.get(subject_type="campaigns.missing")
    assert log.row_count == 5 and log.actor_name == "wangge_a"


def test_other_grids_and_other_roles_get_404(world, client_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    row_b = CampaignHousehold.objects.get(campaign=campaign, household=world.households["grid_b"])
    assert client_of("wangge_a").get(reverse("campaigns:visit-record", args=[campaign.pk, row_b.pk])).status_code == 404
    assert (
        client_of("wangge_a").get(reverse("campaigns:missing-list", args=[campaign.pk, world.grid_b.pk])).status_code
        == 404
    )
    assert client_of("wuye").get(reverse("campaigns:campaign-detail", args=[campaign.pk])).status_code == 404
    assert client_of("jumin").get(reverse("campaigns:campaign-detail", args=[campaign.pk])).status_code == 404


def test_officer_sees_drill_down_map_and_chain(world, client_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    c = client_of("jiedao")
    detail = c.get(reverse("campaigns:campaign-detail", args=[campaign.pk]))
    assert [r.name for r in detail.context["rows"]] == ["第一社区", "第二社区"]
    compound = c.get(reverse("campaigns:campaign-detail", args=[campaign.pk]) + f"?node={world.compound_x.pk}")
    holders = {h.grid.name: [u.username for u in h.workers] for h in compound.context["holders"]}
    assert holders == {"A网格": ["wangge_a"], "B网格": ["wangge_b"]}
    assert [u.username for u in compound.context["chain"].responsible_cadres] == ["baobao"]
    for i, grid in enumerate([world.grid_a, world.grid_b, world.grid_c]):
        ring = [[117 + i, 31], [117.5 + i, 31], [117.5 + i, 31.5], [117 + i, 31.5], [117 + i, 31]]
        Grid.objects.filter(pk=grid.pk).update(boundary={"type": "Polygon", "coordinates": [ring]})
    page = c.get(reverse("campaigns:campaign-map", args=[campaign.pk]))
    assert {v["label"] for v in page.context["map"]["values"]} == {"A网格", "B网格", "C网格"}
    json.dumps(page.context["map"])


def test_officer_reassigns_a_grid(world, client_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    url = reverse("campaigns:grid-reassign", args=[campaign.pk, world.grid_a.pk])
    c = client_of("shequ")
    assert c.get(url).status_code == 200
    response = c.post(url, {"workers": [str(world.user("wangge_b").pk)], "reason": "调休"})
    assert response.status_code == 302
    current = GridAssignment.objects.filter(campaign=campaign, grid=world.grid_a, ended_at__isnull=True)
    assert [a.worker.username for a in current] == ["wangge_b"]
    assert client_of("wangge_a").get(url).status_code == 404


def test_officer_creates_and_opens_a_campaign_from_the_pages(world, client_of):  # type: ignore[no-untyped-def]
    c = client_of("shequ")
    response = c.post(
        reverse("campaigns:campaign-create"),
        {
            "title": "消杀",
            "kind": "disinfection",
            "purpose": "楼道消杀登记",
            "scope": [str(world.community.pk)],
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-05",
            "retention_ends_on": "2026-04-05",
            "fields_spec": "每户|已消杀|是/否|必填\n每人|体温|体温\n每户|人数|数字|0,20",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign_id = int(response["Location"].rstrip("/").split("/")[-1])
    assert c.post(reverse("campaigns:campaign-open", args=[campaign_id])).status_code == 302
    assert CampaignHousehold.objects.filter(campaign_id=campaign_id).count() == 3


def test_campaign_list_is_phone_ready_and_scoped(world, client_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    assert campaign.title in client_of("wangge_a").get(reverse("campaigns:campaign-list")).content.decode()
    assert campaign.title not in client_of("wuye").get(reverse("campaigns:campaign-list")).content.decode()


def test_officer_sees_the_grids_furthest_behind_and_drills_into_them(world, client_of):  # type: ignore[no-untyped-def]
    campaign = open_campaign(world)
    counts = {world.grid_a: (10, 9), world.grid_b: (10, 2), world.grid_c: (4, 4)}
    for grid, (total, reached) in counts.items():
        CampaignGridTally.objects.filter(campaign=campaign, grid=grid).update(
            households_total=total, households_reached=reached
        )
    c = client_of("jiedao")
    url = reverse("campaigns:campaign-detail", args=[campaign.pk])
    page = c.get(url)
    # B (20 %) before A (90 %); C is done and not listed.
    assert [(r.name, r.households_missing) for r in page.context["worst"]] == [("B网格", 8), ("A网格", 1)]
    assert "进度最慢的网格" in page.content.decode()
    missing = reverse("campaigns:missing-list", args=[campaign.pk, world.grid_b.pk])
    assert f'href="{missing}"' in page.content.decode()
    assert c.get(missing).status_code == 200
    # Under 第一社区 the same grids; under a compound the table lists the grids themselves.
    assert c.get(url + f"?node={world.community.pk}").context["worst"][0].name == "B网格"
    assert c.get(url + f"?node={world.compound_x.pk}").context["worst"] == []
    # A grid worker sees no such list.
    assert client_of("wangge_a").get(url).context["worst"] == []
