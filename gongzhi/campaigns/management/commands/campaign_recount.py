"""python manage.py campaign_recount <campaign id> [--fix]: compare the grid tallies with a fresh count
of the snapshot rows; with --fix, rebuild them (services.recount)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongzhi.campaigns import services
from gongzhi.campaigns.models import Campaign


class Command(BaseCommand):
    help = "Check a campaign's grid tallies against its snapshot rows; --fix rebuilds them."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("campaign_id", type=int)
        parser.add_argument("--fix", action="store_true", help="rebuild the tallies from the snapshot rows")

    def handle(self, *args: Any, campaign_id: int, fix: bool, **options: Any) -> None:
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None:
            raise CommandError(f"No campaign #{campaign_id}.")
        drift = services.tallies_mismatch(campaign)
        for grid_id, (have, want) in sorted(drift.items()):
            self.stdout.write(f"grid {grid_id}: tally {have}, counted {want}")
        if not drift:
            self.stdout.write(self.style.SUCCESS(f"Campaign #{campaign_id}: every grid tally matches its rows."))
            return
        if not fix:
            raise CommandError(f"{len(drift)} grid tallies drifted; run again with --fix to rebuild them.")
        fixed = services.recount(campaign=campaign)
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the tallies; {fixed} grids were corrected."))
