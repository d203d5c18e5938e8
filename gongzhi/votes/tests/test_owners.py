"""Owners' assembly votes through the engine: the roll drawn from registry ownerships, counted by Art. 278."""

import pytest

from gongzhi.core.exceptions import DomainError
from gongzhi.registry.models import Ownership
from gongzhi.votes import services
from gongzhi.votes.models import RollEntry
from gongzhi.votes.tests.helpers import ABSTAIN, NO, YES, option, owned_building, owners_poll

pytestmark = pytest.mark.django_db


def _vote(actor, poll, estate, votes):  # type: ignore[no-untyped-def]
    """Paper ballots, as an owners' committee enters the signed sheets: {owner name: opinion}."""
    for name, opinion in votes.items():
        entry = RollEntry.objects.get(poll=poll, persons=estate.owners[name])
        services.paper_ballot_enter(actor=actor, poll=poll, voter_key=entry.voter_key, choices=option(poll, opinion))


def _close(actor, poll):  # type: ignore[no-untyped-def]
    return services.poll_close(actor=actor, poll=poll, now=poll.closes_at).questions[0]["tally"]


def test_the_compound_roll_counts_co_owners_and_the_developer_as_one_head_each(world, actor_of):
    poll = owners_poll(actor_of("yeweihui"), world.compound_x)
    entries = {e.label.split(" · ")[0]: e for e in RollEntry.objects.filter(poll=poll)}
    assert set(entries) == {"居**、曾**", "邻**", "住**"}
    couple = entries["居**、曾**"]
    assert couple.heads == 1 and couple.area_dm2 == 8950
    assert set(couple.persons.values_list("name", flat=True)) == {"居民甲", "曾小红"}
    assert (poll.roll_size, poll.roll_area_dm2) == (3, 8950 + 12000 + 8950)


def test_an_owner_with_three_dwellings_is_one_head_with_the_areas_summed(world, actor_of):
    estate = owned_building(
        world,
        [("101", 9000, ["张三"]), ("102", 8000, ["张三"]), ("201", 10000, ["张三"]), ("202", 9000, ["李四"])],
    )
    poll = owners_poll(actor_of("yeweihui"), estate.building)
    zhang = RollEntry.objects.get(poll=poll, persons=estate.owners["张三"])
    assert (zhang.area_dm2, zhang.heads, len(zhang.dwellings)) == (27000, 1, 3)
    assert (poll.roll_size, poll.roll_area_dm2) == (2, 36000)
    # 张三 alone holds 3/4 of the area but is 1 of 2 owners: an ordinary matter fails on headcount
    _vote(actor_of("yeweihui"), poll, estate, {"张三": YES, "李四": NO})
    tally = _close(actor_of("yeweihui"), poll)
    assert tally["quorum_ok"] and tally["pass_area_ok"] and not tally["pass_heads_ok"] and not tally["passed"]


def test_co_owners_vote_once_and_one_of_them_owning_alone_elsewhere_votes_again(world, actor_of):
    estate = owned_building(world, [("101", 9000, ["王夫", "王妻"]), ("102", 7000, ["王夫"]), ("103", 8000, ["赵六"])])
    poll = owners_poll(actor_of("yeweihui"), estate.building)
    assert poll.roll_size == 3  # {王夫, 王妻} for 101, {王夫} for 102, {赵六}
    couple = RollEntry.objects.get(poll=poll, voter_key__contains="+")
    assert couple.heads == 1 and couple.area_dm2 == 9000
    committee = actor_of("yeweihui")
    services.paper_ballot_enter(actor=committee, poll=poll, voter_key=couple.voter_key, choices=option(poll, YES))
    with pytest.raises(DomainError):  # the wife cannot cast a second ballot for the couple's dwelling
        services.paper_ballot_enter(actor=committee, poll=poll, voter_key=couple.voter_key, choices=option(poll, NO))
    alone = RollEntry.objects.get(poll=poll, persons=estate.owners["王夫"], heads=1, area_dm2=7000)
    services.paper_ballot_enter(actor=committee, poll=poll, voter_key=alone.voter_key, choices=option(poll, YES))
    tally = _close(committee, poll)
    assert (tally["yes_heads"], tally["yes_area_dm2"], tally["participating_heads"]) == (2, 16000, 2)


def test_the_developers_unsold_stock_is_one_head(world, actor_of):
    estate = owned_building(
        world,
        [
            ("101", 9000, ["developer"]),
            ("102", 9000, ["developer"]),
            ("103", 9000, ["developer"]),
            ("104", 9000, ["钱七"]),
        ],
    )
    poll = owners_poll(actor_of("yeweihui"), estate.building)
    developer = RollEntry.objects.get(poll=poll, voter_key="owner:dev:开发商")
    assert (developer.heads, developer.area_dm2, poll.roll_size) == (1, 27000, 2)
    assert developer.label.startswith("开发商")


def test_exactly_two_thirds_take_part_and_exactly_three_quarters_pass_a_major_matter(world, actor_of):
    names = ["甲一", "乙二", "丙三", "丁四", "戊五", "己六"]
    estate = owned_building(world, [(f"{i + 1}01", 10000, [n]) for i, n in enumerate(names)])
    committee = actor_of("yeweihui")
    poll = owners_poll(committee, estate.building, matter="raise_fund")
    _vote(committee, poll, estate, {"甲一": YES, "乙二": YES, "丙三": YES, "丁四": NO})  # 4 of 6 = 2/3; 3 of 4 = 3/4
    tally = _close(committee, poll)
    assert tally["major"] and tally["participation_area"]["fraction"] == "2/3"
    assert tally["yes_heads_share"]["fraction"] == tally["yes_area_share"]["fraction"] == "3/4"
    assert tally["quorum_ok"] and tally["passed"]


def test_exactly_half_fails_an_ordinary_matter(world, actor_of):
    estate = owned_building(
        world, [("101", 10000, ["甲"]), ("102", 10000, ["乙"]), ("103", 10000, ["丙"]), ("104", 10000, ["丁"])]
    )
    committee = actor_of("yeweihui")
    poll = owners_poll(committee, estate.building, matter="use_fund")
    _vote(committee, poll, estate, {"甲": YES, "乙": YES, "丙": NO, "丁": ABSTAIN})
    tally = _close(committee, poll)
    assert tally["quorum_ok"] and tally["yes_area_share"]["fraction"] == "1/2" and not tally["passed"]


def test_follow_the_majority_applies_only_when_the_compounds_rules_turn_it_on(world, actor_of):
    names = ["一", "二", "三", "四", "五", "六"]
    holdings = [(f"{i + 1}01", 10000, [n]) for i, n in enumerate(names)]
    committee = actor_of("yeweihui")

    without = owned_building(world, holdings)
    poll = owners_poll(committee, without.building)
    _vote(committee, poll, without, {"一": YES, "二": YES, "三": YES})
    off = _close(committee, poll)
    assert not off["follow_majority"] and not off["quorum_ok"] and not off["passed"]

    with pytest.raises(DomainError, match="依据条款"):
        services.owners_rules_set(actor=committee, compound=world.compound_x, notice_days=15, follow_majority=True)
    services.owners_rules_set(
        actor=committee,
        compound=world.compound_x,
        notice_days=15,
        follow_majority=True,
        basis="《X小区业主大会议事规则》第十二条",
    )
    with_rule = owned_building(world, holdings)
    poll = owners_poll(committee, with_rule.building)
    assert poll.follow_majority
    _vote(committee, poll, with_rule, {"一": YES, "二": YES, "三": YES})
    on = _close(committee, poll)
    assert on["follow_majority"] and on["followed_side"] == "yes" and on["passed"]
    assert (on["voted_heads"], on["participating_heads"]) == (3, 6)


def test_rules_changed_after_opening_do_not_change_an_open_vote(world, actor_of):
    committee = actor_of("yeweihui")
    poll = owners_poll(committee, world.compound_x)
    services.owners_rules_set(
        actor=committee, compound=world.compound_x, notice_days=15, follow_majority=True, basis="议事规则第十二条"
    )
    poll.refresh_from_db()
    assert poll.follow_majority is False


def test_a_vote_of_one_building_counts_only_that_buildings_owners(world, actor_of):
    poll = owners_poll(actor_of("yeweihui"), world.buildings["1"])
    assert poll.roll_size == 2 and poll.roll_area_dm2 == 8950 + 12000


def test_ownership_changes_after_opening_do_not_change_the_roll(world, actor_of):
    poll = owners_poll(actor_of("yeweihui"), world.compound_x)
    Ownership.objects.filter(dwelling=world.dwellings["1-102"]).delete()
    assert RollEntry.objects.filter(poll=poll).count() == 3


def test_dwellings_without_an_owner_are_reported_not_counted(world, actor_of):
    estate = owned_building(world, [("101", 9000, ["孙八"])])
    from gongzhi.registry.models import Dwelling

    unit = estate.dwellings["101"].unit
    Dwelling.objects.create(unit=unit, room="102", floor=1, exclusive_area_dm2=9000, org_path=unit.path)
    poll = owners_poll(actor_of("yeweihui"), estate.building)
    assert poll.roll_size == 1 and poll.roll_area_dm2 == 9000
    assert any("没有登记产权人" in w for w in poll.roll_warnings)
