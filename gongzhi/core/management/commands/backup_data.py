"""python manage.py backup_data OUTPUT [--keys KEYFILE] [--pg-bin DIR]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.core.backup import BackupError, backup_data, backup_keys, check_keys_apart


class Command(BaseCommand):
    help = (
        "Back the database up while it runs: SQLite through its online backup API, PostgreSQL with pg_dump "
        "(custom format). Writes OUTPUT and OUTPUT.manifest.json (row counts and checksums per table). "
        "The keys are never in it: --keys writes them to a separate 0600 file, away from the data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", help="The backup file, or a directory to name one in.")
        parser.add_argument("--keys", help="Also write the keys to this file (not in the data's directory).")
        parser.add_argument("--pg-bin", help="Directory of pg_dump (default: PATH, then /usr/lib/postgresql/N/bin).")

    def handle(self, *args: Any, output: str, keys: str | None, pg_bin: str | None, **options: Any) -> None:
        try:
            if keys:  # checked before the data is written, so that a refused key path costs nothing
                check_keys_apart(Path(keys), [Path(output)])
            result = backup_data(Path(output), pg_bin=pg_bin)
            tables = result.manifest.tables
            self.stdout.write(
                _("数据备份：%(path)s（%(bytes)s 字节，%(tables)s 张表，%(rows)s 行）\n清单：%(manifest)s")
                % {
                    "path": result.path,
                    "bytes": f"{result.manifest.file_bytes:,}",
                    "tables": len(tables),
                    "rows": f"{sum(t.rows for t in tables.values()):,}",
                    "manifest": result.manifest_path,
                }
            )
            if result.manifest.key_ids:
                needed = ", ".join(f"{k} {n:,}" for k, n in result.manifest.key_ids.items())
                self.stdout.write(_("恢复时需要的密钥（密钥编号 密文数）：%(keys)s") % {"keys": needed})
            if keys:
                written = backup_keys(Path(keys), data=[result.path])
                self.stdout.write(_("密钥备份：%(path)s（权限 0600）") % {"path": written})
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
