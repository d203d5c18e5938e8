"""The counting rules on their own: exact edges of Civil Code Art. 278 and the one validator."""

from fractions import Fraction

import pytest

from gongzhi.core.exceptions import DomainError
from gongzhi.votes.choices import Electorate, TallyRule
from gongzhi.votes.rules import (
    Holding,
    Owner,
    group_owners,
    parse_fraction,
    percent_text,
    tally_art278,
    tally_options,
    tally_yes_no,
    validate_choices,
    validate_question,
)


def owners(*areas: int) -> list[Owner]:
    return [Owner(key=f"o{i}", holders=frozenset({f"p{i}"}), area_dm2=a) for i, a in enumerate(areas)]


def count(people: list[Owner], votes: dict[int, str], *, major: bool = False, follow: bool = False):  # type: ignore[no-untyped-def]
    return tally_art278(
        owners=people, opinions={f"o{i}": v for i, v in votes.items()}, major=major, follow_majority=follow
    )


def test_exactly_two_thirds_of_area_and_owners_meets_the_quorum():
    result = count(owners(100, 100, 100), {0: "yes", 1: "yes"})
    assert (result.participating_area_dm2, result.total_area_dm2) == (200, 300)
    assert (result.participating_heads, result.total_heads) == (2, 3)
    assert result.quorum_area_ok and result.quorum_heads_ok


def test_just_under_two_thirds_of_area_fails_the_quorum_even_with_two_thirds_of_owners():
    result = count(owners(100, 100, 101), {0: "yes", 1: "yes"})
    assert Fraction(200, 301) < Fraction(2, 3)
    assert result.quorum_heads_ok and not result.quorum_area_ok and not result.passed


def test_exactly_three_quarters_passes_a_major_matter():
    result = count(owners(100, 100, 100, 100), {0: "yes", 1: "yes", 2: "yes", 3: "no"}, major=True)
    assert (result.yes_area_dm2, result.participating_area_dm2) == (300, 400)
    assert result.pass_area_ok and result.pass_heads_ok and result.passed
    assert result.threshold == "3/4" and result.threshold_inclusive


def test_one_vote_short_of_three_quarters_fails_a_major_matter():
    result = count(owners(100, 100, 100, 100, 100), {0: "yes", 1: "yes", 2: "yes", 3: "no", 4: "abstain"}, major=True)
    assert result.quorum_ok and not result.passed  # 3/5 < 3/4


def test_exactly_half_fails_an_ordinary_matter_because_more_than_half_is_needed():
    result = count(owners(100, 100, 100, 100), {0: "yes", 1: "yes", 2: "no", 3: "no"})
    assert result.quorum_ok
    assert (result.yes_area_dm2 * 2, result.yes_heads * 2) == (
        result.participating_area_dm2,
        result.participating_heads,
    )
    assert not result.pass_area_ok and not result.pass_heads_ok and not result.passed


def test_an_ordinary_matter_needs_both_area_and_headcount():
    # the big owner says yes: area 300 of 500 (> 1/2) but 1 of 3 owners (< 1/2)
    result = count(owners(300, 100, 100), {0: "yes", 1: "no", 2: "no"})
    assert result.pass_area_ok and not result.pass_heads_ok and not result.passed


def test_abstentions_take_part_but_do_not_agree():
    result = count(owners(100, 100, 100), {0: "yes", 1: "abstain", 2: "abstain"})
    assert result.quorum_ok and not result.passed
    assert result.abstain_heads == 2


def test_nothing_of_nothing_never_passes():
    result = count([], {})
    assert not result.quorum_ok and not result.passed


def test_non_voters_follow_the_majority_only_when_the_rules_say_so():
    people = owners(100, 100, 100, 100, 100, 100)
    votes = {0: "yes", 1: "yes", 2: "yes"}  # half the owners: no quorum on its own
    assert not count(people, votes).quorum_ok
    followed = count(people, votes, follow=True)
    assert followed.followed_side == "yes"
    assert (followed.participating_heads, followed.yes_heads) == (6, 6)
    assert followed.passed
    assert (followed.voted_heads, followed.voted_area_dm2) == (3, 300)


def test_non_voters_follow_nobody_when_no_side_leads_on_both_counts():
    people = owners(500, 100, 100, 100)
    result = count(people, {0: "yes", 1: "no", 2: "no"}, follow=True)  # yes leads by area, no by heads
    assert result.followed_side == "" and result.participating_heads == 3


def test_an_owner_of_three_dwellings_is_one_head_with_the_areas_summed():
    heads = group_owners(
        [
            Holding("101", 8000, frozenset({"p1"})),
            Holding("102", 9000, frozenset({"p1"})),
            Holding("103", 10000, frozenset({"p1"})),
            Holding("104", 9000, frozenset({"p2"})),
        ]
    )
    assert [(o.area_dm2, o.heads, len(o.dwellings)) for o in heads] == [(27000, 1, 3), (9000, 1, 1)]


def test_co_owners_are_one_head_and_an_owner_alone_elsewhere_is_another():
    heads = group_owners(
        [
            Holding("101", 9000, frozenset({"p1", "p2"})),
            Holding("102", 9000, frozenset({"p2", "p1"})),
            Holding("103", 7000, frozenset({"p1"})),
        ]
    )
    assert sorted((sorted(o.holders), o.area_dm2) for o in heads) == [(["p1"], 7000), (["p1", "p2"], 18000)]


def test_the_developers_unsold_dwellings_are_one_head():
    heads = group_owners([Holding(str(n), 8000, frozenset({"dev:开发商"})) for n in range(40)])
    assert len(heads) == 1 and heads[0].area_dm2 == 320000


def test_a_dwelling_listed_twice_is_refused():
    with pytest.raises(DomainError, match="重复"):
        group_owners([Holding("101", 1, frozenset({"p1"})), Holding("101", 1, frozenset({"p2"}))])


def test_yes_no_threshold_is_strict_unless_inclusive():
    config = {"threshold": "1/2", "threshold_inclusive": False, "quorum": "0", "quorum_inclusive": True}
    assert not tally_yes_no(config=config, opinions=["yes", "no"], roll_size=10)["passed"]
    assert tally_yes_no(config={**config, "threshold_inclusive": True}, opinions=["yes", "no"], roll_size=10)["passed"]


def test_yes_no_quorum_counts_ballots_against_the_roll():
    config = {"threshold": "1/2", "threshold_inclusive": False, "quorum": "1/2", "quorum_inclusive": False}
    result = tally_yes_no(config=config, opinions=["yes"] * 5, roll_size=10)
    assert not result["quorum_ok"] and not result["passed"]  # 5 of 10 is not more than half
    assert tally_yes_no(config=config, opinions=["yes"] * 6, roll_size=10)["passed"]


def test_plurality_reports_a_tie_instead_of_picking():
    result = tally_options(rule=TallyRule.PLURALITY, config={}, option_ids=[1, 2, 3], answers=[[1], [2], [3], [1], [2]])
    assert result["tie"] and result["winners"] == []
    clear = tally_options(rule=TallyRule.PLURALITY, config={}, option_ids=[1, 2], answers=[[2], [2], [1]])
    assert clear["winners"] == [2] and not clear["tie"]


def test_approval_elects_the_top_seats():
    result = tally_options(
        rule=TallyRule.APPROVAL,
        config={"max_choices": 2, "seats": 2},
        option_ids=[1, 2, 3],
        answers=[[1, 2], [1, 3], [1, 2], [3]],
    )
    assert result["counts"] == {"1": 3, "2": 2, "3": 2}
    assert result["winners"] == [1] and result["tie"]  # 2 and 3 share the second seat


@pytest.mark.parametrize(
    ("rule", "config", "options", "electorate", "secret", "message"),
    [
        (TallyRule.PLURALITY, {}, ["只有一个"], Electorate.RESIDENTS, False, "至少需要两个选项"),
        (TallyRule.APPROVAL, {"max_choices": 3}, ["甲", "乙"], Electorate.RESIDENTS, False, "不能超过选项数"),
        (TallyRule.APPROVAL, {"max_choices": 0}, ["甲", "乙"], Electorate.RESIDENTS, False, "正整数"),
        (TallyRule.PLURALITY, {}, ["甲", "甲"], Electorate.RESIDENTS, False, "不能重复"),
        (TallyRule.YES_NO, {"threshold": "3/2"}, [], Electorate.RESIDENTS, False, "0到1之间"),
        (TallyRule.YES_NO, {"threshold": 0.5}, [], Electorate.RESIDENTS, False, "分数或小数文本"),
        (TallyRule.ART278, {"matter": "manager"}, [], Electorate.HOUSEHOLDS, False, "只能由业主表决"),
        (TallyRule.ART278, {"matter": "manager"}, [], Electorate.OWNERS, True, "实名"),
        (TallyRule.ART278, {"matter": "lottery"}, [], Electorate.OWNERS, False, "事项的类别"),
        ("ranked", {}, ["甲", "乙"], Electorate.RESIDENTS, False, "未知的计票规则"),
    ],
)
def test_the_validator_refuses_bad_rules(rule, config, options, electorate, secret, message):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError, match=message):
        validate_question(rule=rule, config=config, options=options, electorate=electorate, is_secret=secret)


def test_the_validator_fixes_the_options_of_yes_no_and_art278():
    config, labels = validate_question(
        rule=TallyRule.ART278,
        config={"matter": "raise_fund"},
        options=["随便"],
        electorate=Electorate.OWNERS,
        is_secret=False,
    )
    assert labels == ["同意", "反对", "弃权"] and config == {"matter": "raise_fund", "major": True}
    config, _labels = validate_question(
        rule=TallyRule.ART278, config={"matter": "use_fund"}, options=[], electorate=Electorate.OWNERS, is_secret=False
    )
    assert config["major"] is False  # using the fund is an ordinary matter; raising it is major


@pytest.mark.parametrize(
    ("rule", "config", "chosen", "message"),
    [
        (TallyRule.PLURALITY, {}, [1, 2], "最多选择1项"),
        (TallyRule.APPROVAL, {"max_choices": 2}, [1, 2, 3], "最多选择2项"),
        (TallyRule.YES_NO, {}, [9], "不属于该题目"),
        (TallyRule.YES_NO, {}, [], "请作出选择"),
        (TallyRule.APPROVAL, {"max_choices": 2}, [1, 1], "只能选一次"),
    ],
)
def test_the_validator_refuses_bad_ballots(rule, config, chosen, message):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError, match=message):
        validate_choices(rule=rule, config=config, option_ids=[1, 2, 3], chosen=chosen)


def test_fractions_and_percentages_are_exact():
    assert parse_fraction("2/3", field="x") == Fraction(2, 3)
    assert parse_fraction("0.75", field="x") == Fraction(3, 4)
    assert percent_text(2, 3) == "66.67%"
    assert percent_text(1, 8) == "12.50%"
    assert percent_text(0, 0) == "—"
