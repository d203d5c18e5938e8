"""Door-to-door coverage: the open campaigns' per-grid tallies (stocks) and the households and persons
first reached each day (flows), from campaigns' selectors; campaigns keeps its tallies itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from gongzhi.campaigns import selectors as campaigns
from gongzhi.dashboards.figures import DEFINITIONS
from gongzhi.dashboards.sources import Row, Source

STOCKS = ("campaign_households", "campaign_households_reached", "campaign_people", "campaign_people_checked")


class CampaignsSource(Source):
    name = "campaigns"
    definitions = tuple(DEFINITIONS[k] for k in (*STOCKS, "campaign_day_households", "campaign_day_people"))

    def mark(self) -> int:
        return campaigns.visit_mark()

    def touched(self, mark: int, today: dt.date) -> set[dt.date] | None:
        return {today}  # a visit is recorded as it happens; a late entry is caught by the nightly recompute

    def first_day(self) -> dt.date | None:
        return campaigns.first_tally_day()

    def flows(self, days: list[dt.date]) -> Iterable[Row]:
        if not days:
            return
        wanted = set(days)
        for day, grid_id, place, households, persons in campaigns.day_tallies(since=min(days), until=max(days)):
            if day in wanted:
                yield day, place, grid_id, "campaign_day_households", households
                yield day, place, grid_id, "campaign_day_people", persons

    def stocks(self, today: dt.date) -> Iterable[Row]:
        for grid_id, place, *values in campaigns.open_tallies():
            for key, value in zip(STOCKS, values, strict=True):
                yield today, place, grid_id, key, value
