from __future__ import annotations

from gongzhi.robots.choices import RobotKind, Topic
from gongzhi.robots.models import RobotChannel
from gongzhi.robots.tests.server import FakeRobot
from gongzhi.territory.models import Node


def channel(
    robot: FakeRobot,
    community: Node,
    *,
    kind: str = RobotKind.WECOM,
    secret: str = "",
    topics: tuple[str, ...] = (Topic.STEWARDSHIP_RANKING, Topic.STEWARDSHIP_APPEAL),
    is_active: bool = True,
    name: str = "物业工作群",
) -> RobotChannel:
    path = "/cgi-bin/webhook/send?key=wecom-key" if kind == RobotKind.WECOM else "/robot/send?access_token=ding-token"
    return RobotChannel.objects.create(
        community=community,
        name=name,
        kind=kind,
        webhook_url=robot.url + path,
        secret=secret,
        topics=list(topics),
        is_active=is_active,
    )
