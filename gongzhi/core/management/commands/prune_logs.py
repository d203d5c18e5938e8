from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from gongzhi.core.audit import MINIMUM_RETENTION_DAYS, logs_prune


class Command(BaseCommand):
    help = "Delete access-log and audit rows older than their retention (never less than 180 days)."

    def handle(self, *args: Any, **options: Any) -> None:
        days = max(MINIMUM_RETENTION_DAYS, settings.GONGZHI_ACCESS_LOG_RETENTION_DAYS)
        pruned = logs_prune(days=days)
        self.stdout.write(
            f"pruned {pruned['core_accesslog']} access-log rows and {pruned['core_auditentry']} audit rows"
            f" older than {days} days"
        )
