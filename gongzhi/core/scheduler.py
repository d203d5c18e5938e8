"""The scheduler: a declarative table of (job, cron, task) in settings.GONGZHI_SCHEDULE, fired in
Asia/Shanghai time. Each firing first inserts ScheduledRun(job, slot) under a unique constraint, then
enqueues the task, so a slot fires once however many schedulers run. Jobs keep their state on the
objects they act on (a case's escalation level, a grid's last reminder), so they are idempotent."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from cronsim import CronSim
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from gongzhi.core.models import ScheduledRun

logger = logging.getLogger(__name__)
# A slot missed by more than this (the scheduler was down) is not fired late; the next one is.
CATCH_UP = dt.timedelta(hours=6)


@dataclass(frozen=True)
class Job:
    name: str
    cron: str
    task: str  # dotted path of a django_tasks task


def jobs() -> list[Job]:
    return [Job(name, cron, task) for name, cron, task in settings.GONGZHI_SCHEDULE]


def latest_slot(job: Job, now: dt.datetime) -> dt.datetime | None:
    """The most recent cron slot at or before ``now`` within the catch-up window."""
    tz = ZoneInfo(settings.TIME_ZONE)
    local_now = now.astimezone(tz)
    latest = None
    for slot in CronSim(job.cron, local_now - CATCH_UP):
        if slot > local_now:
            break
        latest = slot
    return latest


def scheduler_tick(*, now: dt.datetime | None = None) -> list[str]:
    """Fire every job whose latest slot has not fired yet; returns the names fired."""
    now = now or timezone.now()
    fired = []
    for job in jobs():
        slot = latest_slot(job, now)
        if slot is None:
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=slot)
                result = import_string(job.task).enqueue()
                run.task_id = str(getattr(result, "id", ""))[:64]
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # this slot already fired
        logger.info("scheduled %s for %s", job.name, slot.isoformat())
        fired.append(job.name)
    return fired
