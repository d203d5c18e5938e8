"""Posting, sending, signing, retrying and refusing, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import itertools
import socket
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from gongzhi.core.actors import Actor
from gongzhi.core.models import AuditEntry
from gongzhi.robots import services
from gongzhi.robots.choices import MAX_ATTEMPTS, RETRY_DELAYS, DeliveryStatus, RobotKind, Topic
from gongzhi.robots.models import RobotChannel, RobotDelivery
from gongzhi.robots.tests.helpers import channel

pytestmark = pytest.mark.django_db
RANKING = Topic.STEWARDSHIP_RANKING


def post(
    community_id, *, topic=RANKING, key=None, title="2026-11 月度评比结果公示", text="**物业服务企业**：最高 甲物业"
):  # type: ignore[no-untyped-def]
    return services.robot_post(community_id=community_id, topic=topic, title=title, text=text, dedupe_key=key)


def test_a_post_reaches_a_wecom_robot_as_markdown_after_commit(world, robot, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    wecom = channel(robot, world.community)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(world.community.pk) == 1
        assert robot.requests == []  # nothing leaves before the commit
    [request] = robot.requests
    assert request.path == "/cgi-bin/webhook/send"
    assert request.query == {"key": ["wecom-key"]}
    assert request.content_type.startswith("application/json")
    assert request.body == {
        "msgtype": "markdown",
        "markdown": {"content": "### 2026-11 月度评比结果公示\n**物业服务企业**：最高 甲物业"},
    }
    delivery = RobotDelivery.objects.get(channel=wecom)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 1 and delivery.sent_at is not None and delivery.next_try_at is None


def test_a_dingtalk_robot_gets_a_signature_it_can_check(world, robot, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    secret = "SEC0123456789abcdef"
    channel(robot, world.community, kind=RobotKind.DINGTALK, secret=secret)
    before = int(time.time() * 1000)
    with django_capture_on_commit_callbacks(execute=True):
        post(world.community.pk, title="申诉已裁定", text="结果：申诉成立\n理由：核实属实")
    [request] = robot.requests
    assert request.path == "/robot/send"
    assert request.query["access_token"] == ["ding-token"]
    [timestamp] = request.query["timestamp"]
    assert before <= int(timestamp) <= int(time.time() * 1000)
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert request.query["sign"] == [expected]  # parse_qs undid the URL-encoding of + / =
    assert request.body == {
        "msgtype": "markdown",
        "markdown": {"title": "申诉已裁定", "text": "### 申诉已裁定\n\n结果：申诉成立\n\n理由：核实属实"},
    }


def test_a_dingtalk_robot_without_a_secret_gets_the_url_as_configured(world, robot, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    channel(robot, world.community, kind=RobotKind.DINGTALK)
    with django_capture_on_commit_callbacks(execute=True):
        post(world.community.pk)
    [request] = robot.requests
    assert request.query == {"access_token": ["ding-token"]}


def test_an_error_code_is_logged_and_retried_after_the_backoff(world, robot, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    robot.answer(200, {"errcode": 310000, "errmsg": "sign not match"})
    channel(robot, world.community)
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        post(world.community.pk)
    delivery = RobotDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.last_error == "errcode 310000: sign not match"
    assert start + RETRY_DELAYS[0] <= delivery.next_try_at <= timezone.now() + RETRY_DELAYS[0]

    assert services.deliver_due(now=timezone.now()) == 0  # not yet due
    assert len(robot.requests) == 1
    assert services.deliver_due(now=delivery.next_try_at) == 1
    assert len(robot.requests) == 2
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2 and delivery.last_error == ""


def test_five_failures_give_up_with_the_last_error(world, robot, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    robot.answer_always(500, "upstream broke")
    channel(robot, world.community)
    with django_capture_on_commit_callbacks(execute=True):
        post(world.community.pk)
    delivery = RobotDelivery.objects.get()
    waits = []
    while delivery.status == DeliveryStatus.PENDING:
        assert delivery.next_try_at is not None
        waits.append(delivery.next_try_at)
        services.deliver_due(now=delivery.next_try_at)
        delivery.refresh_from_db()
    assert len(robot.requests) == MAX_ATTEMPTS == 5
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 5 and delivery.next_try_at is None
    assert delivery.last_error == "HTTP 500"
    gaps = [later - earlier for earlier, later in itertools.pairwise(waits)]
    assert [round(g.total_seconds() / 60) for g in gaps] == [5, 30, 120]  # 1 min came before the first wait
    assert services.deliver_due(now=timezone.now() + dt.timedelta(days=1)) == 0
    assert len(robot.requests) == 5


def test_retrying_a_failed_delivery_starts_it_again(world, robot, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    channel(robot, world.community)
    with django_capture_on_commit_callbacks(execute=True):
        post(world.community.pk)
    sent = RobotDelivery.objects.get()
    failed = RobotDelivery.objects.create(
        channel=sent.channel, topic=RANKING, title="旧消息", text="…", status=DeliveryStatus.FAILED, attempts=5
    )
    admin = Actor(user_id=world.user("admin").pk, username="admin")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.delivery_retry(actor=admin, delivery_ids=[sent.pk, failed.pk]) == 1  # a sent one stays
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.SENT and failed.attempts == 1
    assert [r.body["markdown"]["content"] for r in robot.requests][-1].startswith("### 旧消息")
    assert AuditEntry.objects.filter(action="robots.delivery_retry", target_id=str(failed.pk)).exists()


def test_a_dedupe_key_posts_once_per_channel(world, robot, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    channel(robot, world.community, name="甲群")
    channel(robot, world.community, name="乙群")
    with django_capture_on_commit_callbacks(execute=True):
        assert post(world.community.pk, key="stewardship.ranking:1") == 2
        assert post(world.community.pk, key="stewardship.ranking:1") == 0
    assert len(robot.requests) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert post(world.community.pk) == 2  # without a key each post is new
        assert post(world.community.pk) == 2
    assert len(robot.requests) == 6


def test_only_active_channels_of_the_community_subscribed_to_the_topic_are_sent(  # type: ignore[no-untyped-def]
    world, robot, django_capture_on_commit_callbacks
):
    wanted = channel(robot, world.community, name="收到")
    channel(robot, world.community, name="停用", is_active=False)
    channel(robot, world.community, name="只收申诉", topics=(Topic.STEWARDSHIP_APPEAL,))
    channel(robot, world.other_community, name="别的社区")
    with django_capture_on_commit_callbacks(execute=True):
        assert post(world.community.pk) == 1
    assert list(RobotDelivery.objects.values_list("channel_id", flat=True)) == [wanted.pk]
    assert len(robot.requests) == 1


def test_a_rolled_back_post_sends_nothing(world, robot, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    channel(robot, world.community)

    def publish_then_fail() -> None:
        with transaction.atomic():
            assert post(world.community.pk) == 1
            raise RuntimeError("the publication failed after posting")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        publish_then_fail()
    assert callbacks == []
    assert not RobotDelivery.objects.exists()
    assert robot.requests == []


def test_a_channel_turned_off_before_sending_fails_without_a_request(world, robot, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    wecom = channel(robot, world.community)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post(world.community.pk)
    RobotChannel.objects.filter(pk=wecom.pk).update(is_active=False)
    for callback in callbacks:
        callback()
    delivery = RobotDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_error == "机器人已停用。"
    assert robot.requests == []


def test_a_host_no_longer_allowed_is_not_posted_to(world, robot, settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    channel(robot, world.community)
    settings.GONGZHI_ROBOT_EXTRA_HOSTS = []
    with django_capture_on_commit_callbacks(execute=True):
        post(world.community.pk)
    delivery = RobotDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and "https://" in delivery.last_error
    assert robot.requests == []


def test_an_unreachable_robot_is_a_connection_error(world, robot, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    RobotChannel.objects.create(
        community=world.community,
        name="无人应答",
        kind=RobotKind.WECOM,
        webhook_url=f"http://127.0.0.1:{port}/x",
        topics=[RANKING],
    )
    with django_capture_on_commit_callbacks(execute=True):
        post(world.community.pk)
    delivery = RobotDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_error.startswith("连接失败")


def test_an_answer_that_is_not_json_is_a_failure(world, robot, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    robot.answer(200, "<html>portal login</html>")
    channel(robot, world.community)
    with django_capture_on_commit_callbacks(execute=True):
        post(world.community.pk)
    assert RobotDelivery.objects.get().last_error == "返回内容不是 JSON。"


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        (RobotKind.WECOM, "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"),
        (RobotKind.WECOM, "https://evil.example.com/cgi-bin/webhook/send?key=k"),
        (RobotKind.WECOM, "https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=k"),
        (RobotKind.WECOM, "https://qyapi.weixin.qq.com@evil.example/cgi-bin/webhook/send?key=k"),
        (RobotKind.WECOM, "https://oapi.dingtalk.com/robot/send?access_token=t"),
        (RobotKind.DINGTALK, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"),
        (RobotKind.DINGTALK, "ftp://oapi.dingtalk.com/robot/send"),
        (RobotKind.WECOM, "http://127.0.0.1:8080/cgi-bin/webhook/send?key=k"),  # not allowed by default
    ],
)
def test_webhook_urls_off_the_robots_hosts_are_refused(world, kind, url):  # type: ignore[no-untyped-def]
    row = RobotChannel(community=world.community, name="群", kind=kind, webhook_url=url, topics=[RANKING])
    with pytest.raises(ValidationError) as excinfo:
        row.full_clean()
    assert "webhook_url" in excinfo.value.message_dict


def test_the_robots_own_hosts_and_the_listed_extra_hosts_are_accepted(world, settings):  # type: ignore[no-untyped-def]
    for kind, url in [
        (RobotKind.WECOM, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"),
        (RobotKind.DINGTALK, "https://oapi.dingtalk.com/robot/send?access_token=t"),
    ]:
        RobotChannel(community=world.community, name="群", kind=kind, webhook_url=url, topics=[]).full_clean()
    settings.GONGZHI_ROBOT_EXTRA_HOSTS = ["127.0.0.1"]
    RobotChannel(
        community=world.community, name="群", kind=RobotKind.WECOM, webhook_url="http://127.0.0.1:8080/x", topics=[]
    ).full_clean()


def test_a_secret_is_for_dingtalk_only_and_the_channel_must_be_a_community(world):  # type: ignore[no-untyped-def]
    row = RobotChannel(
        community=world.compound_x,
        name="群",
        kind=RobotKind.WECOM,
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
        secret="SECx",
    )
    with pytest.raises(ValidationError) as excinfo:
        row.full_clean()
    assert set(excinfo.value.message_dict) == {"secret", "community"}


def test_the_url_and_secret_are_stored_encrypted(world, robot):  # type: ignore[no-untyped-def]
    ding = channel(robot, world.community, kind=RobotKind.DINGTALK, secret="SECsecret")
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_url, secret FROM robots_robotchannel WHERE id = %s", [ding.pk])
        url, secret = cursor.fetchone()
    assert url.startswith("g1:") and "ding-token" not in url
    assert secret.startswith("g1:") and "SECsecret" not in secret
    assert RobotChannel.objects.get(pk=ding.pk).secret == "SECsecret"


def test_the_retry_job_is_scheduled():  # type: ignore[no-untyped-def]
    from django.conf import settings

    jobs = {name: task for name, _cron, task in settings.GONGZHI_SCHEDULE}
    assert import_string(jobs["robots-deliver-due"]).name == "deliver_due"


def test_the_demo_channels_are_switched_off_and_post_nothing(world, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    import random

    from gongzhi.robots.demo import seed_demo_data

    assert "2" in seed_demo_data(rng=random.Random(1), today=timezone.localdate(), tier="S")
    assert RobotChannel.objects.count() == 2 and not RobotChannel.objects.filter(is_active=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert post(world.community.pk) == 0
