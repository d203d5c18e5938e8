"""python manage.py seed_demo [--tier T|S|M] [--seed N] [--if-empty]"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongzhi.demo.layout import TIERS
from gongzhi.demo.seed import DEFAULT_SEED, DemoDataExists, database_has_data, seed_demo


class Command(BaseCommand):
    help = (
        "Build a realistic, deterministic demo subdistrict on an empty database: tier T (tiny, for tests), "
        "S (纬二路街道: ~150 grids, ~30,000 households, ~80,000 people) or M (~1,000,000 people)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--tier", choices=sorted(TIERS), default="S", help="Size of the demo (default S).")
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Random seed (default {DEFAULT_SEED}); same seed, same data.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Succeed without doing anything when the database already has territory data (for `make run`).",
        )

    def handle(self, *args: Any, tier: str, seed: int, if_empty: bool, verbosity: int, **options: Any) -> None:
        if database_has_data():
            if if_empty:
                self.stdout.write("seed_demo: the database already has territory data; demo data not loaded.")
                return
            raise CommandError(
                "The database already has territory or registry data: seed_demo only writes into an empty "
                "database and never wipes one. Point GONGZHI_SQLITE_PATH (or GONGZHI_DB_NAME) at a new "
                "database, run `manage.py migrate`, then seed_demo."
            )
        log = self.stdout.write if verbosity >= 2 else None
        try:
            report = seed_demo(tier=tier, seed=seed, log=log)
        except DemoDataExists as exc:
            raise CommandError(str(exc)) from exc
        counts = ", ".join(f"{name} {count:,}" for name, count in report.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded tier {report.tier} (seed {report.seed}) in {report.seconds:.1f} s, "
                f"peak RSS {report.peak_rss_mib:.0f} MiB."
            )
        )
        self.stdout.write(counts)
        for line in report.app_summaries:
            self.stdout.write(line)
