"""Tasks a dead worker left RUNNING go back to the queue.

django-tasks-db marks a task RUNNING when a `db_worker` claims it and only the same worker ever finishes
it: a worker killed in the middle (SIGKILL, the OOM killer, a power cut) leaves the row RUNNING for good,
and the task — an import, a delivery, an escalation — never runs again. The library records when the task
started and which worker ids claimed it (random, with no host or pid), nothing that tells a live worker from
a dead one; so a task RUNNING for longer than GONGZHI_TASK_STALE_MINUTES is taken for orphaned. The bound
is far above the longest task we run (a 100,000-row import takes under a minute, docs/performance.md): a
live task taken for dead would run twice at once. Every task of ours may run again — the scheduler's jobs
keep their state on the rows they act on, an import is one transaction — so the orphan is put back as READY,
keeping its id. One that has already been claimed MAX_ATTEMPTS times is marked FAILED instead: a task that
kills its worker each time must not do so forever.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
LOST = "gongzhi.core.workers.WorkerLost"


def tasks_reclaim(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Re-queue (or, after MAX_ATTEMPTS, fail) the tasks RUNNING for too long; returns (requeued, failed)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.GONGZHI_TASK_STALE_MINUTES)
    requeued = failed = 0
    with transaction.atomic():
        stale = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=cutoff
        )
        for row in stale:
            # The status in the WHERE clause: a worker that finishes the task meanwhile wins.
            still = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING)
            if len(row.worker_ids) >= MAX_ATTEMPTS:
                failed += still.update(
                    status=TaskResultStatus.FAILED,
                    finished_at=now,
                    exception_class_path=LOST,
                    traceback=f"its worker died {len(row.worker_ids)} times; workers: {', '.join(row.worker_ids)}",
                )
                logger.error("task %s (%s) failed: its worker died %d times", row.pk, row.task_path, MAX_ATTEMPTS)
            else:
                requeued += still.update(status=TaskResultStatus.READY, started_at=None)
                logger.warning("task %s (%s) re-queued: its worker died", row.pk, row.task_path)
    return requeued, failed
