"""The volunteering API: scoped reads, sign-up, and redemption with an Idempotency-Key."""

import pytest

from gongzhi.volunteering.models import Order

pytestmark = pytest.mark.django_db


def test_mine_shows_the_volunteer_number_and_never_the_id(world, vworld, client_of):
    body = client_of("jumin").get("/api/v1/volunteering/volunteers/mine").json()
    assert body == [
        {
            "id": vworld.volunteer.pk,
            "number": vworld.volunteer.number,
            "name": "居民甲",
            "status": "active",
            "certified_hours": "3",
            "star_level": 0,
            "points_balance": 20,
        }
    ]
    assert client_of("wangge_a").get("/api/v1/volunteering/volunteers/mine").json() == []


def test_redeem_with_an_idempotency_key_spends_once(world, vworld, client_of):
    client = client_of("jumin")
    url = f"/api/v1/volunteering/shop/items/{vworld.item.pk}/orders"
    first = client.post(url, HTTP_IDEMPOTENCY_KEY="phone-retry-0001")
    again = client.post(url, HTTP_IDEMPOTENCY_KEY="phone-retry-0001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and len(first.json()["pickup_code"]) == 8
    assert Order.objects.filter(client_key="phone-retry-0001").count() == 1
    no_key = client.post(url)
    assert no_key.status_code == 400 and "幂等键" in no_key.json()["detail"]
    broke = client.post(url + "?quantity=5", HTTP_IDEMPOTENCY_KEY="phone-retry-0002")
    assert broke.status_code == 400 and "积分不足" in broke.json()["detail"]


def test_staff_cannot_redeem_for_someone_else(world, vworld, client_of):
    url = f"/api/v1/volunteering/shop/items/{vworld.item.pk}/orders?volunteer_id={vworld.volunteer.pk}"
    assert client_of("zhiyuan").post(url, HTTP_IDEMPOTENCY_KEY="staff-try-0001").status_code == 403


def test_sign_up_through_the_api(world, vworld, client_of, actor_of):
    import datetime as dt

    from django.utils import timezone

    from gongzhi.volunteering.testing import make_activity

    activity = make_activity(
        organiser=actor_of("zhiyuan"), node=world.community, starts_at=timezone.now() + dt.timedelta(days=2)
    )
    response = client_of("jumin").post(f"/api/v1/volunteering/activities/{activity.pk}/signups")
    assert response.status_code == 201 and response.json()["status"] == "confirmed"
    again = client_of("jumin").post(f"/api/v1/volunteering/activities/{activity.pk}/signups")
    assert again.status_code == 400 and "已报名" in again.json()["detail"]
    listed = client_of("jumin").get("/api/v1/volunteering/activities").json()["items"]
    assert [a["id"] for a in listed] == [vworld.activity.pk, activity.pk]


def test_entries_and_hours_are_scoped(world, vworld, client_of):
    assert len(client_of("jumin").get("/api/v1/volunteering/points/entries").json()["items"]) == 2
    assert client_of("shequ").get("/api/v1/volunteering/points/entries").json()["items"] == []
    assert client_of("zhiyuan").get("/api/v1/volunteering/hours").json()["items"][0]["minutes"] == 180
