"""Party organisations and members (stocks) and members' certified party service per day (flow), from
party's selectors and serving. An organisation counts at the first node of the territory it covers, in no
grid; a member where they live (their person's grid and address); service as the service cards add it up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from gongzhi.dashboards.figures import DEFINITIONS
from gongzhi.dashboards.sources import Row, Source
from gongzhi.party import selectors as party
from gongzhi.party import serving
from gongzhi.territory import selectors as territory
from gongzhi.volunteering import selectors as volunteering


class PartySource(Source):
    name = "party"
    definitions = tuple(DEFINITIONS[k] for k in ("party_organisations", "party_members", "party_service_minutes"))

    def mark(self) -> int:
        return volunteering.cockpit_mark()[0]  # the service records; the rolls are stocks

    def touched(self, mark: int, today: dt.date) -> set[dt.date] | None:
        # Entry ids are not this source's: every points entry's day is included, a few days too many at most.
        return volunteering.cockpit_days_after(record_after=mark, entry_after=2**62)

    def first_day(self) -> dt.date | None:
        return volunteering.cockpit_first_day()

    def flows(self, days: list[dt.date]) -> Iterable[Row]:
        if not days:
            return
        wanted = set(days)
        prefix = territory.place_prefix_length()
        for day, grid_id, place, minutes in serving.cockpit_day_minutes(
            since=min(days), until=max(days), prefix=prefix
        ):
            if day in wanted:
                yield day, place, grid_id, "party_service_minutes", minutes

    def stocks(self, today: dt.date) -> Iterable[Row]:
        prefix = territory.place_prefix_length()
        for place, n in party.cockpit_organisations(prefix=prefix):
            yield today, place, 0, "party_organisations", n
        for grid_id, place, n in party.cockpit_members(prefix=prefix):
            yield today, place, grid_id, "party_members", n
