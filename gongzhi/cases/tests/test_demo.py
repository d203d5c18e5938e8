import random

import pytest
from django.utils import timezone

from gongzhi.cases.choices import CaseStatus
from gongzhi.cases.demo import seed_demo_data
from gongzhi.cases.escalation import cases_escalate
from gongzhi.cases.models import Case, CaseEscalation
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
    # Only the demo case left alone past its deadline escalates on the first run (one level, or two when
    # its working-time deadline fell before a weekend and lies more than a day back).
    assert cases_escalate() >= 1
    assert set(CaseEscalation.objects.values_list("case__description", flat=True)) == {"2号楼楼道有电动车飞线充电"}
    assert Notification.objects.filter(recipient=world.user("wangge_a"), kind="case-escalation").count() == 1


def test_the_demo_keeps_every_cases_own_order_of_time(world, client):
    """Reported ≤ accepted ≤ dispatched ≤ deadline ≤ …: the demo must look like data a live system wrote."""
    seed_demo_data(rng=random.Random(7), today=timezone.localdate(), tier="T")
    broken = []
    for case in Case.objects.all():
        steps = [case.created_at, case.accepted_at, case.dispatched_at, case.handled_at, case.closed_at]
        present = [t for t in steps if t is not None]
        if present != sorted(present):
            broken.append((case.pk, "steps out of order"))
        if case.deadline_at is not None and not (case.dispatched_at and case.dispatched_at <= case.deadline_at):
            broken.append((case.pk, "deadline before dispatch"))
        if case.updated_at < case.created_at:
            broken.append((case.pk, "updated before created"))
        events = list(case.events.values_list("at", flat=True))
        if events and (events != sorted(events) or events[0] < case.created_at):
            broken.append((case.pk, "events out of order"))
    assert broken == []
    rows = client.get("/open311/v2/requests.json").json()
    assert rows
    for row in rows:
        if row["expected_datetime"]:
            assert row["expected_datetime"] >= row["requested_datetime"], row["service_request_id"]
        assert row["updated_datetime"] >= row["requested_datetime"], row["service_request_id"]
