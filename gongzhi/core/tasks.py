"""Background tasks of the kernel: thin wrappers over services."""

from __future__ import annotations

from django.core.management import call_command
from django_tasks import task


@task()
def prune_logs() -> None:
    call_command("prune_logs")
