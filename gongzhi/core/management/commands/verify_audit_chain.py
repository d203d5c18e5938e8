from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.core.chain import chains_verify


class Command(BaseCommand):
    help = (
        "Verify the hash chains of the audit trail and the access log, in id order; report the first broken row of "
        "each and exit non-zero if any is broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="Rows read at a time.")

    def handle(self, *args: Any, **options: Any) -> None:
        broken = []
        for report in chains_verify(batch=options["batch"]):
            if report.broken is not None:
                broken.append(str(report.broken))
                self.stderr.write(f"BROKEN {report.broken} (after {report.rows - 1} good rows)")
            else:
                self.stdout.write(
                    f"OK {report.table}: {report.rows} rows, ids {report.first_id}–{report.head_id},"
                    f" head {report.head_hash}"
                )
        if broken:
            raise CommandError("; ".join(broken))
