from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gongzhi.core.actors import Actor
from gongzhi.volunteering.ledger import ledger_check, ledger_repair


class Command(BaseCommand):
    help = (
        "Recompute every points balance, certified-minutes total and item stock from the append-only rows and "
        "list any drift from the cached columns (exit status 1 if there is any). --repair sets the cached "
        "columns to the sums, each audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repair", action="store_true", help="set drifted caches to the ledger sums")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = ledger_repair(actor=Actor.system("points_check --repair")) if options["repair"] else ledger_check()
        seconds = time.perf_counter() - started
        self.stdout.write(f"核对 {report.volunteers} 名志愿者、{report.items} 件商品，用时 {seconds:.2f} 秒。")
        for drift in report.drifts:
            self.stdout.write(
                f"  差异 {drift.what} #{drift.object_id} {drift.label}: 缓存 {drift.cached}，合计 {drift.summed}"
            )
        if options["repair"]:
            self.stdout.write(f"已修复 {report.repaired} 处。")
        elif report.ok:
            self.stdout.write("没有发现差异。")
        else:
            sys.exit(1)
