"""Service time for people: certified time is kept in minutes (integers) and shown in hours."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings


def hours_text(minutes: int) -> str:
    """180 → "3", 90 → "1.5", 20 → "0.33": rounded to two places with integers, never floats."""
    whole, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    hundredths = (rest * 100 + 30) // 60
    if hundredths == 100:
        whole, hundredths = whole + 1, 0
    if hundredths == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{hundredths:02d}".rstrip("0")


def minutes_from_hours(hours: Decimal) -> int:
    """What a form's hours (to 0.1) are in minutes: 2.5 → 150."""
    return int(hours * 60)


def star_level(minutes: int) -> int:
    """★ level from certified time, by the configured thresholds in hours (100/300/600/1000/1500 by default)."""
    return sum(1 for hours in settings.GONGZHI_VOLUNTEER_STAR_HOURS if minutes >= hours * 60)


def next_star_hours(minutes: int) -> int | None:
    """Hours needed for the next ★, or None at the top level."""
    for hours in settings.GONGZHI_VOLUNTEER_STAR_HOURS:
        if minutes < hours * 60:
            return int(hours)
    return None
