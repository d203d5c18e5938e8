import pytest

from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.security import api_token_create
from gongzhi.testing.world import JUMIN_ID

pytestmark = pytest.mark.django_db


def test_api_needs_authentication(world, client):
    response = client.get("/api/v1/registry/people")
    assert response.status_code == 401


def test_api_session_sees_the_same_scope_as_the_pages(world, client_of):
    data = client_of("wangge_a").get("/api/v1/registry/people").json()
    names = {item["name"] for item in data["items"]}
    assert names == {"居民甲", "曾小红", "邻居乙"}
    assert data["count"] == 3
    assert all(JUMIN_ID not in str(item) for item in data["items"])
    assert {item["id_masked"] for item in data["items"] if item["name"] == "居民甲"} == {"340303********1233"}


def test_api_out_of_scope_household_is_404(world, client_of):
    url = f"/api/v1/registry/households/{world.households['jumin'].pk}"
    assert client_of("wangge_a").get(url).status_code == 200
    assert client_of("wangge_b").get(url).status_code == 404
    assert client_of("wuye").get(url).status_code == 404


def test_api_token_auth_uses_the_token_owners_scope(world, client):
    _record, token = api_token_create(user=world.user("wangge_b"), name="grid app")
    headers = {"Authorization": f"Bearer {token}"}
    data = client.get("/api/v1/registry/people", headers=headers).json()
    assert {item["name"] for item in data["items"]} == {"住户丙"}
    assert client.get("/api/v1/registry/people", headers={"Authorization": "Bearer gz_wrong"}).status_code == 401


def test_api_revoked_or_expired_token_is_refused(world, client):
    import datetime as dt

    import time_machine

    from gongzhi.accounts.actors import actor_for_user
    from gongzhi.accounts.services import api_token_revoke

    # The token's row is cached across requests (actor_cache): expiry passes with the clock, and revoking
    # through the service (or the admin) drops it.
    record, token = api_token_create(user=world.user("jiedao"), name="x", days=1)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/territory/nodes", headers=headers).status_code == 200
    with time_machine.travel(record.expires_at + dt.timedelta(seconds=1)):
        assert client.get("/api/v1/territory/nodes", headers=headers).status_code == 401
    assert client.get("/api/v1/territory/nodes", headers=headers).status_code == 200
    api_token_revoke(actor=actor_for_user(world.user("jiedao")), token=record)
    assert client.get("/api/v1/territory/nodes", headers=headers).status_code == 401


def test_api_token_is_stored_only_as_a_digest(world):
    record, token = api_token_create(user=world.user("jiedao"), name="x")
    assert token not in repr(ApiToken.objects.filter(pk=record.pk).values().get())


def test_api_people_search_and_pagination(world, client_of):
    c = client_of("jiedao")
    assert [i["name"] for i in c.get("/api/v1/registry/people", {"q": "zxh"}).json()["items"]] == ["曾小红"]
    assert c.get("/api/v1/registry/people", {"q": JUMIN_ID}).json()["count"] == 1
    page = c.get("/api/v1/registry/households", {"page": 1}).json()
    assert page["count"] == 4


def test_api_throttles_per_user(world, client_of, settings):
    from config.api import api

    throttle = api.throttle[0]
    old = throttle.rate, throttle.num_requests, throttle.duration
    throttle.rate, throttle.num_requests, throttle.duration = "3/m", 3, 60
    try:
        from django.core.cache import cache

        cache.clear()
        c = client_of("jiedao")
        codes = [c.get("/api/v1/territory/nodes").status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
    finally:
        throttle.rate, throttle.num_requests, throttle.duration = old
        cache.clear()


def test_openapi_schema_and_local_docs(world, client_of):
    c = client_of("jiedao")
    schema = c.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/registry/people" in schema["paths"]
    docs = c.get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
