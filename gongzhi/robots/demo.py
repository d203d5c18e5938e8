"""Demo robots: one WeCom channel per community, switched off, with a placeholder key, so that the admin
shows what a configured channel looks like and the demo never calls the internet."""

from __future__ import annotations

import datetime as dt
import random

from gongzhi.core.actors import Actor
from gongzhi.robots import services
from gongzhi.robots.choices import RobotKind, Topic
from gongzhi.robots.models import RobotChannel
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node

PLACEHOLDER_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=00000000-0000-0000-0000-000000000000"


def seed_demo_data(*, rng: random.Random, today: dt.date, tier: str) -> str:
    actor = Actor.system("seed_demo")
    communities = list(Node.objects.filter(kind=NodeKind.COMMUNITY).order_by("path"))
    for community in communities:
        services.channel_save(
            actor=actor,
            channel=RobotChannel(
                community=community,
                name=f"{community.name}物业工作群（演示，未启用）",
                kind=RobotKind.WECOM,
                webhook_url=PLACEHOLDER_URL,
                topics=[Topic.STEWARDSHIP_RANKING, Topic.STEWARDSHIP_APPEAL],
                is_active=False,
            ),
        )
    return f"robots: {len(communities)} 个未启用的演示群机器人"
