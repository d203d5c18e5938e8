"""Background tasks of the kernel: thin wrappers over services."""

from __future__ import annotations

from django_tasks import task

from gongzhi.core.audit import logs_prune
from gongzhi.core.workers import tasks_reclaim


@task()
def prune_logs() -> None:
    logs_prune()


@task()
def reclaim_tasks() -> list[int]:
    return list(tasks_reclaim())
