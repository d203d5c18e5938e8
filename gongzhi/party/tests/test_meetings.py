"""三会一课: who is entitled to each kind of meeting, the quorum, refusals that write nothing, corrections, and
the compliance table against each kind's cadence with fixed dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.cases.tests.helpers import clean_photo
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.models import AuditEntry
from gongzhi.party import meetings, services
from gongzhi.party.choices import Compliance, MeetingKind, Seat
from gongzhi.party.models import Attendance, Meeting, Organisation
from gongzhi.party.tests.helpers import SYSTEM, Party, build_party, bulk_members

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 4, 10)


def record(org: Organisation, kind: str, held_on: dt.date, present: list[int], *, on: dt.date = ON, **extra):  # type: ignore[no-untyped-def]
    fields = {"topic": "学习党章", "minutes": "书记领学，党员发言。", "lecturer": "书记", **extra}
    return meetings.meeting_record(
        actor=SYSTEM, organisation=org, kind=kind, held_on=held_on, present_member_ids=present, on=on, **fields
    )


def with_committee(world, party: Party) -> list[int]:  # type: ignore[no-untyped-def]
    """Seven full members in X's branch and a committee of three: the seats' member ids."""
    extra = bulk_members(party.branch_x, path=world.compound_x.path, full=5)
    services.committee_set(
        actor=SYSTEM,
        organisation=party.branch_x,
        starts_on=dt.date(2024, 1, 1),
        seats=[(party.jumin, Seat.SECRETARY), (party.neighbour, Seat.ORGANISATION), (extra[0], Seat.PROPAGANDA)],
    )
    return [party.jumin.pk, party.neighbour.pk, extra[0].pk]


def test_general_assembly_entitles_the_members_held_here_not_outside_held_ones(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    entitled = meetings.entitled_members(organisation=party.branch_x, kind=MeetingKind.GENERAL_ASSEMBLY, on=ON)
    assert {m.pk for m in entitled} == {party.jumin.pk, party.neighbour.pk, party.grid_b.pk}
    assert party.spouse.pk not in {m.pk for m in entitled}  # lives in X, membership held at their unit
    meeting = record(party.branch_x, MeetingKind.GENERAL_ASSEMBLY, dt.date(2026, 3, 2), [party.jumin.pk])
    assert (meeting.entitled, meeting.present) == (3, 1)
    assert set(meeting.attendances.values_list("member_id", "is_present")) == {
        (party.jumin.pk, True),
        (party.neighbour.pk, False),
        (party.grid_b.pk, False),
    }


def test_group_meeting_entitles_only_the_members_placed_in_the_group(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    entitled = meetings.entitled_members(organisation=party.group_1, kind=MeetingKind.GROUP, on=ON)
    assert [m.pk for m in entitled] == [party.jumin.pk]
    assert meetings.meeting_kinds(organisation=party.group_1) == [MeetingKind.GROUP]


def test_committee_meeting_entitles_only_the_seats_of_the_current_term(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    assert MeetingKind.COMMITTEE not in meetings.meeting_kinds(organisation=party.branch_x)  # 2 full members
    seats = with_committee(world, party)
    assert MeetingKind.COMMITTEE in meetings.meeting_kinds(organisation=party.branch_x)
    entitled = meetings.entitled_members(organisation=party.branch_x, kind=MeetingKind.COMMITTEE, on=ON)
    assert sorted(m.pk for m in entitled) == sorted(seats)


def test_committee_meeting_is_refused_to_a_branch_without_a_committee(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    with pytest.raises(DomainError) as caught:
        record(party.branch_x, MeetingKind.COMMITTEE, dt.date(2026, 3, 2), [party.jumin.pk])
    assert caught.value.field == "kind" and "不召开支委会" in caught.value.message
    with pytest.raises(DomainError):
        record(party.branch_x, MeetingKind.GROUP, dt.date(2026, 3, 2), [party.jumin.pk])


def test_present_member_outside_those_entitled_is_refused_and_nothing_written(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    audits = AuditEntry.objects.count()
    with pytest.raises(DomainError) as caught:
        record(
            party.branch_x,
            MeetingKind.GENERAL_ASSEMBLY,
            dt.date(2026, 3, 2),
            [party.jumin.pk, party.spouse.pk],
            photos=[clean_photo()],
        )
    assert caught.value.field == "present" and "应到人员" in caught.value.message
    assert Meeting.objects.count() == 0 and Attendance.objects.count() == 0
    assert AuditEntry.objects.count() == audits


def test_meeting_record_refuses_future_dates_empty_minutes_and_others(world, actor_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    with pytest.raises(DomainError) as caught:
        record(party.branch_x, MeetingKind.THEME_DAY, ON + dt.timedelta(days=1), [])
    assert caught.value.field == "held_on"
    with pytest.raises(DomainError) as caught:
        record(party.branch_x, MeetingKind.THEME_DAY, ON, [], minutes="  ")
    assert caught.value.field == "minutes" and "会议记录" in caught.value.message
    with pytest.raises(DomainError) as caught:
        record(party.branch_x, MeetingKind.LECTURE, ON, [], lecturer="")
    assert caught.value.field == "lecturer"
    with pytest.raises(NotAllowed):
        meetings.meeting_record(
            actor=actor_of("shequ"),
            organisation=party.branch_x,
            kind=MeetingKind.THEME_DAY,
            held_on=ON,
            topic="主题党日",
            minutes="记录",
            present_member_ids=[],
            on=ON,
        )
    with pytest.raises(NotAllowed):  # the secretary of X does not keep the joint branch of Y and Z
        meetings.meeting_record(
            actor=actor_of("dangzhibu"),
            organisation=party.joint_yz,
            kind=MeetingKind.THEME_DAY,
            held_on=ON,
            topic="主题党日",
            minutes="记录",
            present_member_ids=[],
            on=ON,
        )
    assert Meeting.objects.count() == 0


def test_meeting_record_keeps_photos_and_an_audit_row(world, actor_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    meeting = meetings.meeting_record(
        actor=actor_of("dangzhibu"),
        organisation=party.branch_x,
        kind=MeetingKind.THEME_DAY,
        held_on=ON,
        topic="清理楼道",
        minutes="党员带头清理楼道堆物。",
        present_member_ids=[party.jumin.pk, party.neighbour.pk],
        absence_reasons={party.grid_b.pk: " 出差 ", party.jumin.pk: "不该记下"},
        photos=[clean_photo()],
        on=ON,
    )
    assert meeting.photos.count() == 1 and meeting.recorded_by_name
    reasons = dict(meeting.attendances.values_list("member_id", "absence_reason"))
    assert reasons == {party.jumin.pk: "", party.neighbour.pk: "", party.grid_b.pk: "出差"}
    audit = AuditEntry.objects.get(action="party.meeting_record")
    assert audit.after["present"] == 2 and audit.after["present_ids"] == sorted([party.jumin.pk, party.neighbour.pk])


def test_quorum_exactly_half_is_not_quorate_more_than_half_is(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    extra = bulk_members(party.branch_x, path=world.compound_x.path, full=1)[0]  # four entitled
    half = record(party.branch_x, MeetingKind.GENERAL_ASSEMBLY, dt.date(2026, 1, 5), [party.jumin.pk, extra.pk])
    more = record(
        party.branch_x,
        MeetingKind.GENERAL_ASSEMBLY,
        dt.date(2026, 4, 2),
        [party.jumin.pk, extra.pk, party.neighbour.pk],
    )
    assert (half.entitled, half.present, half.has_quorum) == (4, 2, False)
    assert (more.entitled, more.present, more.has_quorum) == (4, 3, True)
    table = meetings.compliance_table(organisation=party.branch_x, year=2026, on=ON)
    assembly = next(r for r in table.rows if r.kind == MeetingKind.GENERAL_ASSEMBLY)
    first, second = assembly.cells[0], assembly.cells[1]
    assert (first.status, first.label) == (Compliance.OVERDUE, "未过半")
    assert second.status == Compliance.DONE


def test_meeting_correct_changes_attendance_within_the_window_only(world, actor_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    meeting = record(party.branch_x, MeetingKind.GENERAL_ASSEMBLY, dt.date(2026, 3, 2), [party.jumin.pk])
    dangzhibu = actor_of("dangzhibu")
    meetings.meeting_correct(
        actor=dangzhibu,
        meeting=meeting,
        topic="学习党章（更正）",
        minutes="补记：邻居乙到会。",
        present_member_ids=[party.jumin.pk, party.neighbour.pk],
        absence_reasons={party.grid_b.pk: "生病"},
    )
    meeting.refresh_from_db()
    assert (meeting.present, meeting.has_quorum, meeting.topic) == (2, True, "学习党章（更正）")
    assert meeting.attendances.get(member=party.grid_b).absence_reason == "生病"
    audit = AuditEntry.objects.get(action="party.meeting_correct")
    assert audit.before["present"] == 1 and audit.after["present"] == 2
    with pytest.raises(DomainError):  # still only those entitled when it was recorded
        meetings.meeting_correct(
            actor=dangzhibu, meeting=meeting, topic="t", minutes="m", present_member_ids=[party.spouse.pk]
        )
    # The window counts Shanghai days: created_at.date() would be the UTC day, a day behind after 16:00 UTC.
    late = timezone.localdate(meeting.created_at) + dt.timedelta(days=meetings.CORRECTION_DAYS + 1)
    assert not meetings.may_correct(actor=dangzhibu, meeting=meeting, on=late)
    with pytest.raises(DomainError) as caught:
        meetings.meeting_correct(
            actor=dangzhibu, meeting=meeting, topic="t", minutes="m", present_member_ids=[], on=late
        )
    assert "超过30天" in caught.value.message
    with pytest.raises(NotAllowed):
        meetings.meeting_correct(
            actor=actor_of("wangge_a"), meeting=meeting, topic="t", minutes="m", present_member_ids=[]
        )


# --- compliance -------------------------------------------------------------------------------------------


def cells_of(table: meetings.ComplianceTable, kind: str) -> list[str]:
    return [c.status for c in next(r for r in table.rows if r.kind == kind).cells]


def test_compliance_done_due_overdue_and_not_yet_on_fixed_dates(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    record(party.branch_x, MeetingKind.THEME_DAY, dt.date(2026, 1, 20), [party.jumin.pk])
    record(party.branch_x, MeetingKind.THEME_DAY, dt.date(2026, 3, 31), [party.jumin.pk])
    # 1 April is the second quarter's: the first quarter has no 党员大会.
    record(party.branch_x, MeetingKind.GENERAL_ASSEMBLY, dt.date(2026, 4, 1), [party.jumin.pk, party.neighbour.pk])
    table = meetings.compliance_table(organisation=party.branch_x, year=2026, on=ON)
    assert [r.kind for r in table.rows] == [
        MeetingKind.GENERAL_ASSEMBLY,
        MeetingKind.LECTURE,
        MeetingKind.THEME_DAY,
        MeetingKind.LIFE_MEETING,
        MeetingKind.APPRAISAL,
    ]
    d, due, late, later = Compliance.DONE, Compliance.DUE, Compliance.OVERDUE, Compliance.NOT_YET
    assert cells_of(table, MeetingKind.THEME_DAY) == [d, late, d, due] + [later] * 8
    assert cells_of(table, MeetingKind.GENERAL_ASSEMBLY) == [late, d, later, later]
    assert cells_of(table, MeetingKind.LECTURE) == [late, due, later, later]
    assert cells_of(table, MeetingKind.LIFE_MEETING) == [due]
    assert table.counts[Compliance.OVERDUE] == 3
    # On the last day of the first quarter it is still due, not overdue.
    on_boundary = meetings.compliance_table(organisation=party.branch_x, year=2026, on=dt.date(2026, 3, 31))
    assert cells_of(on_boundary, MeetingKind.LECTURE)[0] == due
    # A past year is all settled: nothing due, nothing not yet.
    past = meetings.compliance_table(organisation=party.branch_x, year=2025, on=ON)
    assert {s for r in past.rows for s in cells_of(past, r.kind)} == {late}


def test_compliance_before_the_organisation_was_founded_is_not_due(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    Organisation.objects.filter(pk=party.joint_yz.pk).update(founded_on=dt.date(2026, 7, 15))
    party.joint_yz.refresh_from_db()
    on = dt.date(2026, 9, 10)
    record(party.joint_yz, MeetingKind.THEME_DAY, dt.date(2026, 8, 3), [party.far.pk], on=on)
    table = meetings.compliance_table(organisation=party.joint_yz, year=2026, on=on)
    theme = next(r for r in table.rows if r.kind == MeetingKind.THEME_DAY).cells
    assert [c.label for c in theme[:6]] == ["未成立"] * 6
    assert [c.status for c in theme[6:9]] == [Compliance.OVERDUE, Compliance.DONE, Compliance.DUE]
    assembly = next(r for r in table.rows if r.kind == MeetingKind.GENERAL_ASSEMBLY).cells
    assert [c.before_founding for c in assembly] == [True, True, False, False]
    assert assembly[2].status == Compliance.DUE
    assert table.counts[Compliance.OVERDUE] == 1  # July only: the months before it are not counted
    with pytest.raises(DomainError) as caught:
        record(party.joint_yz, MeetingKind.THEME_DAY, dt.date(2026, 7, 1), [], on=on)
    assert caught.value.field == "held_on"


def test_committee_meeting_without_quorum_does_not_count_as_done(world):  # type: ignore[no-untyped-def]
    party = build_party(world)
    seats = with_committee(world, party)
    record(party.branch_x, MeetingKind.COMMITTEE, dt.date(2026, 2, 10), seats[:1])  # 1 of 3
    record(party.branch_x, MeetingKind.COMMITTEE, dt.date(2026, 3, 10), seats[:2])  # 2 of 3
    table = meetings.compliance_table(organisation=party.branch_x, year=2026, on=ON)
    committee = next(r for r in table.rows if r.kind == MeetingKind.COMMITTEE).cells
    assert (committee[1].status, committee[1].label, committee[1].unquorate) == (Compliance.OVERDUE, "未过半", 1)
    assert committee[2].status == Compliance.DONE


def test_compliance_overdue_lists_only_what_the_actor_sees(world, actor_of):  # type: ignore[no-untyped-def]
    party = build_party(world)
    record(party.branch_x, MeetingKind.THEME_DAY, dt.date(2026, 1, 20), [party.jumin.pk])
    mine = meetings.compliance_overdue(actor=actor_of("dangzhibu"), on=ON)
    assert {o.organisation.pk for o in mine} == {party.branch_x.pk, party.group_1.pk}
    theme = [o.period for o in mine if o.kind == MeetingKind.THEME_DAY]
    assert theme == ["2026年2月", "2026年3月"]
    assert ("2026年1月", MeetingKind.GROUP) in {(o.period, o.kind) for o in mine if o.organisation == party.group_1}
    everyone = meetings.compliance_overdue(actor=actor_of("jiedao"), on=ON)
    assert party.joint_yz.pk in {o.organisation.pk for o in everyone}
    assert meetings.compliance_overdue(actor=actor_of("jumin"), on=ON) == []
    overview = meetings.compliance_overview(actor=actor_of("jiedao"), on=ON)
    by_org = {r.organisation.pk: r for r in overview}
    assert party.group_1.pk not in by_org and by_org[party.branch_x.pk].groups == 1
    assert by_org[party.branch_x.pk].groups_overdue == 3  # 党小组会 January to March
    assert by_org[party.branch_x.pk].overdue == len([o for o in mine if o.organisation == party.branch_x])
