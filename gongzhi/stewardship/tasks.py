"""Background work of stewardship: thin wrappers over services."""

from __future__ import annotations

from django_tasks import task

from gongzhi.stewardship import services


@task()
def modes_sync() -> int:
    """Nightly: contracts start and end on their dates; each compound's mode follows. Returns the changes."""
    return services.modes_sync_all()


@task()
def term_reminders() -> int:
    """Daily: committees whose term ends within 90 days are reminded once. Returns the notices sent."""
    return services.term_reminders()
