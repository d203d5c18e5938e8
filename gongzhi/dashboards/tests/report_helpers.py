"""Helpers for the monthly reports' tests: a kept report of the first community, for the route checks."""

from __future__ import annotations

import datetime as dt

from gongzhi.dashboards.models import MonthlyReport
from gongzhi.testing.world import World


def rows_for_routes(world: World) -> dict[str, int]:
    """A kept report of 第一社区 (its files are not opened by the route checks, so they stay tiny)."""
    report = MonthlyReport.objects.create(
        month=dt.date(2026, 5, 1),
        node_id=world.community.pk,
        node_path=world.community.path,
        node_name=world.community.name,
        pdf=b"%PDF-1.7\n",
        xlsx=b"PK",
        created_by="test",
    )
    return {"report_id": report.pk}
