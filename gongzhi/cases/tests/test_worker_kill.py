"""A task worker killed in the middle of an escalation: the task is retried, and escalates once (issue 19).

A real `manage.py db_worker` runs the escalation task on the PostgreSQL test database. The test holds a lock
on the overdue case from a second session, so the worker stops inside the escalation's transaction — the
escalation row already inserted, the case's level not yet raised — and is SIGKILLed there. The row the
library keeps for the task stays RUNNING: nothing of django-tasks-db ever looks at it again. The reclaim
(gongzhi/core/workers.py, a scheduled job) puts it back in the queue once it has been RUNNING longer than
GONGZHI_TASK_STALE_MINUTES, a second worker runs it, and the breach is escalated exactly once, with one
notice per person on duty."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from gongzhi.cases.escalation import cases_escalate
from gongzhi.cases.models import Case, CaseEscalation, CaseEvent
from gongzhi.cases.tasks import escalate_overdue
from gongzhi.cases.tests.test_workflow import dispatched
from gongzhi.core.models import Notification
from gongzhi.core.workers import LOST, MAX_ATTEMPTS, tasks_reclaim
from gongzhi.testing.children import kill_while_blocked, manage, second_session

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
needs_server = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a worker process on the test database and row locks: PostgreSQL"
)


def stale() -> dt.datetime:
    """A moment at which a task started now counts as orphaned."""
    return timezone.now() + dt.timedelta(minutes=settings.GONGZHI_TASK_STALE_MINUTES + 1)


@pytest.fixture
def committed_world(transactional_db):  # type: ignore[no-untyped-def]
    """The test world, committed so that a worker process sees it, with the case categories of the data
    migration put back if an earlier transactional test flushed them (as tests/e2e/conftest.py does)."""
    import importlib

    from django.apps import apps as django_apps

    from gongzhi.cases.models import CaseCategory
    from gongzhi.testing.world import build_world

    if not CaseCategory.objects.exists():
        importlib.import_module("gongzhi.cases.migrations.0002_default_categories").forwards(django_apps, None)
    return build_world()


@needs_server
@override_settings(TASKS=DATABASE_TASKS)
def test_a_worker_killed_mid_escalation_is_retried_and_escalates_once(committed_world):
    from gongzhi.accounts.actors import actor_for_user

    world = committed_world
    case = dispatched(world, lambda username: actor_for_user(world.user(username)))
    Case.objects.filter(pk=case.pk).update(deadline_at=timezone.now() - dt.timedelta(hours=1))
    result = escalate_overdue.enqueue()

    blocker = second_session()
    # A non-key row lock: the escalation's INSERT (its foreign key check) passes, its UPDATE of the case waits.
    blocker.execute("SELECT 1 FROM cases_case WHERE id = %s FOR NO KEY UPDATE", [case.pk])
    worker = manage("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    written = kill_while_blocked(worker, blocker=blocker, statement="UPDATE cases_case SET")
    assert "cases_caseescalation" in written, "the worker was not yet inside the escalation"

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.RUNNING and len(row.worker_ids) == 1  # the gap: left for good
    assert not CaseEscalation.objects.exists()
    assert tasks_reclaim() == (0, 0)  # not yet past the bound: it might still be running
    assert tasks_reclaim(now=stale()) == (1, 0)

    again = manage("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    output, _ = again.communicate(timeout=120)
    assert again.returncode == 0, output
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == 1 and len(row.worker_ids) == 2
    assert list(CaseEscalation.objects.values_list("case_id", "level", "notified")) == [(case.pk, 1, 1)]
    assert CaseEvent.objects.filter(case=case, action="escalate").count() == 1
    notices = Notification.objects.filter(kind="case-escalation")
    assert list(notices.values_list("recipient__username", flat=True)) == ["wangge_a"]
    assert cases_escalate() == 0  # the scheduler's next run finds nothing left to do
    assert Notification.objects.filter(kind="case-escalation").count() == 1


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_reclaim_requeues_only_tasks_running_past_the_bound_and_fails_one_that_keeps_killing_its_worker():
    fresh, orphan, poison = (escalate_overdue.enqueue() for _ in range(3))
    for result, claims in ((fresh, 1), (orphan, 1), (poison, MAX_ATTEMPTS)):
        row = DBTaskResult.objects.get(pk=result.id)
        for n in range(claims):
            row.claim(f"worker-{n}")  # what db_worker does when it takes the task
    DBTaskResult.objects.filter(pk__in=[orphan.id, poison.id]).update(
        started_at=timezone.now() - dt.timedelta(minutes=settings.GONGZHI_TASK_STALE_MINUTES + 1)
    )

    assert tasks_reclaim() == (1, 1)
    statuses = {str(pk): status for pk, status in DBTaskResult.objects.values_list("pk", "status")}
    assert statuses == {
        fresh.id: TaskResultStatus.RUNNING,
        orphan.id: TaskResultStatus.READY,
        poison.id: TaskResultStatus.FAILED,
    }
    assert DBTaskResult.objects.get(pk=poison.id).exception_class_path == LOST
    assert [str(pk) for pk in DBTaskResult.objects.ready().values_list("pk", flat=True)] == [orphan.id]
    assert tasks_reclaim() == (0, 0)
