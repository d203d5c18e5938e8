"""Demo votes in the personas' compound, made through the engine's own services.

- a published owners' vote (ordinary matter: renewing the property company), counted by Art. 278;
- an owners' vote on raising the maintenance fund, open, with part of the paper ballots in (jumin can
  still vote);
- an owners' vote in its 15-day notice period;
- a published secret households poll choosing the compound's civilised buildings (approval).

The compound is the one where user "baobao" is the responsible cadre; "shequ" runs the polls. Ballots
are paper ballots entered as one stack per poll (paper_ballots_enter): one insert per table.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty, User
from gongzhi.core.actors import Actor
from gongzhi.core.exceptions import DomainError
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node
from gongzhi.votes import services
from gongzhi.votes.choices import Electorate, Matter, Opinion, TallyRule
from gongzhi.votes.models import Option, Poll, RollEntry
from gongzhi.votes.services import QuestionSpec


def personas_compound() -> Node:
    duty = Duty.objects.filter(user__username="baobao", role=Role.RESPONSIBLE_CADRE).select_related("node").first()
    if duty is None or duty.node is None:
        raise DomainError("演示数据：找不到 baobao 包保的小区。")
    return duty.node


def _manager(compound: Node) -> Actor:
    """shequ when they run polls there (the demo's community worker); else the system, recorded as the demo."""
    from gongzhi.votes.permissions import can_create_poll

    user = User.objects.filter(username="shequ").first()
    if user is not None:
        actor = actor_for_user(user)
        if can_create_poll(actor, scope=compound, electorate=Electorate.OWNERS):
            return actor
    return Actor.system("demo")


def _stack(
    rng: random.Random,
    poll: Poll,
    *,
    share: float,
    weights: dict[str, int],
    skip_user: int | None = None,
) -> list[tuple[str, dict[str, list[int]]]]:
    """Paper ballots (yes/no/abstain by ``weights``) for a share of the roll, leaving out the entry a
    given login votes for, so that the demo resident can still vote."""
    question = poll.questions.get()
    by_value = dict(Option.objects.filter(question=question).values_list("value", "pk"))
    entries = list(
        RollEntry.objects.filter(poll=poll)
        .exclude(persons__user_id=skip_user)
        .order_by("id")
        .values_list("voter_key", flat=True)
        if skip_user is not None
        else RollEntry.objects.filter(poll=poll).order_by("id").values_list("voter_key", flat=True)
    )
    chosen = rng.sample(entries, k=round(len(entries) * share))
    values = rng.choices(list(weights), weights=list(weights.values()), k=len(chosen))
    return [(key, {str(question.pk): [by_value[v]]}) for key, v in zip(chosen, values, strict=True)]


def _art278(text: str, matter: str) -> list[QuestionSpec]:
    return [QuestionSpec(text=text, rule=TallyRule.ART278, config={"matter": matter})]


@transaction.atomic
def seed_demo_data(*, rng: random.Random, today: dt.date, tier: str) -> str:
    compound = personas_compound()
    actor = _manager(compound)
    jumin = User.objects.filter(username="jumin").values_list("pk", flat=True).first()
    base = dt.datetime.combine(today, dt.time(9, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))
    day = dt.timedelta(days=1)
    made: list[str] = []
    yes_mostly = {Opinion.YES.value: 72, Opinion.NO.value: 18, Opinion.ABSTAIN.value: 10}

    try:
        renewal = services.poll_create(
            actor=actor,
            scope=compound,
            title=f"{compound.name}续聘物业服务企业表决",
            electorate=Electorate.OWNERS,
            description="现物业服务合同将于年底到期。请业主对是否续聘现物业服务企业表决。",
            questions=_art278("是否同意续聘现物业服务企业，合同期三年", Matter.MANAGER),
            now=base - 45 * day,
            opens_at=base - 30 * day,
            closes_at=base - 10 * day,
            source="owners",
        )
        renewal = services.poll_open(actor=actor, poll=renewal, now=renewal.opens_at)
        stack = _stack(rng, renewal, share=0.8, weights=yes_mostly)
        services.paper_ballots_enter(actor=actor, poll=renewal, ballots=stack, now=base - 20 * day)
        services.poll_close(actor=actor, poll=renewal, now=renewal.closes_at)
        services.poll_publish(actor=actor, poll=renewal)
        made.append(f"已公布的业主表决（{len(stack)}/{renewal.roll_size} 户业主投票）")

        fund = services.poll_create(
            actor=actor,
            scope=compound,
            title=f"{compound.name}筹集维修资金用于加装电梯",
            electorate=Electorate.OWNERS,
            description="加装电梯每栋约需60万元，拟按专有面积比例筹集维修资金。属于民法典第二百七十八条第六项，须四分之三以上同意。",
            questions=_art278("是否同意按专有面积比例筹集维修资金，用于加装电梯", Matter.RAISE_FUND),
            now=base - 20 * day,
            opens_at=base - 5 * day,
            closes_at=base + 10 * day,
            source="owners",
        )
        fund = services.poll_open(actor=actor, poll=fund, now=fund.opens_at)
        stack = _stack(rng, fund, share=0.4, weights={"yes": 60, "no": 30, "abstain": 10}, skip_user=jumin)
        services.paper_ballots_enter(actor=actor, poll=fund, ballots=stack, now=base - 2 * day)
        made.append(f"进行中的业主表决（已投 {len(stack)}/{fund.roll_size}）")

        services.poll_create(
            actor=actor,
            scope=compound,
            title=f"{compound.name}修订管理规约",
            electorate=Electorate.OWNERS,
            description="修订草案已在小区公告栏张贴，公告期15天。",
            questions=_art278("是否同意管理规约修订草案", Matter.COVENANT),
            now=base,
            closes_at=base + 30 * day,
            source="owners",
        )
        made.append("公告期中的业主表决")
    except DomainError as exc:  # a compound without registered owners has no owners' vote
        made.append(f"未生成业主表决（{exc.message}）")

    buildings = list(Node.objects.filter(kind=NodeKind.BUILDING, path__startswith=compound.path).order_by("path")[:6])
    if len(buildings) >= 2:
        seats = min(2, len(buildings) - 1)
        honours = services.poll_create(
            actor=actor,
            scope=compound,
            title=f"{compound.name}文明楼栋评选",
            electorate=Electorate.HOUSEHOLDS,
            is_secret=True,
            notice_days=0,
            source="honours",
            questions=[
                QuestionSpec(
                    text=f"请选出{seats}栋文明楼栋",
                    rule=TallyRule.APPROVAL,
                    options=[b.name for b in buildings],
                    config={"max_choices": seats, "seats": seats},
                )
            ],
            now=base - 14 * day,
            closes_at=base - 7 * day,
        )
        services.poll_open(actor=actor, poll=honours, now=honours.opens_at)
        question = honours.questions.get()
        options = list(Option.objects.filter(question=question).values_list("pk", flat=True))
        weights = [rng.randint(1, 6) for _ in options]
        entries = list(RollEntry.objects.filter(poll=honours).values_list("voter_key", flat=True))
        stack = []
        for key in rng.sample(entries, k=round(len(entries) * 0.6)):
            picked: set[int] = set()
            while len(picked) < seats:
                picked.add(rng.choices(options, weights=weights)[0])
            stack.append((key, {str(question.pk): sorted(picked)}))
        services.paper_ballots_enter(actor=actor, poll=honours, ballots=stack, now=base - 10 * day)
        services.poll_close(actor=actor, poll=honours, now=honours.closes_at)
        services.poll_publish(actor=actor, poll=honours)
        made.append("已公布的无记名文明楼栋评选")
    return f"votes: {compound.name}：" + "；".join(made)
