"""python manage.py restore_data BACKUP TARGET [--create] [--pg-bin DIR]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.core.backup import BackupError, restore_data


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_data into a new database and check every table's row count and "
        "checksum against its manifest. TARGET is a new SQLite file, or a PostgreSQL database on the "
        "configured server (empty, or created with --create)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", help="The backup file (its .manifest.json must be next to it).")
        parser.add_argument("target", help="SQLite: a new file path. PostgreSQL: a database name.")
        parser.add_argument("--create", action="store_true", help="PostgreSQL: create the target database.")
        parser.add_argument("--pg-bin", help="Directory of pg_restore (default: PATH, then /usr/lib/postgresql/N/bin).")

    def handle(self, *args: Any, backup: str, target: str, create: bool, pg_bin: str | None, **options: Any) -> None:
        try:
            result = restore_data(Path(backup), target=target, create=create, pg_bin=pg_bin)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("已恢复到 %(target)s：%(tables)s 张表、%(rows)s 行，行数与校验和均与清单一致。")
            % {"target": result.target, "tables": result.tables, "rows": f"{result.rows:,}"}
        )
        if result.missing_keys:
            self.stderr.write(
                _("注意：当前 GONGZHI_PII_KEYS 中没有密钥 %(keys)s，这些密文恢复后无法解密：请先恢复密钥备份。")
                % {"keys": ", ".join(result.missing_keys)}
            )
