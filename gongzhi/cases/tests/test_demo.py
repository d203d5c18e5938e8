import random

import pytest
from django.utils import timezone

from gongzhi.cases.choices import CaseStatus
from gongzhi.cases.demo import seed_demo_data
from gongzhi.cases.escalation import cases_escalate
from gongzhi.cases.models import Case
from gongzhi.core.models import Notification

pytestmark = pytest.mark.django_db


def test_the_demo_gives_every_step_of_the_workflow_and_a_history(world):
    summary = seed_demo_data(rng=random.Random(7), today=timezone.localdate(), tier="T")
    assert "9 件流程演示事件" in summary and "300 件历史事件" in summary
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {
        CaseStatus.REPORTED,
        CaseStatus.DISPATCHED,
        CaseStatus.HANDLED,
        CaseStatus.CLOSED,
        CaseStatus.RATED,
    } <= statuses
    assert {CaseStatus.PARKED, CaseStatus.REJECTED} <= statuses
    mine = Case.objects.filter(reporter=world.user("jumin"))
    assert mine.filter(status=CaseStatus.CLOSED).exists()  # left for jumin to rate
    history = Case.objects.filter(reporter__isnull=True)
    assert history.filter(status=CaseStatus.RATED).exists()
    assert not history.filter(
        status=CaseStatus.DISPATCHED, deadline_at__lt=timezone.now(), escalation_level__lt=3
    ).exists()
    # Only the demo case left alone past its deadline escalates on the first run.
    assert cases_escalate() == 1
    assert Notification.objects.filter(recipient=world.user("wangge_a"), kind="case-escalation").count() == 1
