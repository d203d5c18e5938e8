"""Background work of notices: thin wrappers over services."""

from __future__ import annotations

from django_tasks import task

from gongzhi.publicity import services


@task()
def notices_due() -> dict[str, int]:
    """Every few minutes: scheduled notices whose time has come, and reminders that are due."""
    return services.notices_due()


@task()
def deliver_due() -> int:
    """SMS deliveries that are due (new ones, and retries whose time has come)."""
    return services.deliver_due()
