"""Scheduled work of the ballot engine: thin wrappers over services."""

from __future__ import annotations

from django_tasks import task

from gongzhi.votes.services import polls_advance


@task()
def advance_polls() -> None:
    polls_advance()
