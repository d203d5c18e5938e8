import random

import pytest
from django.utils import timezone

from gongzhi.votes.choices import PollStatus
from gongzhi.votes.demo import seed_demo_data
from gongzhi.votes.models import Participation, Poll

pytestmark = pytest.mark.django_db


def test_the_demo_votes_are_made_in_the_personas_compound(world, actor_of):
    summary = seed_demo_data(rng=random.Random(7), today=timezone.localdate(), tier="S")
    assert summary.startswith("votes: X小区") and "未生成" not in summary
    polls = {p.title: p for p in Poll.objects.all()}
    assert {p.status for p in polls.values()} == {PollStatus.PUBLISHED, PollStatus.OPEN, PollStatus.ANNOUNCED}
    renewal = polls["X小区续聘物业服务企业表决"]
    assert renewal.scope == world.compound_x and renewal.result.questions[0]["tally"]["total_heads"] == 3
    fund = polls["X小区筹集维修资金用于加装电梯"]
    jumin_key = fund.roll.get(persons=world.people["jumin"]).voter_key
    assert not Participation.objects.filter(poll=fund, voter_key=jumin_key).exists()  # left for jumin to vote
    honours = polls["X小区文明楼栋评选"]
    assert honours.is_secret and honours.status == PollStatus.PUBLISHED


def test_the_demo_ballots_depend_only_on_the_seed(world):
    from gongzhi.votes.demo import _stack

    seed_demo_data(rng=random.Random(7), today=timezone.localdate(), tier="S")
    poll = Poll.objects.get(title="X小区筹集维修资金用于加装电梯")
    weights = {"yes": 1, "no": 1, "abstain": 1}
    assert _stack(random.Random(3), poll, share=1, weights=weights) == _stack(
        random.Random(3), poll, share=1, weights=weights
    )
    assert len(_stack(random.Random(3), poll, share=1, weights=weights)) == poll.roll_size
