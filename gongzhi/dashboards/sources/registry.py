"""Households and people in the register (stocks), from registry's selectors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from gongzhi.dashboards.figures import DEFINITIONS
from gongzhi.dashboards.sources import Row, Source
from gongzhi.registry import selectors as registry
from gongzhi.territory import selectors as territory


class RegistrySource(Source):
    name = "registry"
    definitions = (DEFINITIONS["households"], DEFINITIONS["people"])

    def mark(self) -> int:
        return registry.change_mark()

    def touched(self, mark: int, today: dt.date) -> set[dt.date] | None:
        return set()  # stocks only

    def stocks(self, today: dt.date) -> Iterable[Row]:
        counts = registry.place_counts(prefix=territory.place_prefix_length())
        for key, rows in counts.items():
            for grid_id, place, n in rows:
                yield today, place, grid_id, key, n
