import random

import pytest
from django.utils import timezone

from gongzhi.consultation.choices import TopicStatus
from gongzhi.consultation.demo import seed_demo_data
from gongzhi.consultation.models import ModerationAction, Report, Suggestion, Topic
from gongzhi.votes.choices import PollStatus

pytestmark = pytest.mark.django_db


def test_the_demo_consultation_walks_every_stage(world):
    summary = seed_demo_data(rng=random.Random(7), today=timezone.localdate(), tier="S")
    assert summary.startswith("consultation: X小区")
    statuses = {t.title: t.status for t in Topic.objects.all()}
    assert statuses == {
        "东门加装雨棚": TopicStatus.PUBLISHED,
        "增设电动车充电桩": TopicStatus.VOTING,
        "楼道照明改造": TopicStatus.OPEN,
    }
    done = Topic.objects.get(title="东门加装雨棚")
    assert done.resolution.adopted is not None and done.notice.body
    assert done.follow_ups.filter(status="done").count() == 1
    assert done.meetings.get().attendees.count() == 5
    voting = Topic.objects.get(title="增设电动车充电桩")
    assert voting.resolution.poll.status == PollStatus.OPEN
    assert not voting.resolution.poll.participations.filter(roll_entry__persons=world.people["jumin"]).exists()
    assert Suggestion.objects.filter(hidden_at__isnull=False).count() == 1
    assert ModerationAction.objects.count() == 2 and Report.objects.filter(handled_at__isnull=True).count() == 1
