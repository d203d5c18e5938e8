from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from gongzhi.core.models import AccessLog, AuditEntry


class Command(BaseCommand):
    help = "Delete access-log and audit rows older than their retention (never less than 180 days)."

    def handle(self, *args: Any, **options: Any) -> None:
        days = max(180, settings.GONGZHI_ACCESS_LOG_RETENTION_DAYS)
        cutoff = timezone.now() - dt.timedelta(days=days)
        access = AccessLog.objects.prune_before(cutoff)
        audit = AuditEntry.objects.prune_before(cutoff)
        self.stdout.write(f"pruned {access} access-log rows and {audit} audit rows older than {days} days")
