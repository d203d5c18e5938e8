"""Building owners and polls for tests: the world has few dwellings, so owners' tests add their own."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from gongzhi.registry.choices import HolderKind
from gongzhi.registry.models import Dwelling, Ownership, Person
from gongzhi.registry.services import PersonData, person_build
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node
from gongzhi.territory.services import node_add
from gongzhi.testing.world import SYSTEM, World
from gongzhi.votes import services
from gongzhi.votes.choices import Electorate, Opinion, TallyRule
from gongzhi.votes.models import Poll, RollEntry
from gongzhi.votes.services import QuestionSpec

_numbers = itertools.count(1)


@dataclass
class Estate:
    """A building of owned dwellings: ``owners[name]`` is a Person, ``dwellings[room]`` a Dwelling."""

    building: Node
    owners: dict[str, Person]
    dwellings: dict[str, Dwelling]


def owned_building(
    world: World, holdings: Sequence[tuple[str, int, Sequence[str]]], *, compound: Node | None = None
) -> Estate:
    """A new building in compound X (by default) with dwellings ``(room, area_dm2, holders)``.

    A holder is a person's name (created once, reused across rooms), or "developer" / "org:<name>".
    """
    compound = compound or world.compound_x
    n = next(_numbers)
    building = node_add(actor=SYSTEM, parent=compound, kind=NodeKind.BUILDING, name=f"测试{n}号楼", code=f"T{n}")
    unit = node_add(actor=SYSTEM, parent=Node.objects.get(pk=building.pk), kind=NodeKind.UNIT, name="1单元", code="1")
    owners: dict[str, Person] = {}
    dwellings: dict[str, Dwelling] = {}
    for room, area, holders in holdings:
        dwelling = Dwelling.objects.create(
            unit=unit, room=room, floor=int(room[:-2] or 1), exclusive_area_dm2=area, org_path=unit.path
        )
        dwellings[room] = dwelling
        share = len(holders)
        for holder in holders:
            if holder == "developer":
                Ownership.objects.create(dwelling=dwelling, holder_kind=HolderKind.DEVELOPER, holder_name="开发商")
            elif holder.startswith("org:"):
                Ownership.objects.create(dwelling=dwelling, holder_kind=HolderKind.ORGANISATION, holder_name=holder[4:])
            else:
                if holder not in owners:
                    person = person_build(PersonData(name=holder))
                    person.org_path = unit.path
                    person.status = "moved_out"  # an owner who does not live here
                    person.save()
                    owners[holder] = person
                Ownership.objects.create(
                    dwelling=dwelling, person=owners[holder], share_numerator=1, share_denominator=share
                )
    return Estate(building=Node.objects.get(pk=building.pk), owners=owners, dwellings=dwellings)


def announce(
    actor,  # type: ignore[no-untyped-def]
    scope: Node,
    *,
    electorate: str = Electorate.HOUSEHOLDS,
    questions: Sequence[QuestionSpec] | None = None,
    is_secret: bool = False,
    notice_days: int | None = 0,
    days: int = 7,
    config: dict | None = None,  # type: ignore[type-arg]
    title: str = "测试投票",
) -> Poll:
    now = timezone.now()
    return services.poll_create(
        actor=actor,
        scope=scope,
        title=title,
        electorate=electorate,
        electorate_config=config,
        is_secret=is_secret,
        notice_days=notice_days,
        opens_at=now + dt.timedelta(days=notice_days or 0),
        closes_at=now + dt.timedelta(days=(notice_days or 0) + days),
        questions=questions or [QuestionSpec(text="是否同意？", rule=TallyRule.YES_NO)],
    )


def opened(actor, scope: Node, **kwargs) -> Poll:  # type: ignore[no-untyped-def]
    """An announced poll opened at its start (the notice period is skipped by moving the clock)."""
    poll = announce(actor, scope, **kwargs)
    return services.poll_open(actor=actor, poll=poll, now=poll.opens_at)


def owners_poll(actor, scope: Node, *, matter: str = "manager", days: int = 5) -> Poll:  # type: ignore[no-untyped-def]
    """An Art. 278 poll announced fifteen days ago, open now, closing in ``days`` days."""
    now = timezone.now()
    announced = now - dt.timedelta(days=15, minutes=1)
    poll = services.poll_create(
        actor=actor,
        scope=scope,
        title="业主表决",
        electorate=Electorate.OWNERS,
        closes_at=now + dt.timedelta(days=days),
        questions=[QuestionSpec(text="表决事项", rule=TallyRule.ART278, config={"matter": matter})],
        now=announced,
    )
    return services.poll_open(actor=actor, poll=poll, now=poll.opens_at)


def option(poll: Poll, value_or_label: str, position: int = 1) -> dict[str, list[int]]:
    """choices for question ``position`` picking the option with this value (yes/no/abstain) or label."""
    question = poll.questions.get(position=position)
    chosen = question.options.filter(value=value_or_label).first() or question.options.get(label=value_or_label)
    return {str(question.pk): [chosen.pk]}


def entry_of(poll: Poll, person: Person) -> RollEntry:
    return RollEntry.objects.get(poll=poll, persons=person)


YES, NO, ABSTAIN = Opinion.YES.value, Opinion.NO.value, Opinion.ABSTAIN.value


def rows_for_routes(world: World) -> dict[str, int]:
    """An open households poll of compound X, for the route checks."""
    from gongzhi.accounts.actors import actor_for_user

    return {"poll_id": opened(actor_for_user(world.user("shequ")), world.compound_x).pk}
