"""python manage.py demo_logins: the persona logins table and the demo password."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from gongzhi.demo.personas import login_rows

HEADERS = ("username", "姓名", "角色", "职责范围", "能看到 / 能做")


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Print the demo personas (username, role, what they see) and the demo password."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = [(r.username, r.full_name, r.role, r.place, r.sees) for r in login_rows()]
        password = settings.GONGZHI_DEMO_PASSWORD
        if not rows:
            self.stdout.write("No demo accounts in this database yet: run `python manage.py seed_demo` first.")
        else:
            widths = [max(_width(row[i]) for row in [HEADERS, *rows]) for i in range(len(HEADERS) - 1)]
            for row in [HEADERS, *rows]:
                cells = [_pad(cell, width) for cell, width in zip(row, widths, strict=False)]
                self.stdout.write("  ".join([*cells, row[-1]]).rstrip())
        self.stdout.write(f"\nDemo password (演示密码) for every account: {password}")
        self.stdout.write("Log in at http://127.0.0.1:8000/accounts/login/")
