"""双报到 services and selectors: where a member reports, the slip's transitions, needs, the feedback sheet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty
from gongzhi.core.actors import Actor
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.models import AuditEntry
from gongzhi.party import reporting, selectors, services, serving
from gongzhi.party.choices import MemberStatus, OrgKind, RegistrationStatus
from gongzhi.party.models import Feedback, Member, Need, Registration
from gongzhi.party.tests.helpers import SYSTEM, Party, build_party
from gongzhi.registry.choices import Relation
from gongzhi.registry.models import Person
from gongzhi.registry.services import PersonData, person_register
from gongzhi.testing.world import World, add_user
from gongzhi.volunteering.services import ActivityData
from gongzhi.volunteering.testing import attend, ensure_default_rule, register

pytestmark = pytest.mark.django_db


def newcomer(world: World, name: str = "新报到", username: str = "xinbaodao") -> tuple[Person, Actor]:
    """An in-service member not yet on any roll: 住户丙's spouse in X小区 2号楼, with an account."""
    person = person_register(
        actor=SYSTEM,
        household=world.households["grid_b"],
        relation=Relation.SPOUSE,
        joined_on=dt.date(2021, 3, 1),
        data=PersonData(name=name, born_on=dt.date(1988, 5, 1)),
    )
    user = add_user(username, name)
    Person.objects.filter(pk=person.pk).update(user=user)
    person.refresh_from_db()
    return person, actor_for_user(user)


def slip(building, **over) -> reporting.SlipData:  # type: ignore[no-untyped-def]
    values = {
        "work_unit_name": "蚌埠市财政局",
        "post": "科员",
        "holding_organisation": "蚌埠市财政局机关党支部",
        "member_kind": "full",
        "joined_on": dt.date(2012, 7, 1),
        "residence": building,
        "skills": ["legal"],
        "service_posts": ["legal", "publicity"],
    }
    values.update(over)
    return reporting.SlipData(**values)  # type: ignore[arg-type]


def submitted(world: World, party: Party) -> tuple[Registration, Actor]:
    person, actor = newcomer(world)
    return reporting.registration_submit(actor=actor, person=person, data=slip(world.buildings["2"])), actor


def test_a_slip_goes_to_the_branch_covering_the_compound(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    registration, _actor = submitted(world, party)
    assert registration.organisation == party.branch_x
    assert registration.status == RegistrationStatus.SUBMITTED
    assert registration.work_unit.name == "蚌埠市财政局"
    assert registration.work_unit.organisation == party.branch_x


def test_a_slip_falls_back_to_the_community_committee_where_no_branch_covers(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    party.joint_yz.territory.set([world.compound_y])
    committee = services.org_create(
        actor=SYSTEM,
        kind=OrgKind.COMMUNITY_COMMITTEE,
        name="第二社区党委",
        parent=party.committee,
        territory=[world.other_community],
    )
    assert reporting.residence_organisation(building=world.buildings["9"]) == committee
    assert reporting.residence_organisation(building=world.buildings["3"]) == party.joint_yz


def test_residence_must_be_where_the_member_lives(world):  # type: ignore[no-untyped-def]
    build_party(world)
    person, actor = newcomer(world)
    assert [b.pk for b in reporting.residence_buildings(person=person)] == [world.buildings["2"].pk]
    with pytest.raises(DomainError, match="现居住"):
        reporting.registration_submit(actor=actor, person=person, data=slip(world.buildings["1"]))


def test_joined_date_may_be_neither_future_nor_before_eighteen(world):  # type: ignore[no-untyped-def]
    build_party(world)
    person, actor = newcomer(world)
    b = world.buildings["2"]
    with pytest.raises(DomainError, match="晚于今天"):
        reporting.registration_submit(
            actor=actor, person=person, data=slip(b, joined_on=timezone.localdate() + dt.timedelta(days=1))
        )
    with pytest.raises(DomainError, match="18"):
        reporting.registration_submit(actor=actor, person=person, data=slip(b, joined_on=dt.date(2005, 1, 1)))


def test_one_open_slip_per_person_with_a_chinese_error(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    registration, actor = submitted(world, party)
    with pytest.raises(DomainError, match="已有一份待确认或已报到的报到单"):
        reporting.registration_submit(actor=actor, person=registration.person, data=slip(world.buildings["2"]))
    assert Registration.objects.count() == 1


def test_nobody_else_submits_for_a_person_but_their_keeper(world, actor_of):  # type: ignore[no-untyped-def]
    build_party(world)
    person, _actor = newcomer(world)
    with pytest.raises(NotAllowed):
        reporting.registration_submit(actor=actor_of("jumin"), person=person, data=slip(world.buildings["2"]))
    entered = reporting.registration_submit(actor=actor_of("dangzhibu"), person=person, data=slip(world.buildings["2"]))
    assert entered.submitted_by_id == world.user("dangzhibu").pk


def test_accept_creates_an_outside_held_member_placed_in_a_group_and_listed(world, actor_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    registration, _actor = submitted(world, party)
    group_2 = services.org_create(
        actor=SYSTEM, kind=OrgKind.GROUP, name="2号楼党小组", parent=party.branch_x, territory=[world.buildings["2"]]
    )
    dangzhibu = actor_of("dangzhibu")
    accepted = reporting.registration_accept(actor=dangzhibu, registration=registration, group=group_2)
    member = Member.objects.get(pk=accepted.member_id)
    assert (member.organisation_id, member.outside_organisation, member.kind, member.joined_on) == (
        None,
        "蚌埠市财政局机关党支部",
        "full",
        dt.date(2012, 7, 1),
    )
    assert member.group_id == group_2.pk
    assert accepted.status == RegistrationStatus.ACCEPTED and accepted.decided_by_id == world.user("dangzhibu").pk
    assert accepted.decided_at is not None
    assert reporting.receipt_number(accepted).startswith(f"SBD{timezone.localdate().year}")
    listed = selectors.member_list(actor=dangzhibu, organisation=party.branch_x)
    assert member.pk in {m.pk for m in listed}
    assert member.pk in {m.pk for m in selectors.member_list(actor=dangzhibu, organisation=group_2)}
    assert AuditEntry.objects.filter(action="party.registration_accept", target_id=str(registration.pk)).exists()


def test_accept_links_an_existing_member_instead_of_a_second_one(world, actor_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    spouse = world.people["jumin_spouse"]
    registration = reporting.registration_submit(
        actor=actor_of("dangzhibu"), person=spouse, data=slip(world.buildings["1"])
    )
    accepted = reporting.registration_accept(actor=actor_of("dangzhibu"), registration=registration)
    assert accepted.member_id == party.spouse.pk
    assert Member.objects.filter(person=spouse).count() == 1


def test_a_group_of_another_branch_is_refused(world, actor_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    registration, _actor = submitted(world, party)
    other = services.org_create(
        actor=SYSTEM, kind=OrgKind.GROUP, name="3号楼党小组", parent=party.joint_yz, territory=[world.buildings["3"]]
    )
    with pytest.raises(DomainError, match="党小组"):
        reporting.registration_accept(actor=actor_of("jiedao"), registration=registration, group=other)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.SUBMITTED


def test_decline_needs_a_reason_and_closes_the_slip(world, actor_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    registration, actor = submitted(world, party)
    with pytest.raises(DomainError, match="退回原因"):
        reporting.registration_decline(actor=actor_of("dangzhibu"), registration=registration, reason=" ")
    declined = reporting.registration_decline(
        actor=actor_of("dangzhibu"), registration=registration, reason="不在本小区居住"
    )
    assert declined.status == RegistrationStatus.DECLINED
    with pytest.raises(DomainError, match="不能办理"):
        reporting.registration_accept(actor=actor_of("dangzhibu"), registration=declined)
    # A declined slip is no longer open: the member may submit again.
    again = reporting.registration_submit(actor=actor, person=registration.person, data=slip(world.buildings["2"]))
    assert again.status == RegistrationStatus.SUBMITTED


def test_withdraw_only_by_the_member_while_submitted(world, actor_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    registration, actor = submitted(world, party)
    with pytest.raises(NotAllowed):
        reporting.registration_withdraw(actor=actor_of("dangzhibu"), registration=registration)
    withdrawn = reporting.registration_withdraw(actor=actor, registration=registration)
    assert withdrawn.status == RegistrationStatus.WITHDRAWN
    with pytest.raises(DomainError):
        reporting.registration_withdraw(actor=actor, registration=withdrawn)


def test_end_takes_an_outside_held_member_off_the_roll(world, actor_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    registration, _actor = submitted(world, party)
    dangzhibu = actor_of("dangzhibu")
    accepted = reporting.registration_accept(actor=dangzhibu, registration=registration)
    ended = reporting.registration_end(actor=dangzhibu, registration=accepted, on=timezone.localdate())
    assert ended.status == RegistrationStatus.ENDED
    assert Member.objects.get(pk=accepted.member_id).status == MemberStatus.TRANSFERRED


def test_placing_through_duties_is_the_officers_not_the_secretarys(world, actor_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    registration, _actor = submitted(world, party)
    accepted = reporting.registration_accept(actor=actor_of("dangzhibu"), registration=registration)
    assert not reporting.may_place(actor_of("dangzhibu"), accepted)
    with pytest.raises(NotAllowed, match="街道干部"):
        reporting.registration_place(actor=actor_of("dangzhibu"), registration=accepted, role=Role.BUILDING_HEAD)
    duty = reporting.registration_place(actor=actor_of("jiedao"), registration=accepted, role=Role.BUILDING_HEAD)
    assert isinstance(duty, Duty) and duty.node_id == world.buildings["2"].pk
    assert duty.user_id == registration.person.user_id


def _need(party: Party, world: World, wanted: int = 1) -> Need:
    return reporting.need_create(
        actor=SYSTEM,
        organisation=party.branch_x,
        category="environment",
        title="楼道杂物清理",
        node=world.buildings["2"],
        wanted=wanted,
    )


def test_need_place_must_be_within_the_organisations_territory(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    with pytest.raises(DomainError, match="覆盖的区域"):
        reporting.need_create(
            actor=SYSTEM, organisation=party.branch_x, category="patrol", title="夜间巡逻", node=world.buildings["3"]
        )


def test_claims_once_not_over_wanted_and_not_when_closed(world, actor_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    registration, actor = submitted(world, party)
    need = _need(party, world)
    with pytest.raises(NotAllowed):
        reporting.need_claim(actor=actor, need=need)  # not accepted yet
    reporting.registration_accept(actor=actor_of("dangzhibu"), registration=registration)
    reporting.need_claim(actor=actor, need=need)
    with pytest.raises(DomainError, match="已认领"):
        reporting.need_claim(actor=actor, need=need)
    other, other_actor = newcomer(world, "再报到", "zaibaodao")
    second = reporting.registration_submit(actor=other_actor, person=other, data=slip(world.buildings["2"]))
    reporting.registration_accept(actor=actor_of("dangzhibu"), registration=second)
    with pytest.raises(DomainError, match="名额已满"):
        reporting.need_claim(actor=other_actor, need=need)
    roomy = _need(party, world, wanted=3)
    reporting.need_close(actor=actor_of("dangzhibu"), need=roomy)
    with pytest.raises(DomainError, match="已关闭"):
        reporting.need_claim(actor=other_actor, need=roomy)


def test_residents_see_only_open_needs_of_the_organisation_they_reported_to(world, actor_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    registration, actor = submitted(world, party)
    need = _need(party, world)
    assert not reporting.visible_needs(actor).exists()
    reporting.registration_accept(actor=actor_of("dangzhibu"), registration=registration)
    assert list(reporting.visible_needs(actor)) == [need]
    assert not reporting.visible_needs(actor_of("jumin")).exists()
    reporting.need_close(actor=SYSTEM, need=need)
    assert not reporting.visible_needs(actor).exists()


def _activity(world: World, day: dt.date, title: str) -> ActivityData:
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    return ActivityData(
        title=title,
        service_content="环境整治",
        node=world.compound_x,
        place="2号楼前",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        slots=10,
    )


def test_feedback_sheet_hours_are_the_certified_hours_of_the_quarter_only(world, actor_of):  # type: ignore[no-untyped-def]
    ensure_default_rule()
    party = build_party(world)
    registration, _actor = submitted(world, party)
    dangzhibu = actor_of("dangzhibu")
    accepted = reporting.registration_accept(actor=dangzhibu, registration=registration)
    # The last full quarter, and the one before it.
    this_start, _end = reporting.quarter_span(timezone.localdate().year, reporting.quarter_of(timezone.localdate()))
    last_end = this_start - dt.timedelta(days=1)
    year, quarter = last_end.year, reporting.quarter_of(last_end)
    last_start, _ = reporting.quarter_span(year, quarter)
    Registration.objects.filter(pk=accepted.pk).update(
        decided_at=timezone.make_aware(dt.datetime.combine(last_start - dt.timedelta(days=60), dt.time(10)))
    )
    volunteer = register(registration.person)
    inside = serving.service_activity_create(
        actor=dangzhibu,
        organisation=party.branch_x,
        data=_activity(world, last_start + dt.timedelta(days=10), "党员进楼栋"),
    )
    before = serving.service_activity_create(
        actor=dangzhibu,
        organisation=party.branch_x,
        data=_activity(world, last_start - dt.timedelta(days=5), "上季度服务"),
    )
    attend(inside.activity, volunteer, minutes=150)
    attend(before.activity, volunteer, minutes=60)
    sheet = reporting.feedback_sheet(actor=dangzhibu, work_unit=accepted.work_unit, year=year, quarter=quarter)
    assert [(r.name, r.services, r.minutes, r.hours) for r in sheet.rows] == [("新报到", 1, 150, "2.5")]
    assert sheet.rows[0].residence == "第一社区 · X小区 · 2号楼"
    reporting.feedback_send(actor=dangzhibu, work_unit=accepted.work_unit, year=year, quarter=quarter)
    with pytest.raises(DomainError, match="已反馈"):
        reporting.feedback_send(actor=dangzhibu, work_unit=accepted.work_unit, year=year, quarter=quarter)
    assert Feedback.objects.count() == 1
    figures = reporting.reporting_figures(actor=actor_of("jiedao"), year=last_start.year)
    assert (figures.accepted, figures.pending, figures.work_units) == (1, 0, 1)
    minutes_of_year = 150 + (60 if (last_start - dt.timedelta(days=5)).year == last_start.year else 0)
    assert figures.minutes == minutes_of_year


def test_appraisal_once_a_year(world, actor_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    registration, _actor = submitted(world, party)
    dangzhibu = actor_of("dangzhibu")
    accepted = reporting.registration_accept(actor=dangzhibu, registration=registration)
    year = timezone.localdate().year
    reporting.appraisal_record(actor=dangzhibu, registration=accepted, year=year, result="excellent")
    with pytest.raises(DomainError, match="已评议"):
        reporting.appraisal_record(actor=dangzhibu, registration=accepted, year=year, result="competent")
    with pytest.raises(DomainError, match="已开始"):
        reporting.appraisal_record(actor=dangzhibu, registration=accepted, year=year + 1, result="competent")
    with pytest.raises(NotAllowed):
        reporting.appraisal_record(actor=actor_of("shequ"), registration=accepted, year=year, result="basic")
