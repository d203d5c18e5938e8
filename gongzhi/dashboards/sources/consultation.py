"""广言亭 suggestions and 议事角 topics per day (flows) and open and overdue follow-ups (stocks), from
consultation's selectors. Each counts at its scope node (a follow-up at its topic's), in no grid.

Hiding a suggestion changes the day it was submitted: a refresh redoes this month's and last month's days;
older ones follow at the nightly recompute."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from gongzhi.consultation import selectors as consultation
from gongzhi.dashboards.figures import DEFINITIONS
from gongzhi.dashboards.sources import Row, Source
from gongzhi.dashboards.sources.publicity import recent_days
from gongzhi.territory import selectors as territory


class ConsultationSource(Source):
    name = "consultation"
    definitions = tuple(DEFINITIONS[k] for k in ("suggestions", "topics", "follow_ups_open", "follow_ups_overdue"))

    def mark(self) -> int:
        return consultation.cockpit_mark()

    def touched(self, mark: int, today: dt.date) -> set[dt.date] | None:
        return recent_days(today)

    def first_day(self) -> dt.date | None:
        return consultation.cockpit_first_day()

    def flows(self, days: list[dt.date]) -> Iterable[Row]:
        if not days:
            return
        wanted = set(days)
        prefix = territory.place_prefix_length()
        since, until = min(days), max(days)
        for day, place, n in consultation.cockpit_day_suggestions(since=since, until=until, prefix=prefix):
            if day in wanted:
                yield day, place, 0, "suggestions", n
        for day, place, n in consultation.cockpit_day_topics(since=since, until=until, prefix=prefix):
            if day in wanted:
                yield day, place, 0, "topics", n

    def stocks(self, today: dt.date) -> Iterable[Row]:
        for place, n, overdue in consultation.cockpit_follow_ups(today=today, prefix=territory.place_prefix_length()):
            yield today, place, 0, "follow_ups_open", n
            yield today, place, 0, "follow_ups_overdue", overdue
