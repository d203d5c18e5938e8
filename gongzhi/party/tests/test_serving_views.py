"""送服务 pages: the organisation's activities and totals from certified records, publishing through the
volunteering form, refusals, and the access-log row for the hours table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.core.models import AccessLog
from gongzhi.party import serving
from gongzhi.party.models import ServiceActivity
from gongzhi.party.tests.helpers import build_party
from gongzhi.volunteering.services import ActivityData
from gongzhi.volunteering.testing import attend, ensure_default_rule, register

pytestmark = pytest.mark.django_db


def _form(world, **changes):  # type: ignore[no-untyped-def]
    starts = timezone.localtime() + dt.timedelta(days=3)
    data = {
        "title": "党员先锋岗：垃圾分类督导",
        "service_content": "环境整治",
        "node": world.compound_x.pk,
        "place": "X小区东门",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "slots": 8,
        "min_age": 0,
        "description": "",
    }
    return data | changes


def test_secretary_publishes_a_party_service_activity(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    client = client_of("dangzhibu")
    response = client.post(reverse("party:service-create", args=[party.branch_x.pk]), _form(world))
    tag = ServiceActivity.objects.get()
    assert response["Location"] == reverse("volunteering:activity-detail", args=[tag.activity_id])
    assert (tag.organisation, tag.activity.title) == (party.branch_x, "党员先锋岗：垃圾分类督导")


def test_a_bad_form_keeps_the_input_and_says_why(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    form = _form(world, title="党员巡逻", slots=0)
    response = client_of("dangzhibu").post(reverse("party:service-create", args=[party.branch_x.pk]), form)
    body = response.content.decode()
    assert response.status_code == 200
    assert "党员巡逻" in body and "确保该值大于或等于1" in body
    assert not ServiceActivity.objects.exists()


def test_a_place_outside_the_branch_is_not_offered(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    form = _form(world, node=world.compound_y.pk)
    response = client_of("dangzhibu").post(reverse("party:service-create", args=[party.branch_x.pk]), form)
    assert response.status_code == 200
    assert not ServiceActivity.objects.exists()


def test_the_list_shows_certified_hours_and_logs_the_names(world, client_of):  # type: ignore[no-untyped-def]
    ensure_default_rule()
    party = build_party(world)
    dangzhibu = actor_for_user(world.user("dangzhibu"))
    starts = timezone.now() - dt.timedelta(hours=4)
    tag = serving.service_activity_create(
        actor=dangzhibu,
        organisation=party.branch_x,
        data=ActivityData(
            title="党员进楼栋：楼道清理",
            service_content="环境整治",
            node=world.compound_x,
            place="1号楼",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            slots=5,
        ),
    )
    attend(tag.activity, register(world.people["jumin"]), minutes=150)
    response = client_of("dangzhibu").get(reverse("party:service-list", args=[party.branch_x.pk]))
    body = response.content.decode()
    assert "党员进楼栋：楼道清理" in body and "1/5" in body
    assert "2.5" in body and "居民甲" in body
    log = AccessLog.objects.get(subject_type="party.member", reason="查看党员服务时长")
    assert log.row_count == 1


def test_nobody_outside_party_roles_sees_the_page(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    for username in ("jumin", "wangge_a", "shequ", "zhiyuan"):
        client = client_of(username)
        assert client.get(reverse("party:service-list", args=[party.branch_x.pk])).status_code == 404
        assert client.get(reverse("party:service-create", args=[party.branch_x.pk])).status_code == 404
    # The secretary of X does not see the joint branch of Y and Z.
    assert client_of("dangzhibu").get(reverse("party:service-list", args=[party.joint_yz.pk])).status_code == 404


def test_volunteering_pages_mark_party_service_activities(world, client_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    client = client_of("dangzhibu")
    client.post(reverse("party:service-create", args=[party.branch_x.pk]), _form(world))
    client.post(reverse("party:service-create", args=[party.branch_x.pk]), _form(world, title="普通标题"))
    tagged, plain = ServiceActivity.objects.order_by("pk")
    ServiceActivity.objects.filter(pk=plain.pk).delete()  # the second one is an ordinary activity
    resident = client_of("jumin")
    listing = resident.get(reverse("volunteering:activity-list")).content.decode()
    assert listing.count(">党员服务</span>") == 1
    detail = resident.get(reverse("volunteering:activity-detail", args=[tagged.activity_id])).content.decode()
    assert ">党员服务</span>" in detail
    other = resident.get(reverse("volunteering:activity-detail", args=[plain.activity_id])).content.decode()
    assert ">党员服务</span>" not in other
