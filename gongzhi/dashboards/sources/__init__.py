"""Sources: one per module, each turning that module's selectors into figure rows.

A source knows its figures (figures.Definition), its high-water mark (the last id of the module's event
table, so that a refresh skips a source where nothing happened) and two computations:

- ``flows(days)``: the rows of its flow figures for those days, from the raw tables;
- ``stocks()``: the rows of its stock figures as they stand now.

and ``touched(mark)``: the days whose flows the events after ``mark`` may have changed (None: every day the
source keeps, when it cannot tell). A row is (day, path, grid_id, key, value) with the place already cut to
compound depth (territory.selectors.place_prefix_length), the grid as the module stores it (Row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from gongzhi.dashboards.figures import Definition

# (day, place path, grid id — None or a holding cell: in no grid, stored as 0 by services.summed —, key, value)
Row = tuple[dt.date, str, int | None, str, int]


class Source:
    name = ""
    definitions: tuple[Definition, ...] = ()

    def mark(self) -> int:
        """The module's high-water mark: a refresh folds in what lies above the last one it saw."""
        return 0

    def touched(self, mark: int, today: dt.date) -> set[dt.date] | None:
        """Days whose flows may have changed since ``mark``; an empty set when only stocks did."""
        return {today}

    def flows(self, days: list[dt.date]) -> Iterable[Row]:
        return ()

    def stocks(self, today: dt.date) -> Iterable[Row]:
        return ()

    def first_day(self) -> dt.date | None:
        """The earliest day with flows, where a full recompute starts."""
        return None

    def last_day(self, today: dt.date) -> dt.date:
        """The latest day with flows (a deadline next week), where a full recompute ends."""
        return today

    @property
    def flow_keys(self) -> list[str]:
        return [d.key for d in self.definitions if d.kind == "flow"]

    @property
    def stock_keys(self) -> list[str]:
        return [d.key for d in self.definitions if d.kind == "stock"]


def all_sources() -> list[Source]:
    from gongzhi.dashboards.sources.campaigns import CampaignsSource
    from gongzhi.dashboards.sources.cases import CasesSource
    from gongzhi.dashboards.sources.consultation import ConsultationSource
    from gongzhi.dashboards.sources.party import PartySource
    from gongzhi.dashboards.sources.publicity import PublicitySource
    from gongzhi.dashboards.sources.registry import RegistrySource
    from gongzhi.dashboards.sources.stewardship import StewardshipSource
    from gongzhi.dashboards.sources.volunteering import VolunteeringSource

    return [
        RegistrySource(),
        CampaignsSource(),
        CasesSource(),
        VolunteeringSource(),
        PartySource(),
        PublicitySource(),
        ConsultationSource(),
        StewardshipSource(),
    ]


def nonzero(rows: Iterable[Row]) -> Iterator[Row]:
    """Rows worth storing: a zero is the same as no row."""
    return (row for row in rows if row[4])
