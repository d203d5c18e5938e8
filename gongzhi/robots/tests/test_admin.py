"""The admin: channels configured per community (token and secret never shown), the log read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.core.models import AuditEntry
from gongzhi.robots.choices import DeliveryStatus, RobotKind, Topic
from gongzhi.robots.models import RobotChannel, RobotDelivery
from gongzhi.robots.tests.helpers import channel

pytestmark = pytest.mark.django_db


def _form(world, **fields):  # type: ignore[no-untyped-def]
    data = {
        "community": world.community.pk,
        "name": "第一社区物业工作群",
        "kind": RobotKind.DINGTALK,
        "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=tok123",
        "secret": "SECfirst",
        "topics": [Topic.STEWARDSHIP_RANKING, Topic.STEWARDSHIP_APPEAL],
        "is_active": "on",
    }
    data.update(fields)
    return data


def test_a_channel_is_added_and_changed_in_the_admin_keeping_its_secret(world, client_of):  # type: ignore[no-untyped-def]
    admin = client_of("admin")
    response = admin.post(reverse("admin:robots_robotchannel_add"), _form(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    row = RobotChannel.objects.get()
    assert row.secret == "SECfirst" and row.topics == sorted([Topic.STEWARDSHIP_APPEAL, Topic.STEWARDSHIP_RANKING])
    entry = AuditEntry.objects.get(action="robots.channel_save")
    assert "SECfirst" not in str(entry.after) and "tok123" not in str(entry.after)

    change = reverse("admin:robots_robotchannel_change", args=[row.pk])
    page = admin.get(change).content.decode()
    assert "SECfirst" not in page
    assert admin.post(change, _form(world, secret="", name="改名")).status_code == 302
    row.refresh_from_db()
    assert row.name == "改名" and row.secret == "SECfirst"  # left empty: kept
    assert admin.post(change, _form(world, secret="", clear_secret="on")).status_code == 302
    row.refresh_from_db()
    assert row.secret == ""

    listing = admin.get(reverse("admin:robots_robotchannel_changelist")).content.decode()
    assert "oapi.dingtalk.com" in listing and "tok123" not in listing


def test_the_admin_refuses_a_webhook_on_another_host(world, client_of):  # type: ignore[no-untyped-def]
    response = client_of("admin").post(
        reverse("admin:robots_robotchannel_add"), _form(world, webhook_url="https://example.com/robot/send")
    )
    assert response.status_code == 200
    assert "oapi.dingtalk.com" in response.content.decode()
    assert not RobotChannel.objects.exists()


def test_the_log_is_read_only_and_retries_failed_deliveries(
    world, robot, client_of, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    wecom = channel(robot, world.community)
    failed = RobotDelivery.objects.create(
        channel=wecom,
        topic=Topic.STEWARDSHIP_RANKING,
        title="失败的消息",
        text="…",
        status=DeliveryStatus.FAILED,
        attempts=5,
    )
    admin = client_of("admin")
    assert admin.get(reverse("admin:robots_robotdelivery_add")).status_code == 403
    detail = admin.get(reverse("admin:robots_robotdelivery_change", args=[failed.pk]))
    assert detail.status_code == 200 and 'name="title"' not in detail.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("admin:robots_robotdelivery_changelist"),
            {"action": "retry", "_selected_action": [failed.pk]},
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.SENT
    assert len(robot.requests) == 1


def test_a_test_message_checks_a_channel(world, robot, client_of, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    wecom = channel(robot, world.community, topics=())
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of("admin").post(
            reverse("admin:robots_robotchannel_changelist"), {"action": "send_test", "_selected_action": [wecom.pk]}
        )
    assert response.status_code == 302
    [request] = robot.requests
    assert "测试消息" in request.body["markdown"]["content"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("jiedao", 403), ("shequ", 302), ("wuye", 302), ("outsider", 302)],
)
def test_only_the_admin_configures_robots(world, client_of, persona, status):  # type: ignore[no-untyped-def]
    # jiedao is staff without the robots' model permissions; the others are not staff and are sent to log in
    for name in ("admin:robots_robotchannel_changelist", "admin:robots_robotdelivery_changelist"):
        assert client_of(persona).get(reverse(name)).status_code == status, name
