"""Services: organisations, members, committees and consent; refusals in Chinese, naming the field."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.models import AuditEntry
from gongzhi.party import selectors, services
from gongzhi.party.choices import MemberKind, MemberStatus, OrgKind, Seat
from gongzhi.party.models import Consent, Member
from gongzhi.party.tests.helpers import JOINED, SYSTEM, build_party

pytestmark = pytest.mark.django_db


def test_org_create_refuses_a_joint_branch_over_six_compounds(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    with pytest.raises(DomainError) as exc:
        services.org_create(
            actor=SYSTEM,
            kind=OrgKind.JOINT_BRANCH,
            name="太大",
            parent=party.committee,
            territory=[world.compound_x, world.compound_y, world.compound_z, *world.buildings.values()],
        )
    assert exc.value.field == "territory"


def test_org_create_refuses_a_group_on_a_building_outside_its_branch(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    with pytest.raises(DomainError, match="不在上级支部覆盖的小区内") as exc:
        services.org_create(
            actor=SYSTEM,
            kind=OrgKind.GROUP,
            name="9号楼党小组",
            parent=party.branch_x,
            territory=[world.buildings["9"]],
        )
    assert exc.value.field == "territory"


def test_org_create_needs_the_officer_and_is_audited(world, actor_of):  # type: ignore[no-untyped-def]
    with pytest.raises(NotAllowed):
        services.org_create(actor=actor_of("dangzhibu"), kind=OrgKind.WORKING_COMMITTEE, name="党工委")
    org = services.org_create(actor=actor_of("jiedao"), kind=OrgKind.WORKING_COMMITTEE, name="党工委")
    assert AuditEntry.objects.filter(action="party.org_create", target_id=str(org.pk)).exists()


def test_org_update_refuses_a_wrong_parent_and_dissolving_with_members(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    # The kinds' parents form no cycle: the top can have no parent, a group can hold no branch.
    with pytest.raises(DomainError, match="上级应为：无（最上级）") as exc:
        services.org_update(
            actor=SYSTEM, organisation=party.committee, name="党工委", parent=party.community, territory=[]
        )
    assert exc.value.field == "parent"
    with pytest.raises(DomainError, match="还有在册党员"):
        services.org_update(
            actor=SYSTEM,
            organisation=party.branch_x,
            name="X小区党支部",
            parent=party.community,
            territory=[world.compound_x],
            is_active=False,
        )


def test_member_add_refuses_a_double_active_membership(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    with pytest.raises(DomainError, match="已是在册党员") as exc:
        services.member_add(
            actor=SYSTEM,
            person_id=world.people["jumin"].pk,
            kind=MemberKind.FULL,
            joined_on=JOINED,
            organisation=party.joint_yz,
        )
    assert exc.value.field == "person"


def test_member_add_checks_the_person_exists_and_the_date(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    with pytest.raises(DomainError, match="没有这个人"):
        services.member_add(
            actor=SYSTEM, person_id=999_999, kind=MemberKind.FULL, joined_on=JOINED, organisation=party.branch_x
        )
    with pytest.raises(DomainError) as exc:
        services.member_add(
            actor=SYSTEM,
            person_id=999_999,
            kind=MemberKind.FULL,
            joined_on=dt.date.today() + dt.timedelta(days=3),
            organisation=party.branch_x,
        )
    assert exc.value.field == "joined_on"


def test_member_add_refuses_a_group_and_an_outsider_without_a_name(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    with pytest.raises(DomainError, match="党小组不接收组织关系"):
        services.member_add(
            actor=SYSTEM, person_id=world.people["jumin"].pk, kind="full", joined_on=JOINED, organisation=party.group_1
        )
    with pytest.raises(DomainError) as exc:
        services.member_add(
            actor=SYSTEM, person_id=world.people["jumin"].pk, kind="full", joined_on=JOINED, organisation=None
        )
    assert exc.value.field == "outside_organisation"


def test_a_member_who_ended_may_be_registered_again(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    services.member_end(actor=SYSTEM, member=party.far, status=MemberStatus.TRANSFERRED, on=dt.date(2025, 1, 1))
    again = services.member_add(
        actor=SYSTEM, person_id=party.far.person_id, kind="full", joined_on=JOINED, organisation=party.branch_x
    )
    assert Member.objects.filter(person_id=party.far.person_id).count() == 2
    assert again.status == MemberStatus.ACTIVE


def test_member_move_only_into_a_group_of_the_members_branch(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    with pytest.raises(DomainError, match="只能编入本支部的党小组"):
        services.member_move(actor=SYSTEM, member=party.far, group=party.group_1)
    services.member_move(actor=SYSTEM, member=party.neighbour, group=party.group_1)
    assert Member.objects.get(pk=party.neighbour.pk).group == party.group_1


def test_committee_set_checks_term_length_and_one_secretary(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    with pytest.raises(DomainError, match="每届任期不超过5年") as exc:
        services.committee_set(
            actor=SYSTEM,
            organisation=party.branch_x,
            starts_on=dt.date(2024, 1, 1),
            ends_on=dt.date(2029, 6, 1),
            seats=[(party.jumin, Seat.SECRETARY)],
        )
    assert exc.value.field == "ends_on"
    with pytest.raises(DomainError, match="应有且只有一名书记"):
        services.committee_set(
            actor=SYSTEM, organisation=party.branch_x, starts_on=dt.date(2024, 1, 1), seats=[(party.jumin, Seat.DEPUTY)]
        )
    with pytest.raises(DomainError, match="组织关系不在本支部"):
        services.committee_set(
            actor=SYSTEM,
            organisation=party.branch_x,
            starts_on=dt.date(2024, 1, 1),
            seats=[(party.far, Seat.SECRETARY)],
        )
    term = services.committee_set(
        actor=SYSTEM,
        organisation=party.branch_x,
        starts_on=dt.date(2024, 1, 1),
        seats=[(party.jumin, Seat.SECRETARY), (party.neighbour, Seat.DEPUTY)],
    )
    assert term.ends_on == dt.date(2028, 12, 31)  # a community branch serves five years
    assert [s.seat for s in selectors.term_seats(term)] == [Seat.SECRETARY, Seat.DEPUTY]


def test_group_leader_must_be_in_the_group(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    with pytest.raises(DomainError, match="组长应是本小组的党员"):
        services.committee_set(
            actor=SYSTEM,
            organisation=party.group_1,
            starts_on=dt.date(2024, 1, 1),
            seats=[(party.neighbour, Seat.GROUP_LEADER)],
        )
    services.committee_set(
        actor=SYSTEM,
        organisation=party.group_1,
        starts_on=dt.date(2024, 1, 1),
        seats=[(party.jumin, Seat.GROUP_LEADER)],
    )


def test_badges_show_only_with_consent_and_go_with_withdrawal(world, actor_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    people = [m.person_id for m in (party.jumin, party.neighbour, party.spouse)]
    households = [h.pk for h in world.households.values()]
    assert selectors.badge_person_ids(people) == set()  # off by default
    assert selectors.party_households(households) == set()
    dangzhibu = actor_of("dangzhibu")
    consent = services.consent_give(actor=dangzhibu, member=party.jumin, shows_badge=True, shows_household=True)
    services.consent_give(actor=dangzhibu, member=party.neighbour, shows_badge=True, shows_household=False)
    assert (consent.given_by_id, consent.given_by_name) == (world.user("dangzhibu").pk, "dangzhibu")
    assert selectors.badge_person_ids(people) == {party.jumin.person_id, party.neighbour.person_id}
    assert selectors.party_households(households) == {world.households["jumin"].pk}
    withdrawn = services.consent_withdraw(actor=dangzhibu, member=party.jumin)
    assert withdrawn.withdrawn_at is not None and withdrawn.withdrawn_by_name == "dangzhibu"
    assert selectors.badge_person_ids(people) == {party.neighbour.person_id}
    assert selectors.party_households(households) == set()
    assert Consent.objects.filter(member=party.jumin).count() == 1  # the withdrawn row stays
    with pytest.raises(DomainError, match="没有在效"):
        services.consent_withdraw(actor=dangzhibu, member=party.jumin)


def test_consent_needs_the_members_secretary(world, actor_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    with pytest.raises(NotAllowed):
        services.consent_give(actor=actor_of("dangzhibu"), member=party.far)
    with pytest.raises(NotAllowed):
        services.consent_give(actor=actor_of("shequ"), member=party.jumin)


def test_ending_a_membership_withdraws_the_badge(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    services.consent_give(actor=SYSTEM, member=party.jumin)
    services.member_end(actor=SYSTEM, member=party.jumin, status=MemberStatus.ENDED, on=dt.date(2025, 1, 1))
    assert selectors.badge_person_ids([party.jumin.person_id]) == set()


def test_company_organisation_links_with_the_branches_of_the_compounds_served(world):  # type: ignore[no-untyped-def]
    from gongzhi.stewardship.models import Manager
    from gongzhi.stewardship.tests.helpers import rows_for_routes

    party = build_party(world)
    rows_for_routes(world)  # 路由物业 serves X小区
    company = services.org_create(
        actor=SYSTEM,
        kind=OrgKind.COMPANY,
        name="路由物业党支部",
        parent=party.committee,
        manager=Manager.objects.get(name="路由物业"),
    )
    today = dt.date.today()
    assert selectors.linked_organisations(organisation=company, on=today) == [party.branch_x]
    assert selectors.linked_organisations(organisation=party.branch_x, on=today) == [company]
    assert selectors.linked_organisations(organisation=party.joint_yz, on=today) == []
