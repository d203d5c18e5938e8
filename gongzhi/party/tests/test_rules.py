"""The branch rules of domain-rules.md §7 as live checks, the tree, and the coverage figures."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.party import selectors, services
from gongzhi.party.choices import MemberKind, MemberStatus, OrgKind, Seat
from gongzhi.party.models import Member
from gongzhi.party.tests.helpers import SYSTEM, build_party, bulk_members
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)


def _branch(world):  # type: ignore[no-untyped-def]
    top = services.org_create(actor=SYSTEM, kind=OrgKind.WORKING_COMMITTEE, name="党工委")
    return services.org_create(
        actor=SYSTEM, kind=OrgKind.BRANCH, name="试验支部", parent=top, territory=[world.compound_y]
    )


def _warnings(org):  # type: ignore[no-untyped-def]
    return selectors.organisation_checks(organisations=[org], on=TODAY)[org.pk].warnings


def _with_seats(org, *seats):  # type: ignore[no-untyped-def]
    members = list(Member.objects.filter(organisation=org, kind=MemberKind.FULL).order_by("id")[: len(seats)])
    services.committee_set(
        actor=SYSTEM, organisation=org, starts_on=dt.date(2024, 1, 1), seats=list(zip(members, seats, strict=True))
    )


@pytest.mark.parametrize(
    ("full", "too_few", "too_many"),
    [(2, True, False), (3, False, False), (7, False, False), (50, False, False), (51, False, True)],
)
def test_branch_rules_by_full_members(world, full, too_few, too_many):  # type: ignore[no-untyped-def]
    org = _branch(world)
    bulk_members(org, path=world.compound_y.path, full=full)
    _with_seats(org, Seat.SECRETARY)
    warnings = " ".join(_warnings(org))
    assert ("不足3名" in warnings) is too_few
    assert ("超过50名" in warnings) is too_many
    # From seven full members a committee of 3–5 is due; a secretary alone is then a warning.
    assert ("应设支部委员会3至5人" in warnings) is (full >= 7)


def test_probationary_members_do_not_count_as_full(world):  # type: ignore[no-untyped-def]
    org = _branch(world)
    bulk_members(org, path=world.compound_y.path, full=2, probationary=6)
    _with_seats(org, Seat.SECRETARY)
    check = selectors.organisation_checks(organisations=[org], on=TODAY)[org.pk]
    assert (check.counts.full, check.counts.probationary, check.counts.total) == (2, 6, 8)
    assert any("正式党员2名，不足3名" in w for w in check.warnings)


def test_fifty_members_with_probationary_ones_reach_the_limit(world):  # type: ignore[no-untyped-def]
    org = _branch(world)
    bulk_members(org, path=world.compound_y.path, full=45, probationary=6)
    assert any("党员51名，超过50名" in w for w in _warnings(org))


def test_committee_of_three_to_five_from_seven_full_members(world):  # type: ignore[no-untyped-def]
    org = _branch(world)
    bulk_members(org, path=world.compound_y.path, full=7)
    _with_seats(org, Seat.SECRETARY, Seat.ORGANISATION, Seat.PROPAGANDA)
    assert _warnings(org) == []


def test_under_seven_full_members_a_committee_is_a_warning(world):  # type: ignore[no-untyped-def]
    org = _branch(world)
    bulk_members(org, path=world.compound_y.path, full=6)
    _with_seats(org, Seat.SECRETARY, Seat.DEPUTY)
    assert _warnings(org) == []  # a secretary and a deputy are allowed
    _with_seats(org, Seat.SECRETARY, Seat.DEPUTY, Seat.ORGANISATION)
    assert any("不设支部委员会" in w for w in _warnings(org))


def test_a_branch_without_a_secretary_and_an_expired_term_warn(world):  # type: ignore[no-untyped-def]
    org = _branch(world)
    bulk_members(org, path=world.compound_y.path, full=3)
    assert "未登记书记。" in _warnings(org)
    members = list(Member.objects.filter(organisation=org))
    services.committee_set(
        actor=SYSTEM, organisation=org, starts_on=dt.date(2019, 1, 1), seats=[(members[0], Seat.SECRETARY)]
    )
    assert any("届满" in w for w in _warnings(org))


def test_organisation_warnings_lists_only_organisations_with_findings(world, actor_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    flagged = {c.organisation.pk for c in selectors.organisation_warnings(actor=actor_of("jiedao"), on=TODAY)}
    assert party.branch_x.pk in flagged  # two full members and no secretary
    assert party.committee.pk not in flagged


def test_tree_walks_parents_before_children(world, actor_of):  # type: ignore[no-untyped-def]
    build_party(world)
    rows = selectors.organisation_tree(actor=actor_of("jiedao"), on=TODAY, groups=True)
    names = [(r.organisation.name, r.depth) for r in rows]
    assert names == [
        ("纬二路街道党工委", 0),
        ("第一社区党委", 1),
        ("X小区党支部", 2),
        ("1号楼党小组", 3),
        ("YZ联合党支部", 1),
    ]
    # Without groups, each branch counts its own.
    rows = selectors.organisation_tree(actor=actor_of("jiedao"), on=TODAY)
    assert [r.organisation.name for r in rows] == ["纬二路街道党工委", "第一社区党委", "X小区党支部", "YZ联合党支部"]
    assert rows[2].check.groups == 1


def test_secretary_tree_starts_at_their_branch(world, actor_of):  # type: ignore[no-untyped-def]
    build_party(world)
    rows = selectors.organisation_tree(actor=actor_of("dangzhibu"), on=TODAY, groups=True)
    assert [(r.organisation.name, r.depth) for r in rows] == [("X小区党支部", 0), ("1号楼党小组", 1)]


def test_coverage_matches_an_independent_count(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    figures = selectors.coverage(under=world.subdistrict)
    # Independent count: walk every compound and building in Python.
    compounds = list(Node.objects.filter(kind=NodeKind.COMPOUND))
    covered = [
        c
        for c in compounds
        if any(
            o.is_active and o.kind in (OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.GENERAL_BRANCH)
            for o in [party.branch_x, party.joint_yz]
            if c in o.territory.all()
        )
    ]
    buildings = list(Node.objects.filter(kind=NodeKind.BUILDING))
    grouped = [b for b in buildings if b in party.group_1.territory.all()]
    assert (figures.compounds, figures.compounds_covered) == (len(compounds), len(covered)) == (3, 3)
    assert (figures.buildings, figures.buildings_covered) == (len(buildings), len(grouped)) == (4, 1)
    assert figures.buildings_percent == "25.0%"
    per_compound = {r.compound.name: r.members for r in figures.rows}
    expected = {c.name: 0 for c in compounds}
    for m in Member.objects.filter(status=MemberStatus.ACTIVE).select_related("person"):
        for c in compounds:
            if m.person.org_path.startswith(c.path):
                expected[c.name] += 1
    assert per_compound == expected == {"X小区": 4, "Y小区": 0, "Z小区": 1}


def test_coverage_drops_a_dissolved_branch(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    services.org_update(
        actor=SYSTEM,
        organisation=party.group_1,
        name=party.group_1.name,
        parent=party.branch_x,
        territory=[world.buildings["1"]],
        is_active=False,
    )
    assert selectors.coverage(under=world.subdistrict).buildings_covered == 0
