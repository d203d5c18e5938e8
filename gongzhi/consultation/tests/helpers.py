"""Residents with accounts and a topic at each stage, for consultation tests and the route checks."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.models import User
from gongzhi.consultation import services
from gongzhi.consultation.models import ConsultationRules, Suggestion, Topic
from gongzhi.registry.models import Person
from gongzhi.testing.world import World, add_user

RESIDENTS = {"linju": ("neighbour", "邻居乙"), "zhuhu": ("grid_b", "住户丙"), "ding": ("community2", "住户丁")}


def resident(world: World, username: str) -> User:
    """A login for one of the world's residents without one (邻居乙 linju, 住户丙 zhuhu, 住户丁 ding)."""
    if username in world.users:
        return world.users[username]
    key, name = RESIDENTS[username]
    user = add_user(username, name)
    Person.objects.filter(pk=world.people[key].pk).update(user=user)
    world.users[username] = user
    return user


def threshold(node, supports: int) -> None:  # type: ignore[no-untyped-def]
    ConsultationRules.objects.update_or_create(node=node, defaults={"support_threshold": supports})


def suggestion(world: World, *, title: str = "小区东门加装雨棚") -> Suggestion:
    return services.suggestion_post(
        actor=actor_for_user(world.user("jumin")),
        scope=world.compound_x,
        title=title,
        body="下雨天东门进出没有遮挡，老人孩子容易淋雨滑倒。",
    )


def promoted(world: World) -> Topic:
    """A suggestion by jumin supported past a threshold of one: a topic in discussion."""
    threshold(world.compound_x, 1)
    item = suggestion(world)
    services.suggestion_support(actor=actor_for_user(resident(world, "linju")), suggestion=item)
    return Topic.objects.get(suggestion=item)


def rows_for_routes(world: World) -> dict[str, int]:
    """One of each row the consultation and votes routes take, in compound X."""
    shequ = actor_for_user(world.user("shequ"))
    topic = promoted(world)
    post = services.post_add(actor=actor_for_user(world.user("jumin")), topic=topic, body="同意，雨棚要够宽。")
    meeting = services.meeting_convene(
        actor=shequ,
        topic=topic,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        place="社区议事厅",
        invited=["residents_committee", "property_company"],
    )
    other = suggestion(world, title="楼道灯常坏")
    report = services.report_add(
        actor=actor_for_user(resident(world, "linju")), suggestion=other, reason="重复发布的内容"
    )
    decided = promoted_decided(world)
    follow_up = services.follow_up_add(
        actor=shequ,
        topic=decided,
        description="联系物业采购雨棚",
        owner_name="王经理",
        owner_party="property_company",
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )
    return {
        "suggestion_id": topic.suggestion_id or 0,
        "report_id": report.pk,
        "topic_id": topic.pk,
        "post_id": post.pk,
        "meeting_id": meeting.pk,
        "follow_up_id": follow_up.pk,
    }


def promoted_decided(world: World) -> Topic:
    """A second topic whose resolution has been voted on and closed."""
    shequ = actor_for_user(world.user("shequ"))
    threshold(world.compound_x, 1)
    item = suggestion(world, title="增设电动车充电桩")
    services.suggestion_support(actor=actor_for_user(resident(world, "zhuhu")), suggestion=item)
    topic = Topic.objects.get(suggestion=item)
    services.resolution_propose(
        actor=shequ, topic=topic, text="同意增设充电桩", closes_at=timezone.now() + dt.timedelta(days=7)
    )
    services.resolution_close(actor=shequ, topic=topic)
    return Topic.objects.get(pk=topic.pk)
