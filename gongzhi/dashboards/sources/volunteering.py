"""Volunteers in the register (stock), certified service time and points earned and redeemed per day
(flows), from volunteering's selectors. A volunteer counts where they live: their person's grid and address."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from gongzhi.dashboards.figures import DEFINITIONS
from gongzhi.dashboards.sources import Row, Source
from gongzhi.territory import selectors as territory
from gongzhi.volunteering import selectors as volunteering

# The mark packs the last ServiceRecord id and the last PointsEntry id into one integer.
SHIFT = 10**9


class VolunteeringSource(Source):
    name = "volunteering"
    definitions = tuple(DEFINITIONS[k] for k in ("volunteers", "volunteer_minutes", "points_earned", "points_redeemed"))

    def mark(self) -> int:
        record, entry = volunteering.cockpit_mark()
        return record * SHIFT + entry

    def touched(self, mark: int, today: dt.date) -> set[dt.date] | None:
        record, entry = divmod(mark, SHIFT)
        return volunteering.cockpit_days_after(record_after=record, entry_after=entry)

    def first_day(self) -> dt.date | None:
        return volunteering.cockpit_first_day()

    def flows(self, days: list[dt.date]) -> Iterable[Row]:
        if not days:
            return
        wanted = set(days)
        prefix = territory.place_prefix_length()
        since, until = min(days), max(days)
        for day, grid_id, place, minutes in volunteering.cockpit_day_minutes(since=since, until=until, prefix=prefix):
            if day in wanted:
                yield day, place, grid_id, "volunteer_minutes", minutes
        for day, grid_id, place, earned, redeemed in volunteering.cockpit_day_points(
            since=since, until=until, prefix=prefix
        ):
            if day in wanted:
                yield day, place, grid_id, "points_earned", earned
                yield day, place, grid_id, "points_redeemed", redeemed

    def stocks(self, today: dt.date) -> Iterable[Row]:
        for grid_id, place, n in volunteering.cockpit_volunteers(prefix=territory.place_prefix_length()):
            yield today, place, grid_id, "volunteers", n
