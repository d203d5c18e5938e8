"""The weighted honour result by hand, in exact fractions."""

from __future__ import annotations

from fractions import Fraction

from gongzhi.publicity.honour_rules import Finalist, rank_category, weighted_total


def test_weighted_total_is_exact():
    # 60% × 8/10 + 40% × 16/20 = 12/25 + 8/25 = 4/5
    assert weighted_total(
        votes=8, max_votes=10, judges_mean=Fraction(16), rubric_max=20, weight=Fraction(3, 5)
    ) == Fraction(4, 5)


def test_a_tie_on_total_is_broken_by_votes_then_judges_then_left_to_staff():
    """w = 60 %, rubric max 20, max votes 10:
    A: 10 votes, judges' mean 10 → 3/5 + 2/5 × 1/2 = 4/5
    B:  8 votes, judges' mean 16 → 12/25 + 8/25     = 4/5   (level with A on total; fewer votes)
    C:  5 votes, judges' mean 20 → 3/10 + 2/5        = 7/10
    D:  5 votes, judges' mean 20 → 7/10, level with C on everything
    """
    finalists = [
        Finalist(key=1, votes=10, judges_mean=Fraction(10)),
        Finalist(key=2, votes=8, judges_mean=Fraction(16)),
        Finalist(key=3, votes=5, judges_mean=Fraction(20)),
        Finalist(key=4, votes=5, judges_mean=Fraction(20)),
    ]
    two = rank_category(finalists, weight=Fraction(3, 5), rubric_max=20, winners=2)
    assert [(r.key, r.total, r.rank, r.is_winner, r.needs_decision) for r in two] == [
        (1, Fraction(4, 5), 1, True, False),
        (2, Fraction(4, 5), 2, True, False),
        (3, Fraction(7, 10), 3, False, False),
        (4, Fraction(7, 10), 3, False, False),
    ]
    one = rank_category(finalists, weight=Fraction(3, 5), rubric_max=20, winners=1)
    assert [r.key for r in one if r.is_winner] == [1]  # A over B on the public vote
    three = rank_category(finalists, weight=Fraction(3, 5), rubric_max=20, winners=3)
    assert [(r.key, r.is_winner, r.needs_decision) for r in three] == [
        (1, True, False),
        (2, True, False),
        (3, False, True),
        (4, False, True),
    ]


def test_without_votes_or_rubric_the_shares_are_zero():
    ranked = rank_category(
        [Finalist(key=1, votes=0, judges_mean=Fraction(0))], weight=Fraction(1), rubric_max=0, winners=1
    )
    assert ranked[0].total == 0 and ranked[0].is_winner
