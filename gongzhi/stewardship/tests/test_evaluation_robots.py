"""The evaluation posts to the community's group robots: the ranking when published, each appeal decided."""

from __future__ import annotations

import pytest

from gongzhi.robots.choices import DeliveryStatus, RobotKind, Topic
from gongzhi.robots.models import RobotDelivery
from gongzhi.robots.tests.helpers import channel
from gongzhi.robots.tests.server import serve
from gongzhi.stewardship import evaluation as ev
from gongzhi.stewardship.models import Appeal, EvaluationMonth
from gongzhi.stewardship.tests.helpers import evaluation_rows, rows_for_routes

pytestmark = pytest.mark.django_db
SITE = "https://gongzhi.example.gov.cn"


@pytest.fixture
def robot(settings):  # type: ignore[no-untyped-def]
    settings.GONGZHI_ROBOT_EXTRA_HOSTS = ["127.0.0.1"]
    settings.GONGZHI_SITE_URL = SITE
    yield from serve()


def test_publishing_and_deciding_post_to_the_community_robots(  # type: ignore[no-untyped-def]
    world, actor_of, robot, django_capture_on_commit_callbacks
):
    ranking = channel(robot, world.community, topics=(Topic.STEWARDSHIP_RANKING,), name="排名群")
    appeals = channel(
        robot,
        world.community,
        kind=RobotKind.DINGTALK,
        secret="SECx",
        topics=(Topic.STEWARDSHIP_APPEAL,),
        name="申诉群",
    )
    elsewhere = channel(robot, world.other_community, name="第二社区群")
    with django_capture_on_commit_callbacks(execute=True):
        rows_for_routes(world)
        rows = evaluation_rows(world)  # open, rate, review, publish, and wuye appeals

    [posted] = RobotDelivery.objects.all()
    assert posted.channel == ranking and posted.topic == Topic.STEWARDSHIP_RANKING
    assert posted.status == DeliveryStatus.SENT
    month = EvaluationMonth.objects.get()
    assert posted.dedupe_key == f"stewardship.ranking:{month.pk}"
    [request] = robot.requests
    content = request.body["markdown"]["content"]
    assert content.startswith(f"### {month.month:%Y年%m月} 月度评比结果公示\n")
    assert "本社区参评对象2个" in content
    assert "**物业服务企业**最高：路由物业（X小区）" in content and "全街道第1/1名" in content
    assert "**业主委员会**最高" in content
    assert "红榜：" in content and "黑榜：" in content and "申诉" in content
    assert f"[查看评比结果]({SITE}/stewardship/evaluation/{rows['month']}/)" in content

    # publishing cannot happen twice, and posting the ranking again (a retried job) sends nothing new
    with django_capture_on_commit_callbacks(execute=True):
        ev._post_ranking(month, community_ids={world.community.pk, world.other_community.pk})
    assert RobotDelivery.objects.count() == 1

    appeal = Appeal.objects.get(pk=rows["appeal_id"])
    with django_capture_on_commit_callbacks(execute=True):
        ev.appeal_decide(
            actor=actor_of("jiedao"),
            appeal=appeal,
            upheld=True,
            reason="经核实堆物当日已清理",
            withdraw_ids=[int(rows["deduction_id"])],
        )
    decided = RobotDelivery.objects.get(topic=Topic.STEWARDSHIP_APPEAL)
    assert decided.channel == appeals and decided.status == DeliveryStatus.SENT
    assert decided.dedupe_key == f"stewardship.appeal_decided:{appeal.pk}"
    text = robot.requests[-1].body["markdown"]["text"]
    assert robot.requests[-1].query["sign"]  # the DingTalk channel signs
    assert "申诉对象：路由物业（X小区）" in text
    assert "裁定结果：**申诉成立**" in text and "理由：经核实堆物当日已清理" in text and "得分由" in text
    assert f"({SITE}/stewardship/evaluation/subjects/{appeal.evaluation_id}/)" in text
    assert not RobotDelivery.objects.filter(channel=elsewhere).exists()


def test_a_rejected_appeal_is_posted_without_a_link_when_no_site_address_is_set(  # type: ignore[no-untyped-def]
    world, actor_of, robot, settings, django_capture_on_commit_callbacks
):
    settings.GONGZHI_SITE_URL = ""
    channel(robot, world.community, topics=(Topic.STEWARDSHIP_APPEAL,))
    rows_for_routes(world)
    rows = evaluation_rows(world)
    assert not RobotDelivery.objects.exists()  # nobody subscribed to the ranking
    with django_capture_on_commit_callbacks(execute=True):
        ev.appeal_decide(
            actor=actor_of("jiedao"),
            appeal=Appeal.objects.get(pk=rows["appeal_id"]),
            upheld=False,
            reason="照片显示堆物",
        )
    [request] = robot.requests
    content = request.body["markdown"]["content"]
    assert "裁定结果：**申诉不成立**" in content and "得分由" not in content and "](" not in content
