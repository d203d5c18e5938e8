"""python manage.py backup_keys OUTPUT [--data BACKUP ...]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.core.backup import BackupError, backup_keys


class Command(BaseCommand):
    help = (
        "Write the key material (GONGZHI_SECRET_KEY, GONGZHI_PII_KEYS, GONGZHI_BLIND_INDEX_KEY) to OUTPUT, "
        "mode 0600. Refuses a place next to or inside a data backup."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", help="The key file to write (it must not exist).")
        parser.add_argument(
            "--data", action="append", default=[], help="A data backup or its directory, to keep the keys away from."
        )

    def handle(self, *args: Any, output: str, data: list[str], **options: Any) -> None:
        try:
            path = backup_keys(Path(output), data=[Path(d) for d in data])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("密钥备份：%(path)s（权限 0600）。请与数据备份分开保管。") % {"path": path})
