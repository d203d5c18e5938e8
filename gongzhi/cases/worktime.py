"""Working time: deadlines in 工作时 / 工作日 on the calendar held in the database.

Working periods are 09:00–12:00 and 14:00–18:00 local time (Asia/Shanghai), seven working hours a
day, the office hours most subdistrict offices publish. A working day is seven working hours, so a
case dispatched on Monday at 10:00 with one working day is due on Tuesday at 10:00. Monday to Friday
are working days unless the calendar marks a public holiday; a weekend day marked as a make-up
working day (调休上班) counts. Natural hours ignore the calendar. The functions here are pure: they
take the calendar as a predicate, so they are tested without a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from zoneinfo import ZoneInfo

from gongzhi.cases.choices import TimeUnit

TZ = ZoneInfo("Asia/Shanghai")
PERIODS: tuple[tuple[dt.time, dt.time], ...] = ((dt.time(9), dt.time(12)), (dt.time(14), dt.time(18)))
MINUTES_PER_DAY = sum((e.hour * 60 + e.minute) - (s.hour * 60 + s.minute) for s, e in PERIODS)
MAX_DAYS = 3660  # a limit of ten years: beyond it the calendar is wrong, not the case

IsWorkingDay = Callable[[dt.date], bool]


def calendar_predicate(overrides: Mapping[dt.date, bool]) -> IsWorkingDay:
    """Weekdays work, weekends rest, except where the calendar says otherwise."""

    def is_working_day(day: dt.date) -> bool:
        found = overrides.get(day)
        return found if found is not None else day.weekday() < 5

    return is_working_day


def limit_minutes(amount: int, unit: str) -> int:
    """A category's time limit in minutes of its own kind (working or natural)."""
    if unit == TimeUnit.WORK_DAYS:
        return amount * MINUTES_PER_DAY
    return amount * 60


def _periods_on(day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    return [(dt.datetime.combine(day, s, TZ), dt.datetime.combine(day, e, TZ)) for s, e in PERIODS]


def add_working_minutes(start: dt.datetime, minutes: int, is_working_day: IsWorkingDay) -> dt.datetime:
    """The moment ``minutes`` of working time after ``start`` (an aware datetime)."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    local = start.astimezone(TZ)
    if minutes == 0:
        return local
    day = local.date()
    for _ in range(MAX_DAYS):
        if is_working_day(day):
            for begin, end in _periods_on(day):
                if local >= end:
                    continue
                begin = max(begin, local)
                available = int((end - begin).total_seconds() // 60)
                if minutes <= available:
                    return begin + dt.timedelta(minutes=minutes)
                minutes -= available
        day += dt.timedelta(days=1)
    raise ValueError("the calendar has no working time in the next ten years")


def deadline(start: dt.datetime, amount: int, unit: str, is_working_day: IsWorkingDay) -> dt.datetime:
    if unit == TimeUnit.NATURAL_HOURS:
        return start.astimezone(TZ) + dt.timedelta(hours=amount)
    return add_working_minutes(start, limit_minutes(amount, unit), is_working_day)


def working_minutes_between(start: dt.datetime, end: dt.datetime, is_working_day: IsWorkingDay) -> int:
    """Working minutes in [start, end); 0 when end is not after start."""
    start, end = start.astimezone(TZ), end.astimezone(TZ)
    total = 0
    day = start.date()
    while day <= end.date():
        if is_working_day(day):
            for begin, finish in _periods_on(day):
                overlap = (min(finish, end) - max(begin, start)).total_seconds()
                if overlap > 0:
                    total += int(overlap // 60)
        day += dt.timedelta(days=1)
    return total
