"""Scheduled jobs of cases: thin wrappers over the services."""

from __future__ import annotations

from django_tasks import task

from gongzhi.cases.escalation import cases_escalate


@task()
def escalate_overdue() -> int:
    return cases_escalate()
