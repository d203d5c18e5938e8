"""Exact figures for people to read: ratios rounded half up in integer arithmetic, never through floats."""

from __future__ import annotations


def ratio_text(numerator: int, denominator: int, *, scale: int = 100, places: int = 1, suffix: str = "") -> str:
    """numerator ÷ denominator × scale, rounded half up to ``places`` decimals in integer arithmetic
    (exact, and fast enough for the officer's table of some 1,800 grids); "—" when there is no denominator."""
    if not denominator:
        return "—"
    unit = 10**places
    tenths = (2 * numerator * scale * unit + denominator) // (2 * denominator)
    whole, part = divmod(tenths, unit)
    return (f"{whole}.{part:0{places}d}" if places else str(whole)) + suffix
