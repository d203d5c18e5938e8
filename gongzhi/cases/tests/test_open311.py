"""Open311 GeoReport v2, tried as a client that follows the spec would."""

import datetime as dt
import json
import threading
import time

import pytest
from defusedxml import ElementTree
from django.core.cache import cache
from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.cases import open311
from gongzhi.cases.choices import Action, CaseStatus, Channel
from gongzhi.cases.models import Case
from gongzhi.cases.services import case_transition, open311_key_create, open311_key_revoke
from gongzhi.cases.tests.helpers import report_leak
from gongzhi.territory.models import Node
from gongzhi.territory.services import grid_set_boundary
from gongzhi.testing.world import SYSTEM

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[117.0, 31.0], [117.1, 31.0], [117.1, 31.1], [117.0, 31.1], [117.0, 31.0]]],
}


@pytest.fixture
def api_key(world):
    _key, raw = open311_key_create(actor=actor_for_user(world.user("jiedao")), name="12345 热线")
    return raw


def xml(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ElementTree.fromstring(response.content)


def test_discovery_in_both_formats(client):
    body = client.get(f"{BASE}/discovery.json").json()
    assert body["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert "application/json" in body["endpoints"][0]["formats"]
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery" and root.find("endpoints/endpoint/url") is not None


def test_services_list_public_leaf_categories_with_string_codes(world, client):
    services = client.get(f"{BASE}/services.json").json()
    codes = {s["service_code"] for s in services}
    assert "0101" in codes and "01" not in codes
    assert "0401" not in codes  # 邻里纠纷 is not public
    assert all(isinstance(s["service_code"], str) for s in services)
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and root.find("service/service_code").text == "0101"


def test_json_is_typed_as_the_specs_json_examples(world, client, api_key):
    """A client that tests `if service["metadata"]` must not read the string "false" as true."""
    [service, *_] = json.loads(client.get(f"{BASE}/services.json").content)
    assert service["metadata"] is True
    assert isinstance(service["service_code"], str)
    definition = json.loads(client.get(f"{BASE}/services/{service['service_code']}.json").content)
    for attribute in definition["attributes"]:
        assert isinstance(attribute["variable"], bool)
        assert isinstance(attribute["required"], bool)
        assert type(attribute["order"]) is int and attribute["order"] >= 1
    assert [a["variable"] for a in definition["attributes"]] == [True, False]
    # XML stays text, as the spec's XML examples write it.
    root = xml(client.get(f"{BASE}/services/{service['service_code']}.xml"))
    assert [e.text for e in root.findall("attributes/attribute/variable")] == ["true", "false"]
    assert root.find("attributes/attribute/order").text == "1"
    assert xml(client.get(f"{BASE}/services.xml")).find("service/metadata").text == "true"

    grid_set_boundary(actor=SYSTEM, grid=world.grid_a, boundary=SQUARE)
    client.post(
        f"{BASE}/requests.json",
        {"api_key": api_key, "service_code": "0101", "lat": "31.05", "long": "117.05", "description": "漏水"},
    )
    [row] = json.loads(client.get(f"{BASE}/requests.json").content)
    assert type(row["lat"]) is float and type(row["long"]) is float
    assert isinstance(row["service_request_id"], str)
    assert xml(client.get(f"{BASE}/requests.xml")).find("request/lat").text == "31.050"
    [error] = json.loads(client.get(f"{BASE}/services/9999.json").content)
    assert error["code"] == 404


def test_a_request_without_a_position_has_null_coordinates(world, client, api_key):
    data = {"api_key": api_key, "service_code": "0101", "address_id": str(world.buildings["1"].pk)}
    Node.objects.filter(pk=world.buildings["1"].pk).update(longitude=None, latitude=None)
    client.post(f"{BASE}/requests.json", data)
    [row] = json.loads(client.get(f"{BASE}/requests.json").content)
    assert row["lat"] is None and row["long"] is None
    assert xml(client.get(f"{BASE}/requests.xml")).find("request/lat").text is None


@pytest.mark.parametrize(
    "query",
    ["page=396653211183271552", "page=0", "page=²", "page_size=-1", "service_request_id=99999999999999999999999"],
)
def test_hostile_paging_and_ids_get_a_400_not_a_server_error(world, client, query):
    response = client.get(f"{BASE}/requests.json?{query}")
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


def test_an_oversized_page_size_is_served_at_the_cap(world, client):
    assert client.get(f"{BASE}/requests.json?page_size=5000").status_code == 200


def test_service_definition_and_unknown_code(client):
    definition = client.get(f"{BASE}/services/0101.json").json()
    assert definition["service_code"] == "0101" and definition["attributes"][0]["code"] == "location_detail"
    assert xml(client.get(f"{BASE}/services/0101.xml")).find("attributes/attribute/datatype").text == "string"
    missing = client.get(f"{BASE}/services/9999.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    root = xml(client.get(f"{BASE}/services/9999.xml"))
    assert root.tag == "errors" and root.find("error/description").text


def test_post_needs_a_valid_api_key(world, client, api_key):
    data = {"service_code": "0101", "address_id": str(world.buildings["1"].pk), "description": "漏水"}
    assert client.post(f"{BASE}/requests.json", data).status_code == 403
    assert client.post(f"{BASE}/requests.json", {**data, "api_key": "wrong"}).status_code == 403
    assert xml(client.post(f"{BASE}/requests.xml", data)).find("error/code").text == "403"
    assert Case.objects.count() == 0


def test_post_by_point_then_read_back_in_both_formats(world, client, api_key):
    grid_set_boundary(actor=SYSTEM, grid=world.grid_a, boundary=SQUARE)
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": api_key,
            "service_code": "0101",
            "lat": "31.05",
            "long": "117.05",
            "description": "3号楼门口水管爆裂",
            "email": "someone@example.com",
            "first_name": "张",
        },
    )
    assert response.status_code == 201
    [created] = response.json()
    request_id = created["service_request_id"]
    assert isinstance(request_id, str) and "token" not in created
    case = Case.objects.get(pk=int(request_id))
    assert case.status == CaseStatus.REPORTED and case.channel == Channel.OPEN311 and case.grid_id == world.grid_a.pk
    assert case.reporter_id is None
    [row] = client.get(f"{BASE}/requests/{request_id}.json").json()
    assert row["status"] == "open" and row["service_code"] == "0101" and row["lat"] == 31.05
    assert "someone@example.com" not in str(row) and "张" not in str(row)
    root = xml(client.get(f"{BASE}/requests/{request_id}.xml"))
    assert root.tag == "service_requests" and root.find("request/service_request_id").text == request_id


def test_post_errors_are_400_with_the_spec_format(world, client, api_key):
    response = client.post(f"{BASE}/requests.json", {"api_key": api_key, "service_code": "0101"})
    assert response.status_code == 400 and "location" in response.json()[0]["description"]
    response = client.post(
        f"{BASE}/requests.json", {"api_key": api_key, "service_code": "0101", "lat": "1", "long": "1"}
    )
    assert response.status_code == 400
    assert client.post(f"{BASE}/requests.json", {"api_key": api_key, "service_code": "7777"}).status_code == 404


def test_revoked_key_is_refused(world, client, api_key):
    from gongzhi.cases.models import Open311Key

    open311_key_revoke(actor=actor_for_user(world.user("jiedao")), key=Open311Key.objects.get())
    data = {"api_key": api_key, "service_code": "0101", "address_id": str(world.buildings["1"].pk)}
    assert client.post(f"{BASE}/requests.json", data).status_code == 403


def test_token_lookup(world, client, api_key):
    response = client.post(
        f"{BASE}/requests.json",
        {"api_key": api_key, "service_code": "0101", "address_id": str(world.buildings["2"].pk)},
    )
    case = Case.objects.get(pk=int(response.json()[0]["service_request_id"]))
    [row] = client.get(f"{BASE}/tokens/{case.open311_token}.json").json()
    assert row == {"service_request_id": str(case.pk), "token": case.open311_token}
    assert client.get(f"{BASE}/tokens/nope.json").status_code == 404


def test_get_requests_filters_status_and_hides_private_cases(world, actor_of, client):
    open_case = report_leak(world, actor_of("jumin"))
    private = report_leak(world, actor_of("jumin"), private=True)
    done = report_leak(world, actor_of("jumin"))
    for action, extra in ((Action.ACCEPT, {}), (Action.DISPATCH, {})):
        done = case_transition(actor=actor_of("wangge_a"), case=done, action=action, **extra)
    Case.objects.filter(pk=done.pk).update(status=CaseStatus.CLOSED, reply="已修复", closed_at=timezone.now())
    ids = {r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()}
    assert ids == {str(open_case.pk), str(done.pk)} and str(private.pk) not in ids
    closed = client.get(f"{BASE}/requests.json?status=closed").json()
    assert [r["service_request_id"] for r in closed] == [str(done.pk)]
    assert closed[0]["status_notes"].endswith("已修复") and closed[0]["agency_responsible"]
    assert closed[0]["expected_datetime"]
    assert "居民甲" not in client.get(f"{BASE}/requests.xml").content.decode()
    assert client.get(f"{BASE}/requests/{private.pk}.json").status_code == 404


def test_get_requests_defaults_and_limits(world, actor_of, client):
    cases = [report_leak(world, actor_of("jumin")) for _ in range(3)]
    old = cases[0]
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=120))
    recent = client.get(f"{BASE}/requests.json").json()
    assert str(old.pk) not in {r["service_request_id"] for r in recent} and len(recent) == 2
    page = client.get(f"{BASE}/requests.json?page_size=1&page=2").json()
    assert len(page) == 1 and page[0]["service_request_id"] == str(cases[1].pk)
    too_long = client.get(f"{BASE}/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z")
    assert too_long.status_code == 400 and "90" in too_long.json()[0]["description"]
    assert client.get(f"{BASE}/requests.json?status=pending").status_code == 400
    assert client.get(f"{BASE}/requests.json?page_size=0").status_code == 400
    by_id = client.get(f"{BASE}/requests.json?service_request_id={old.pk}").json()
    assert [r["service_request_id"] for r in by_id] == [str(old.pk)]


def test_media_url_serves_the_photo_without_exif_and_only_for_public_cases(world, actor_of, client):
    public = report_leak(world, actor_of("jumin"))
    private = report_leak(world, actor_of("jumin"), private=True)
    [row] = client.get(f"{BASE}/requests/{public.pk}.json").json()
    assert row["media_url"].startswith("http://testserver/open311/v2/media/")
    image = client.get(row["media_url"].removeprefix("http://testserver"))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert b"PhoneMaker" not in image.content
    assert client.get(f"{BASE}/media/{private.photos.get().pk}.jpg").status_code == 404


def test_a_polling_client_gets_304_until_a_case_changes(world, actor_of, client):
    case = report_leak(world, actor_of("jumin"))
    first = client.get(f"{BASE}/requests.json")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert first.status_code == 200 and etag and modified
    again = client.get(f"{BASE}/requests.json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(f"{BASE}/requests.json", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    # Another query, or the other format, is another list.
    assert client.get(f"{BASE}/requests.json?status=open", HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert client.get(f"{BASE}/requests.xml", HTTP_IF_NONE_MATCH=etag).status_code == 200
    # A step of the case (an event) changes the list: the client gets it whole, with a new ETag.
    case_transition(actor=actor_of("wangge_a"), case=case, action=Action.ACCEPT)
    changed = client.get(f"{BASE}/requests.json", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()[0]["status"] == "open"


def test_a_kept_list_body_is_never_served_after_a_case_changed(world, actor_of, client):
    """The list's body is kept under its ETag (cases.open311._list_response): a client without the ETag
    gets the kept body while nothing changed, and the changed list as soon as a case moved."""
    case = report_leak(world, actor_of("jumin"))
    first = client.get(f"{BASE}/requests.json")
    assert first.json()[0]["status_notes"] == "已上报"
    kept = client.get(f"{BASE}/requests.json")
    assert kept.content == first.content and kept["ETag"] == first["ETag"]
    case_transition(actor=actor_of("wangge_a"), case=case, action=Action.ACCEPT)
    changed = client.get(f"{BASE}/requests.json")
    assert changed["ETag"] != first["ETag"]
    assert changed.json()[0]["status_notes"] != "已上报"


def test_clients_asking_for_a_list_being_built_wait_for_its_body(world, actor_of, client):
    """Single flight: while another request builds a list (it holds the lock), a client asking for the same
    list gets that request's body when it is stored, and builds nothing itself."""
    report_leak(world, actor_of("jumin"))
    etag = client.get(f"{BASE}/requests.json")["ETag"]
    key = open311.list_key(etag)
    cache.delete(key)
    assert cache.add(f"{key}:building", 1, timeout=30)  # another worker is building this list
    built_elsewhere = b'[{"service_request_id": "built by the other request"}]'

    def other_builder():
        time.sleep(0.2)
        cache.set(key, (built_elsewhere, "application/json; charset=utf-8"), 60)

    thread = threading.Thread(target=other_builder)
    thread.start()
    started = time.monotonic()
    waited = client.get(f"{BASE}/requests.json")
    thread.join()
    assert waited.status_code == 200 and waited.content == built_elsewhere
    assert 0.15 < time.monotonic() - started < open311.LIST_BUILD_WAIT_SECONDS


def test_a_builder_that_never_delivers_delays_but_does_not_stop_the_list(world, actor_of, client, monkeypatch):
    report_leak(world, actor_of("jumin"))
    etag = client.get(f"{BASE}/requests.json")["ETag"]
    key = open311.list_key(etag)
    cache.delete(key)
    cache.add(f"{key}:building", 1, timeout=30)  # a builder that died holding the lock
    monkeypatch.setattr(open311, "LIST_BUILD_WAIT_SECONDS", 0.2)
    late = client.get(f"{BASE}/requests.json")
    assert late.status_code == 200 and late.json()[0]["status_notes"] == "已上报"
    assert cache.get(key) is not None and cache.get(f"{key}:building") is None
