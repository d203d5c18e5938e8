"""Per compound, in no grid (stocks only): committees whose term ends within 90 days, and the manager's
grade in the latest published month's evaluation (coded 1 for the best grade of its rubric), from
stewardship's selectors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from gongzhi.dashboards.figures import DEFINITIONS
from gongzhi.dashboards.sources import Row, Source
from gongzhi.stewardship import selectors as stewardship
from gongzhi.territory import selectors as territory


class StewardshipSource(Source):
    name = "stewardship"
    definitions = (DEFINITIONS["committees_ending"], DEFINITIONS["manager_grade"])

    def mark(self) -> int:
        return stewardship.cockpit_mark()

    def touched(self, mark: int, today: dt.date) -> set[dt.date] | None:
        return set()  # stocks only

    def stocks(self, today: dt.date) -> Iterable[Row]:
        prefix = territory.place_prefix_length()
        for place, n in stewardship.cockpit_committees_ending(today=today, prefix=prefix):
            yield today, place, 0, "committees_ending", n
        for place, code in stewardship.cockpit_manager_grades(prefix=prefix):
            yield today, place, 0, "manager_grade", code
