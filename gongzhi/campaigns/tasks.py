"""Scheduled work of campaigns: thin wrappers over services."""

from __future__ import annotations

from django_tasks import task

from gongzhi.campaigns.reminders import campaign_reminders
from gongzhi.campaigns.services import purge_expired


@task()
def send_reminders() -> None:
    campaign_reminders()


@task()
def purge_personal_answers() -> None:
    purge_expired()
