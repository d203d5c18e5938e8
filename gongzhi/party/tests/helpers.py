from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongzhi.core.actors import Actor
from gongzhi.party import services
from gongzhi.party.choices import MemberKind, OrgKind
from gongzhi.party.models import Member, Organisation
from gongzhi.registry.models import Person
from gongzhi.testing.world import World

SYSTEM = Actor.system("party-test")
JOINED = dt.date(2010, 7, 1)


@dataclass
class Party:
    committee: Organisation  # 街道党工委
    community: Organisation  # 第一社区党委
    branch_x: Organisation  # X小区党支部
    group_1: Organisation  # 1号楼党小组
    joint_yz: Organisation  # Y and Z in one joint branch
    jumin: Member  # full, X branch, group 1
    neighbour: Member  # full, X branch
    grid_b: Member  # probationary, X branch
    spouse: Member  # held outside the subdistrict, lives in X
    far: Member  # full, the joint branch, lives in Z


def build_party(world: World) -> Party:
    """The party side of the test world: 党工委 → 第一社区党委 → X小区党支部 (with 1号楼党小组) and a joint
    branch of Y and Z; jumin, the neighbour and 住户丙 in X's branch, jumin's spouse registered from outside."""
    s = SYSTEM
    committee = services.org_create(actor=s, kind=OrgKind.WORKING_COMMITTEE, name="纬二路街道党工委")
    community = services.org_create(
        actor=s, kind=OrgKind.COMMUNITY_COMMITTEE, name="第一社区党委", parent=committee, territory=[world.community]
    )
    branch_x = services.org_create(
        actor=s, kind=OrgKind.BRANCH, name="X小区党支部", parent=community, territory=[world.compound_x]
    )
    group_1 = services.org_create(
        actor=s, kind=OrgKind.GROUP, name="1号楼党小组", parent=branch_x, territory=[world.buildings["1"]]
    )
    joint_yz = services.org_create(
        actor=s,
        kind=OrgKind.JOINT_BRANCH,
        name="YZ联合党支部",
        parent=committee,
        territory=[world.compound_y, world.compound_z],
    )
    p = world.people

    def add(person: Person, kind: str, org: Organisation | None, outside: str = "") -> Member:
        return services.member_add(
            actor=s,
            person_id=person.pk,
            kind=kind,
            joined_on=JOINED,
            organisation=org,
            outside_organisation=outside,
        )

    jumin = add(p["jumin"], MemberKind.FULL, branch_x)
    services.member_move(actor=s, member=jumin, group=group_1)
    jumin.refresh_from_db()
    return Party(
        committee=committee,
        community=community,
        branch_x=branch_x,
        group_1=group_1,
        joint_yz=joint_yz,
        jumin=jumin,
        neighbour=add(p["neighbour"], MemberKind.FULL, branch_x),
        grid_b=add(p["grid_b"], MemberKind.PROBATIONARY, branch_x),
        spouse=add(p["jumin_spouse"], MemberKind.FULL, None, "市财政局机关党支部"),
        far=add(p["community2"], MemberKind.FULL, joint_yz),
    )


def bulk_members(org: Organisation, *, path: str, full: int, probationary: int = 0) -> list[Member]:
    """Many members at once for the branch rules: people of the registry written directly (no IDs)."""
    start = Person.objects.count()
    people = Person.objects.bulk_create(
        [
            Person(name=f"党员{start + i}", name_pinyin=f"dangyuan{start + i}", name_initials="dy", org_path=path)
            for i in range(full + probationary)
        ]
    )
    return Member.objects.bulk_create(
        [
            Member(
                person=person,
                kind=MemberKind.FULL if i < full else MemberKind.PROBATIONARY,
                organisation=org,
                joined_on=JOINED,
            )
            for i, person in enumerate(people)
        ]
    )


def rows_for_routes(world: World) -> dict[str, int]:
    from gongzhi.party import reporting
    from gongzhi.party.tests.helpers_meetings import meeting_rows_for_routes

    party = build_party(world)
    # 双报到: the spouse (held outside, living in X) reports to X's branch; a need of the branch.
    registration = reporting.registration_submit(
        actor=SYSTEM,
        person=world.people["jumin_spouse"],
        data=reporting.SlipData(
            work_unit_name="市财政局",
            post="科员",
            holding_organisation="市财政局机关党支部",
            member_kind=MemberKind.FULL,
            joined_on=JOINED,
            residence=world.buildings["1"],
        ),
    )
    need = reporting.need_create(
        actor=SYSTEM, organisation=party.branch_x, category="patrol", title="夜间巡逻", node=world.compound_x
    )
    return {
        "organisation_id": party.branch_x.pk,
        "member_id": party.jumin.pk,
        "registration_id": registration.pk,
        "need_id": need.pk,
        "work_unit_id": registration.work_unit_id,
        "year": 2026,
        "quarter": 1,
        **meeting_rows_for_routes(party),
    }
