from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.models import User
from gongzhi.core.actors import Actor
from gongzhi.registry import quality


class Command(BaseCommand):
    help = (
        "The data-quality report of the registry page 数据质量: per community, buildings in no grid, dwellings "
        "whose building has no grid, households with no dwelling, residents in no household, people "
        "registered twice. --check KEY lists that check's rows (names masked)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", choices=quality.CHECK_KEYS, help="List the rows of this check.")
        parser.add_argument("--as", dest="username", help="Report within this user's scope (default: everything).")
        parser.add_argument("--json", action="store_true", help="Print the counts as JSON.")
        parser.add_argument(
            "--fail-on-issues", action="store_true", help="Exit with status 1 when any check finds a row (for cron)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor: Actor = Actor.system("data_quality")
        if options["username"]:
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"No user {options['username']!r}.")
            actor = actor_for_user(user)
        counts = quality.quality_counts(actor=actor)
        total = sum(row.total for row in counts)
        if options["check"]:
            rows = list(quality.quality_rows(actor=actor, key=options["check"], community=None)[:10_000])
            for line in quality.quality_lines(key=options["check"], rows=rows):
                self.stdout.write(f"{line.pk}\t{line.label}\t{line.detail}")
        elif options["json"]:
            report = [{"community": r.node.name, "path": r.node.path, **dict(r.cells())} for r in counts]
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self.stdout.write("\t".join(["community", *quality.CHECK_KEYS]))
            for row in counts:
                self.stdout.write("\t".join([row.node.name, *(str(n) for _key, n in row.cells())]))
            self.stdout.write(f"{total} row(s) to fix.")
        if options["fail_on_issues"] and total:
            raise SystemExit(1)
