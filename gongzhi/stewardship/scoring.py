"""The arithmetic of the monthly evaluation: pure functions over integers, no database.

Points are tenths (100 points = 1000). Every division rounds half up, in integers; nothing is a float.

- An item with an indicator earns its points from the month's figures (``indicator_points``); the same
  for every rater.
- A human rater's score: (indicator points + Σ rated items' max − their deductions) normalised to 100.
  A subject nobody rated is scored as if rated without deductions, and the review page says so.
- Resident satisfaction: the mean of the 1–5 answers, 5 = 100 points (200 tenths per step).
- The total: the raters' scores weighted by the rubric's weights, renormalised over the raters present.
- Ranking (``rank``), per subject kind: higher total; then higher resident satisfaction (none ranks
  last); then fewer points deducted; then higher ledger completeness; then the earlier registered
  evaluation. Ranks are 1, 2, 3 … with no shared places, so every list has one last place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from gongzhi.stewardship.choices import Indicator, RaterKind

FULL = 1000  # 100 points in tenths
SATISFACTION_STEP = FULL // 5  # one answer step of the 1–5 scale


def ratio(part: int, whole: int) -> int:
    """part ÷ whole rounded half up, for non-negative integers (whole > 0)."""
    return (2 * part + whole) // (2 * whole)


@dataclass(frozen=True)
class ItemRule:
    item_id: int
    max_points: int
    indicator: str = ""
    target: int = 1
    deduction_step: int = 10


def indicator_points(item: ItemRule, figures: Mapping[str, int | None]) -> int:
    """The points an indicator item earns from the month's figures (``indicators`` of an Evaluation).

    Nothing to measure (no case dispatched) earns full points: a company is not marked down for a
    quiet month. Permille rates scale the points; counts earn points up to their target.
    """
    top = item.max_points
    if item.indicator == Indicator.ON_TIME:
        rate = figures.get("on_time_permille")
        return top if rate is None else ratio(top * rate, 1000)
    if item.indicator == Indicator.REWORK:
        rate = figures.get("rework_permille")
        return top if rate is None else ratio(top * (1000 - rate), 1000)
    if item.indicator == Indicator.COMPLAINTS:
        return max(0, top - item.deduction_step * int(figures.get("complaints") or 0))
    if item.indicator == Indicator.LEDGER:
        return ratio(top * int(figures.get("ledger_permille") or 0), 1000)
    if item.indicator in {Indicator.MEETINGS, Indicator.FINANCE}:
        count = int(figures.get(f"{item.indicator}_days") or 0)
        target = max(item.target, 1)
        return ratio(top * min(count, target), target)
    raise ValueError(f"unknown indicator {item.indicator!r}")


def rater_score(items: Sequence[ItemRule], figures: Mapping[str, int | None], deductions: Mapping[int, int]) -> int:
    """One human rater's score in tenths of 100: deductions (item id → points) capped at the item's max."""
    total_max = sum(i.max_points for i in items)
    if total_max == 0:
        return 0
    earned = 0
    for item in items:
        if item.indicator:
            earned += indicator_points(item, figures)
        else:
            earned += item.max_points - min(deductions.get(item.item_id, 0), item.max_points)
    return ratio(FULL * earned, total_max)


def satisfaction_score(counts: Mapping[int, int]) -> int | None:
    """Residents' 1–5 answers (answer → households) as tenths of 100; None when nobody answered."""
    answers = sum(counts.values())
    if not answers:
        return None
    return ratio(SATISFACTION_STEP * sum(k * n for k, n in counts.items()), answers)


def weighted_total(parts: Mapping[str, int], weights: Mapping[str, int]) -> int:
    """The raters' scores weighted, over the raters present with a weight; 0 when none counts."""
    counted = {kind: score for kind, score in parts.items() if weights.get(kind, 0) > 0}
    whole = sum(weights[kind] for kind in counted)
    if not whole:
        return 0
    return ratio(sum(weights[kind] * score for kind, score in counted.items()), whole)


def grade_of(total: int, bands: Sequence[Sequence[object]]) -> str:
    """The first band (from the top) whose lowest total the score reaches."""
    for name, lowest in bands:
        if total >= int(str(lowest)):
            return str(name)
    return str(bands[-1][0]) if bands else ""


@dataclass(frozen=True)
class Standing:
    """What ranking reads of one subject's score."""

    evaluation_id: int
    total: int
    satisfaction: int | None
    deducted: int
    ledger_permille: int


def rank_key(s: Standing) -> tuple[int, int, int, int, int]:
    return (
        -s.total,
        -(s.satisfaction if s.satisfaction is not None else -1),
        s.deducted,
        -s.ledger_permille,
        s.evaluation_id,
    )


def rank(standings: Iterable[Standing]) -> dict[int, int]:
    """evaluation id → place (1 = first), by the documented tie-break; no two share a place."""
    return {s.evaluation_id: place for place, s in enumerate(sorted(standings, key=rank_key), start=1)}


RATER_ORDER = (RaterKind.COMMUNITY, RaterKind.SUBDISTRICT, RaterKind.COMMITTEE, RaterKind.RESIDENTS)
