"""The honour result, as pure functions of exact fractions (no database): easy to check by hand.

    total = w × (votes ÷ the category's most votes) + (1 − w) × (judges' mean score ÷ rubric maximum)

Ties on the total are broken by public votes, then by the judges' mean; finalists still level at the
last winning place are not declared: staff decide between them (``needs_decision``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Finalist:
    key: int
    votes: int
    judges_mean: Fraction  # the mean over judges of each judge's total on the rubric


@dataclass(frozen=True)
class Ranked:
    key: int
    votes: int
    max_votes: int
    judges_mean: Fraction
    total: Fraction
    rank: int
    is_winner: bool
    needs_decision: bool


def fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def fraction_parse(text: str) -> Fraction:
    return Fraction(text)


def weighted_total(*, votes: int, max_votes: int, judges_mean: Fraction, rubric_max: int, weight: Fraction) -> Fraction:
    vote_share = Fraction(votes, max_votes) if max_votes else Fraction(0)
    judge_share = judges_mean / rubric_max if rubric_max else Fraction(0)
    return weight * vote_share + (1 - weight) * judge_share


def rank_category(finalists: Sequence[Finalist], *, weight: Fraction, rubric_max: int, winners: int) -> list[Ranked]:
    max_votes = max((f.votes for f in finalists), default=0)
    totals = {
        f.key: weighted_total(
            votes=f.votes, max_votes=max_votes, judges_mean=f.judges_mean, rubric_max=rubric_max, weight=weight
        )
        for f in finalists
    }

    def order(f: Finalist) -> tuple[Fraction, int, Fraction]:
        return (totals[f.key], f.votes, f.judges_mean)

    ordered = sorted(finalists, key=lambda f: (tuple(-x for x in order(f)), f.key))
    seats = min(winners, len(ordered))
    cut = order(ordered[seats - 1]) if seats else None
    above = [f for f in ordered if cut is not None and order(f) > cut]
    level = [f for f in ordered if cut is not None and order(f) == cut]
    undecided = len(above) + len(level) > seats
    ranked = []
    for f in ordered:
        rank = 1 + sum(1 for other in ordered if order(other) > order(f))
        at_cut = cut is not None and order(f) == cut
        ranked.append(
            Ranked(
                key=f.key,
                votes=f.votes,
                max_votes=max_votes,
                judges_mean=f.judges_mean,
                total=totals[f.key],
                rank=rank,
                is_winner=(cut is not None and order(f) > cut) or (at_cut and not undecided),
                needs_decision=at_cut and undecided,
            )
        )
    return ranked
