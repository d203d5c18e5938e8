"""Cases reported per day, the measures of cases due per deadline day, and open and overdue cases now,
from cases' selectors (the definitions of cases.measures, so that the cockpit and 案件考核 agree)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from gongzhi.cases import selectors as cases
from gongzhi.dashboards.figures import DEFINITIONS
from gongzhi.dashboards.sources import Row, Source
from gongzhi.territory import selectors as territory

DUE_FIGURES = {
    "cases_due": "due",
    "cases_due_on_time": "on_time",
    "cases_due_reworked": "reworked",
    "cases_due_rated": "rated",
    "cases_due_rating_sum": "rating_sum",
    "cases_due_satisfied": "satisfied",
}


class CasesSource(Source):
    name = "cases"
    definitions = tuple(DEFINITIONS[k] for k in ("cases_reported", *DUE_FIGURES, "cases_open", "cases_overdue"))

    def mark(self) -> int:
        return cases.event_mark()

    def touched(self, mark: int, today: dt.date) -> set[dt.date] | None:
        days: set[dt.date] = set()
        for created, deadline, last in cases.event_spans(after=mark):
            # A deadline normally follows the report, but a corrected or imported case may be due before it.
            dates = [timezone.localdate(d) for d in (created, deadline or created, last)]
            first, end = min(dates), max(dates)
            days.update(first + dt.timedelta(days=i) for i in range((end - first).days + 1))
        return days

    def first_day(self) -> dt.date | None:
        return cases.first_report_day()

    def last_day(self, today: dt.date) -> dt.date:
        latest = cases.last_deadline_day()
        return max(today, latest) if latest else today

    def flows(self, days: list[dt.date]) -> Iterable[Row]:
        if not days:
            return
        wanted = set(days)
        prefix = territory.place_prefix_length()
        since, until = min(days), max(days)
        for r in cases.day_counts(by="created_at", since=since, until=until, prefix=prefix):
            if r["day"] in wanted:
                yield r["day"], r["place"], r["grid_id"], "cases_reported", r["reported"]
        for r in cases.day_counts(by="deadline_at", since=since, until=until, prefix=prefix):
            if r["day"] in wanted:
                for key, field in DUE_FIGURES.items():
                    yield r["day"], r["place"], r["grid_id"], key, r[field] or 0

    def stocks(self, today: dt.date) -> Iterable[Row]:
        for r in cases.open_counts(now=timezone.now(), prefix=territory.place_prefix_length()):
            yield today, r["place"], r["grid_id"], "cases_open", r["open"]
            yield today, r["place"], r["grid_id"], "cases_overdue", r["overdue"]
