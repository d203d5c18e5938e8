"""Notices published, their residents reached, and offline publicity per day (flows), from publicity's
selectors. A notice counts once at the node that published it; its recipients and reads by its tallies'
grids (residents in no grid at their community); an offline activity at the node it was held for.

Reads are counted up on the tallies in place, so the days a refresh redoes are this month's and last
month's (what the headline compares); older days follow at the nightly recompute."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from gongzhi.dashboards.figures import DEFINITIONS
from gongzhi.dashboards.sources import Row, Source
from gongzhi.publicity import selectors as publicity
from gongzhi.territory import selectors as territory


def recent_days(today: dt.date) -> set[dt.date]:
    """This month and the month before, up to today."""
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return {first + dt.timedelta(days=i) for i in range((today - first).days + 1)}


class PublicitySource(Source):
    name = "publicity"
    definitions = tuple(
        DEFINITIONS[k] for k in ("notices", "notice_recipients", "notice_reached", "publicity_activities")
    )

    def mark(self) -> int:
        return publicity.cockpit_mark()

    def touched(self, mark: int, today: dt.date) -> set[dt.date] | None:
        return recent_days(today)

    def first_day(self) -> dt.date | None:
        return publicity.cockpit_first_day()

    def flows(self, days: list[dt.date]) -> Iterable[Row]:
        if not days:
            return
        wanted = set(days)
        prefix = territory.place_prefix_length()
        since, until = min(days), max(days)
        for day, place, n in publicity.cockpit_day_notices(since=since, until=until, prefix=prefix):
            if day in wanted:
                yield day, place, 0, "notices", n
        for day, grid_key, place, recipients, reached in publicity.cockpit_day_tallies(
            since=since, until=until, prefix=prefix
        ):
            if day in wanted:
                yield day, place, grid_key, "notice_recipients", recipients
                yield day, place, grid_key, "notice_reached", reached
        for day, place, n in publicity.cockpit_day_activities(since=since, until=until, prefix=prefix):
            if day in wanted:
                yield day, place, 0, "publicity_activities", n
