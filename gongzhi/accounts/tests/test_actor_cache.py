"""The Actor and API tokens cached across requests (accounts.actor_cache): served from the cache while
nothing they rest on changes, and never after a Duty, account, person or token changed."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.accounts import actor_cache
from gongzhi.accounts.actors import actor_for_user, request_actor
from gongzhi.accounts.choices import Role
from gongzhi.accounts.security import api_token_create
from gongzhi.accounts.services import duty_grant, duty_revoke
from gongzhi.core.actors import Actor

PEOPLE = "/api/v1/registry/people"


def _names(client, headers) -> set[str]:  # type: ignore[no-untyped-def]
    response = client.get(PEOPLE, headers=headers)
    assert response.status_code == 200, response.content
    return {item["name"] for item in response.json()["items"]}


def _token(world, username: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    _record, token = api_token_create(user=world.user(username), name="cache test")
    return {"Authorization": f"Bearer {token}"}


def test_a_repeated_api_call_resolves_token_and_actor_without_queries(world, client):
    headers = _token(world, "wangge_b")
    _names(client, headers)
    with CaptureQueriesContext(connection) as cold_free:
        _names(client, headers)
    sql = " ".join(q["sql"] for q in cold_free.captured_queries)
    assert "accounts_apitoken" not in sql
    assert "accounts_duty" not in sql


def test_a_duty_granted_and_revoked_changes_the_next_api_call(world, client):
    headers = _token(world, "wangge_b")
    assert _names(client, headers) == {"住户丙"}
    officer = actor_for_user(world.user("jiedao"))
    duty = duty_grant(actor=officer, user=world.user("wangge_b"), role=Role.GRID_HEAD, grid=world.grid_a)
    assert "居民甲" in _names(client, headers)
    duty_revoke(actor=officer, duty=duty)
    assert _names(client, headers) == {"住户丙"}


def test_a_duty_granted_changes_the_next_page_of_a_session(world, client_of):
    client = client_of("wangge_b")
    assert _names(client, {}) == {"住户丙"}
    officer = actor_for_user(world.user("jiedao"))
    duty_grant(actor=officer, user=world.user("wangge_b"), role=Role.GRID_HEAD, grid=world.grid_a)
    assert "居民甲" in _names(client, {})


def test_a_duty_whose_end_date_passes_stops_counting_the_next_day(world, client):
    import time_machine

    headers = _token(world, "wangge_b")
    officer = actor_for_user(world.user("jiedao"))
    from django.utils import timezone

    today = timezone.localdate()
    duty_grant(actor=officer, user=world.user("wangge_b"), role=Role.GRID_HEAD, grid=world.grid_a, ends_on=today)
    assert "居民甲" in _names(client, headers)
    with time_machine.travel(dt.datetime.combine(today + dt.timedelta(days=1), dt.time(9), tzinfo=dt.UTC)):
        assert _names(client, headers) == {"住户丙"}


def test_a_deactivated_users_token_is_refused_at_once(world, client):
    headers = _token(world, "wangge_b")
    assert _names(client, headers) == {"住户丙"}
    user = world.user("wangge_b")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(PEOPLE, headers=headers).status_code == 401


def test_a_resident_who_moves_out_loses_their_household_at_once(world):
    from gongzhi.registry.services import person_move_out

    jumin = world.user("jumin")
    assert request_actor(jumin, ip_address="", is_verified=False).household_id is not None
    officer = actor_for_user(world.user("shequ"))
    person_move_out(actor=officer, person=world.people["jumin"])
    jumin.refresh_from_db()
    assert request_actor(jumin, ip_address="", is_verified=False).household_id is None


def test_an_actor_built_while_its_duties_changed_is_not_served_again(world):
    """A request read the old Duties just before another committed a change: what it stores is stale and
    must be rebuilt, although it reached the cache after the change's invalidation."""
    user = world.user("wangge_b")
    builds: list[str] = []

    def stale_build() -> Actor:
        builds.append("stale")
        actor = actor_for_user(user)
        actor_cache.invalidate_users([user.pk])  # the other request's change lands while this one builds
        return actor

    def fresh_build() -> Actor:
        builds.append("fresh")
        return actor_for_user(user)

    actor_cache.cached_actor(user.pk, stale_build, ip_address="", is_verified=False)
    actor_cache.cached_actor(user.pk, fresh_build, ip_address="", is_verified=False)
    actor_cache.cached_actor(user.pk, fresh_build, ip_address="", is_verified=False)
    assert builds == ["stale", "fresh"]


def test_per_request_fields_are_never_shared(world):
    user = world.user("jiedao")
    first = request_actor(user, ip_address="10.0.0.1", is_verified=True)
    second = request_actor(user, ip_address="10.0.0.2", is_verified=False)
    assert (first.ip_address, first.is_verified) == ("10.0.0.1", True)
    assert (second.ip_address, second.is_verified) == ("10.0.0.2", False)
    assert first.grants == second.grants


def test_off_means_every_request_builds_afresh(world, settings):
    settings.GONGZHI_ACTOR_CACHE_SECONDS = 0
    user = world.user("wangge_b")
    request_actor(user, ip_address="", is_verified=False)
    with CaptureQueriesContext(connection) as queries:
        request_actor(user, ip_address="", is_verified=False)
    assert any("accounts_duty" in q["sql"] for q in queries.captured_queries)


def test_a_resident_the_registry_import_moves_gets_their_new_household_at_once(world):
    """The import moves people with bulk_update, which sends no post_save: it drops their cached Actors
    itself (registry.importing.apply), or the resident would keep voting and reporting for the old home."""
    from gongzhi.registry.tests.test_importing import row, run, sheet
    from gongzhi.testing.world import JUMIN_ID

    jumin = world.user("jumin")
    before = request_actor(jumin, ip_address="", is_verified=False).household_id
    assert before == world.people["jumin"].household_id
    outcome = run(sheet(row(room="101", building="2号楼", name="居民甲", id_number=JUMIN_ID, relation="其他")))
    assert outcome.summary()["updated"] == 1
    world.people["jumin"].refresh_from_db()
    next_request_user = type(jumin).objects.get(pk=jumin.pk)  # as the next request loads it: no stale .person
    after = request_actor(next_request_user, ip_address="", is_verified=False).household_id
    assert after == world.people["jumin"].household_id != before
