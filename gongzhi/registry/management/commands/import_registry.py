from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.models import User
from gongzhi.core.actors import Actor
from gongzhi.core.exceptions import DomainError
from gongzhi.core.tables import read_rows
from gongzhi.registry.importing import run_import, write_rejects


class Command(BaseCommand):
    help = (
        "Import a population ledger (.xlsx/.xls/.csv, one row per person). All rows or none, unless "
        "--valid-rows-only; rejected rows go to FILE.rejects.xlsx with their reasons."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        parser.add_argument("--valid-rows-only", action="store_true", help="Import the valid rows, return the rest.")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")
        parser.add_argument("--as", dest="username", help="Import within this user's scope (default: whole system).")
        parser.add_argument("--rejects", help="Where to write the rejected rows (default: FILE.rejects.xlsx).")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        actor: Actor
        if options["username"]:
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"No user {options['username']!r}.")
            actor = actor_for_user(user, is_verified=True)
        else:
            actor = Actor.system("import_registry")
        try:
            outcome = run_import(
                actor,
                read_rows(path, filename=path.name),
                dry_run=options["dry_run"],
                valid_rows_only=options["valid_rows_only"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        summary = outcome.summary()
        if summary["rejected"]:
            rejects = Path(options["rejects"] or path.with_suffix(".rejects.xlsx"))
            with rejects.open("wb") as out:
                write_rejects(out, outcome)
            summary["rejects_file"] = str(rejects)
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
        else:
            state = "imported" if outcome.imported else ("dry run" if options["dry_run"] else "NOT imported")
            self.stdout.write(
                f"{state}: {summary['rows']} rows, {summary['created']} created, {summary['updated']} updated, "
                f"{summary['unchanged']} unchanged, {summary['rejected']} rejected"
            )
            for rejection in summary["rejections"][:50]:
                self.stdout.write(f"  row {rejection['row']}: {'；'.join(rejection['reasons'])}")
            if summary.get("rejects_file"):
                self.stdout.write(f"rejected rows with reasons: {summary['rejects_file']}")
        if summary["rejected"] and not outcome.imported and not options["dry_run"]:
            raise SystemExit(1)
