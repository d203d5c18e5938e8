"""Scheduled work of consultation: thin wrappers over services."""

from __future__ import annotations

from django_tasks import task

from gongzhi.consultation.services import follow_ups_remind


@task()
def remind_follow_ups() -> None:
    follow_ups_remind()
