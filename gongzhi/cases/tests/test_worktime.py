import datetime as dt

from gongzhi.cases.choices import TimeUnit
from gongzhi.cases.worktime import (
    TZ,
    add_working_minutes,
    calendar_predicate,
    deadline,
    working_minutes_between,
)

weekdays = calendar_predicate({})


def at(y, m, d, h, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


def test_four_working_hours_from_friday_afternoon_end_on_monday_morning():
    # Fri 2026-12-04 16:00: two hours left that day, two more on Monday from 09:00.
    assert deadline(at(2026, 12, 4, 16), 4, TimeUnit.WORK_HOURS, weekdays) == at(2026, 12, 7, 11)


def test_lunch_break_does_not_count():
    assert add_working_minutes(at(2026, 12, 7, 11), 120, weekdays) == at(2026, 12, 7, 15)


def test_report_outside_hours_starts_at_next_opening():
    assert add_working_minutes(at(2026, 12, 7, 20), 30, weekdays) == at(2026, 12, 8, 9, 30)


def test_one_working_day_is_the_same_time_next_working_day():
    assert deadline(at(2026, 12, 7, 10), 1, TimeUnit.WORK_DAYS, weekdays) == at(2026, 12, 8, 10)


def test_holidays_are_skipped_and_make_up_days_count():
    calendar = calendar_predicate(
        {dt.date(2026, 10, 1): False, dt.date(2026, 10, 2): False, dt.date(2026, 10, 10): True}
    )
    # Wed 30 Sep 17:00 + 2 h: 1 h that day; 1, 2 Oct holidays; 3, 4 Oct weekend → Mon 5 Oct 10:00.
    assert deadline(at(2026, 9, 30, 17), 2, TimeUnit.WORK_HOURS, calendar) == at(2026, 10, 5, 10)
    # Fri 9 Oct 17:00 + 2 h → Saturday 10 Oct (make-up working day) 10:00.
    assert deadline(at(2026, 10, 9, 17), 2, TimeUnit.WORK_HOURS, calendar) == at(2026, 10, 10, 10)


def test_natural_hours_ignore_the_calendar():
    assert deadline(at(2026, 12, 5, 23), 6, TimeUnit.NATURAL_HOURS, weekdays) == at(2026, 12, 6, 5)


def test_working_minutes_between_counts_only_working_periods():
    assert working_minutes_between(at(2026, 12, 4, 16), at(2026, 12, 7, 11), weekdays) == 240
    assert working_minutes_between(at(2026, 12, 7, 11), at(2026, 12, 7, 10), weekdays) == 0
