from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gongzhi.core.scheduler import jobs, scheduler_tick


class Command(BaseCommand):
    help = "Fire the jobs of settings.GONGZHI_SCHEDULE when due (run one, alongside `db_worker`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Check once and exit.")
        parser.add_argument("--interval", type=int, default=30, help="Seconds between checks.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("jobs: " + ", ".join(f"{j.name} [{j.cron}]" for j in jobs()))
        while True:
            for name in scheduler_tick():
                self.stdout.write(f"fired {name}")
            if options["once"]:
                return
            time.sleep(options["interval"])
