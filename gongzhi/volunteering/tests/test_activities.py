"""Activities, sign-ups with a waiting list, check-in codes, certified hours and corrections."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.models import Notification
from gongzhi.testing.world import SYSTEM
from gongzhi.volunteering import services
from gongzhi.volunteering.checkin import checkin_code, checkin_code_parse, checkin_code_valid
from gongzhi.volunteering.choices import ActivityStatus, EntryKind, RecordKind, SignUpStatus
from gongzhi.volunteering.hours import hours_text, star_level
from gongzhi.volunteering.models import PointsEntry, ServiceRecord
from gongzhi.volunteering.services import ActivityData
from gongzhi.volunteering.testing import attend, make_activity, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world, actor_of, rule):
    """Three volunteers of 第一社区: jumin, the neighbour and the grid-B household head."""
    return [register(world.people[key]) for key in ("jumin", "neighbour", "grid_b")]


def test_activity_needs_an_organiser_in_scope(world, actor_of):
    with pytest.raises(NotAllowed):
        make_activity(organiser=actor_of("wangge_a"), node=world.community)
    with pytest.raises(NotAllowed):  # a community worker organises in their own community only
        make_activity(organiser=actor_of("shequ"), node=world.other_community)
    assert make_activity(organiser=actor_of("shequ"), node=world.compound_x).organiser == world.user("shequ")


def test_activity_validation_names_the_field(world, actor_of):
    start = timezone.now()
    with pytest.raises(DomainError) as exc:
        services.activity_create(
            actor=actor_of("zhiyuan"),
            data=ActivityData(
                title="巡逻",
                service_content="治安巡逻",
                node=world.community,
                place="南门",
                starts_at=start,
                ends_at=start,
                slots=5,
            ),
        )
    assert exc.value.field == "ends_at"


def test_full_activity_puts_late_comers_on_the_waiting_list_and_promotes_them_in_order(world, actor_of, people):
    activity = make_activity(
        organiser=actor_of("zhiyuan"), node=world.community, slots=1, starts_at=timezone.now() + dt.timedelta(days=1)
    )
    first = services.signup_create(actor=SYSTEM, activity=activity, volunteer=people[0])
    second = services.signup_create(actor=SYSTEM, activity=activity, volunteer=people[1])
    third = services.signup_create(actor=SYSTEM, activity=activity, volunteer=people[2])
    assert [first.status, second.status, third.status] == ["confirmed", "waitlisted", "waitlisted"]
    services.signup_cancel(actor=actor_of("jumin"), signup=first)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == SignUpStatus.CONFIRMED
    assert third.status == SignUpStatus.WAITLISTED


def test_more_places_take_people_off_the_waiting_list(world, actor_of, people):
    manager = actor_of("zhiyuan")
    activity = make_activity(organiser=manager, node=world.community, slots=1)
    services.signup_create(actor=SYSTEM, activity=activity, volunteer=people[0])
    waiting = services.signup_create(actor=SYSTEM, activity=activity, volunteer=people[1])
    data = ActivityData(
        title=activity.title,
        service_content=activity.service_content,
        node=world.community,
        place=activity.place,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        slots=2,
    )
    services.activity_update(actor=manager, activity=activity, data=data)
    waiting.refresh_from_db()
    assert waiting.status == SignUpStatus.CONFIRMED


def test_promotion_notifies_the_volunteer(world, actor_of, people, django_capture_on_commit_callbacks):
    activity = make_activity(
        organiser=actor_of("zhiyuan"), node=world.community, slots=1, starts_at=timezone.now() + dt.timedelta(days=1)
    )
    first = services.signup_create(actor=SYSTEM, activity=activity, volunteer=people[1])
    services.signup_create(actor=SYSTEM, activity=activity, volunteer=people[0])  # jumin waits
    with django_capture_on_commit_callbacks(execute=True):
        services.signup_cancel(actor=SYSTEM, signup=first)
    assert Notification.objects.filter(recipient=world.user("jumin"), kind="volunteering.waitlist_promoted").exists()


def test_signup_is_limited_to_the_area_age_and_free_time(world, actor_of, people, child):
    manager = actor_of("zhiyuan")
    other = register(world.people["community2"])
    activity = make_activity(organiser=manager, node=world.community)
    with pytest.raises(DomainError, match="只面向第一社区"):
        services.signup_create(actor=SYSTEM, activity=activity, volunteer=other)
    services.signup_create(actor=SYSTEM, activity=activity, volunteer=people[0])
    clash = make_activity(organiser=manager, node=world.community, title="同时段活动")
    with pytest.raises(DomainError, match="时间冲突"):
        services.signup_create(actor=SYSTEM, activity=clash, volunteer=people[0])
    night = make_activity(organiser=manager, node=world.community, title="夜间巡逻")
    night.min_age = 18
    night.save()
    from gongzhi.volunteering.services import Consent

    kid = services.volunteer_register(
        actor=actor_of("jumin"), person=child, consent=Consent(True, guardian=True, child=True)
    )
    with pytest.raises(DomainError, match="年满18周岁"):
        services.signup_create(actor=actor_of("jumin"), activity=night, volunteer=kid)


def test_only_the_volunteer_or_guardian_signs_up(world, actor_of, people):
    activity = make_activity(organiser=actor_of("zhiyuan"), node=world.community)
    with pytest.raises(NotAllowed):
        services.signup_create(actor=actor_of("wangge_a"), activity=activity, volunteer=people[0])
    with pytest.raises(NotAllowed):
        services.signup_create(actor=actor_of("jumin"), activity=activity, volunteer=people[1])


def test_people_cannot_backdate_a_signup(world, actor_of, people):
    activity = make_activity(organiser=actor_of("zhiyuan"), node=world.community)
    with pytest.raises(NotAllowed):
        services.signup_create(actor=actor_of("jumin"), activity=activity, volunteer=people[0], at=timezone.now())


# --- check-in codes ------------------------------------------------------------------------------------


def test_checkin_code_lives_five_minutes_and_is_bound_to_the_volunteer(people):
    volunteer = people[0]
    now = timezone.now()
    code = checkin_code(volunteer_id=volunteer.pk, number=volunteer.number, at=now)
    assert len(code.code) == 6 and code.payload == f"GZV:{volunteer.number}:{code.code}"
    assert checkin_code_valid(volunteer_id=volunteer.pk, code=code.code, at=now + dt.timedelta(minutes=4))
    assert not checkin_code_valid(volunteer_id=volunteer.pk, code=code.code, at=now + dt.timedelta(minutes=6))
    assert not checkin_code_valid(volunteer_id=people[1].pk, code=code.code, at=now)


def test_checkin_code_parses_scanned_and_typed_forms():
    assert checkin_code_parse("GZV:ZY00000012:123456").number == "ZY00000012"
    assert checkin_code_parse("zy00000012 123 456") is None  # the digits must be together
    assert checkin_code_parse(" zy00000012  123456 ").code == "123456"
    assert checkin_code_parse("ZY00000012-123456").number == "ZY00000012"
    assert checkin_code_parse("hello") is None


def test_scan_checks_in_and_out_and_takes_walk_ins_while_places_remain(world, actor_of, people):
    organiser = actor_of("zhiyuan")
    activity = make_activity(organiser=organiser, node=world.community, slots=1)
    jumin = people[0]
    code = checkin_code(volunteer_id=jumin.pk, number=jumin.number).payload
    signup = services.attendance_scan(actor=organiser, activity=activity, text=code)
    assert signup.status == SignUpStatus.CONFIRMED and signup.checked_in_at is not None
    with pytest.raises(DomainError, match="已于"):
        services.attendance_scan(actor=organiser, activity=activity, text=code)
    signup = services.attendance_scan(actor=organiser, activity=activity, text=code, check_out=True)
    assert signup.checked_out_at is not None
    late = people[1]
    with pytest.raises(DomainError, match="名额已满"):
        services.attendance_scan(
            actor=organiser, activity=activity, text=checkin_code(volunteer_id=late.pk, number=late.number).payload
        )


def test_scan_refuses_a_wrong_or_stale_code_and_a_non_organiser(world, actor_of, people):
    activity = make_activity(organiser=actor_of("zhiyuan"), node=world.community)
    jumin = people[0]
    stale = checkin_code(volunteer_id=jumin.pk, number=jumin.number, at=timezone.now() - dt.timedelta(minutes=10))
    with pytest.raises(DomainError) as exc:
        services.attendance_scan(actor=actor_of("zhiyuan"), activity=activity, text=stale.payload)
    assert exc.value.field == "code"
    with pytest.raises(NotAllowed):
        services.attendance_scan(
            actor=actor_of("shequ"),
            activity=activity,
            text=checkin_code(volunteer_id=jumin.pk, number=jumin.number).payload,
        )


def test_checkin_opens_two_hours_before_the_start(world, actor_of, people):
    activity = make_activity(
        organiser=actor_of("zhiyuan"), node=world.community, starts_at=timezone.now() + dt.timedelta(hours=3)
    )
    signup = services.signup_create(actor=SYSTEM, activity=activity, volunteer=people[0])
    with pytest.raises(DomainError, match="两小时"):
        services.attendance_check_in(actor=actor_of("zhiyuan"), signup=signup)


# --- certified hours and points --------------------------------------------------------------------------


def test_certifying_three_hours_earns_thirty_points_and_notifies(
    world, actor_of, people, django_capture_on_commit_callbacks
):
    organiser = actor_of("zhiyuan")
    activity = make_activity(organiser=organiser, node=world.community)
    signup = attend(activity, people[0])
    with django_capture_on_commit_callbacks(execute=True):
        result = services.hours_certify(actor=organiser, signup=signup, minutes=180)
    volunteer = people[0]
    volunteer.refresh_from_db()
    assert result.award.points == 30
    assert volunteer.certified_minutes == 180 and volunteer.points_balance == 30
    entry = PointsEntry.objects.get(volunteer=volunteer)
    assert (entry.kind, entry.amount, entry.balance_after) == (EntryKind.EARNED, 30, 30)
    assert entry.key == f"record:{result.record.pk}"
    notice = Notification.objects.get(recipient=world.user("jumin"), kind="volunteering.hours_certified")
    assert "3小时" in notice.title and "30" in notice.title


def test_certification_needs_check_in_the_organiser_and_happens_once(world, actor_of, people):
    organiser = actor_of("zhiyuan")
    activity = make_activity(organiser=organiser, node=world.community)
    signup = services.signup_create(actor=SYSTEM, activity=activity, volunteer=people[0])
    with pytest.raises(DomainError, match="尚未签到"):
        services.hours_certify(actor=organiser, signup=signup, minutes=60)
    services.attendance_check_in(actor=organiser, signup=signup)
    with pytest.raises(NotAllowed):
        services.hours_certify(actor=actor_of("shequ"), signup=signup, minutes=60)
    with pytest.raises(DomainError) as exc:
        services.hours_certify(actor=organiser, signup=signup, minutes=4 * 60)
    assert exc.value.field == "hours" and "3小时" in exc.value.message
    services.hours_certify(actor=organiser, signup=signup, minutes=60)
    with pytest.raises(DomainError, match="已认定"):
        services.hours_certify(actor=organiser, signup=signup, minutes=60)


def test_daily_and_monthly_caps_cut_the_points_but_never_the_hours(world, actor_of, people):
    from gongzhi.volunteering.models import PointsRule

    PointsRule.objects.all().delete()
    PointsRule.objects.create(starts_on=dt.date(2000, 1, 1), points_per_hour=10, daily_cap=50, monthly_cap=70)
    organiser = actor_of("zhiyuan")
    day = timezone.localtime().replace(day=2, hour=8, minute=0, second=0, microsecond=0)
    morning = make_activity(organiser=organiser, node=world.community, starts_at=day, hours=4, title="上午")
    afternoon = make_activity(
        organiser=organiser, node=world.community, starts_at=day + dt.timedelta(hours=5), hours=3, title="下午"
    )
    next_day = make_activity(
        organiser=organiser, node=world.community, starts_at=day + dt.timedelta(days=1), hours=4, title="次日"
    )
    volunteer = people[0]
    results = [
        services.hours_certify(actor=organiser, signup=attend(a, volunteer), minutes=a.duration_minutes)
        for a in (morning, afternoon, next_day)
    ]
    assert [r.award.points for r in results] == [40, 10, 20]  # 50 a day, then 70 a month
    assert [r.award.capped for r in results] == [False, True, True]
    volunteer.refresh_from_db()
    assert volunteer.certified_minutes == 11 * 60
    assert volunteer.points_balance == 70


def test_a_correction_is_a_new_row_with_a_reason_and_moves_points_both_ways(world, actor_of, people):
    organiser = actor_of("zhiyuan")
    activity = make_activity(organiser=organiser, node=world.community, hours=4)
    volunteer = people[0]
    signup = attend(activity, volunteer)
    original = services.hours_certify(actor=organiser, signup=signup, minutes=180).record
    with pytest.raises(DomainError) as exc:
        services.hours_correct(actor=organiser, record=original, minutes=240, reason="")
    assert exc.value.field == "reason"
    up = services.hours_correct(actor=organiser, record=original, minutes=240, reason="漏记了最后一小时")
    assert (up.kind, up.minutes, up.corrects_id) == (RecordKind.CORRECTION, 60, original.pk)
    volunteer.refresh_from_db()
    assert (volunteer.certified_minutes, volunteer.points_balance) == (240, 40)
    down = services.hours_correct(actor=organiser, record=up, minutes=60, reason="实际只服务了一小时")
    assert down.minutes == -180 and down.corrects_id == original.pk
    volunteer.refresh_from_db()
    assert (volunteer.certified_minutes, volunteer.points_balance) == (60, 10)
    assert ServiceRecord.objects.filter(signup=signup).count() == 3
    assert sorted(PointsEntry.objects.filter(volunteer=volunteer).values_list("amount", flat=True)) == [-30, 10, 30]


def test_points_already_spent_are_not_taken_below_zero(world, actor_of, people):
    from gongzhi.volunteering import ledger

    organiser = actor_of("zhiyuan")
    activity = make_activity(organiser=organiser, node=world.community)
    volunteer = people[0]
    record = services.hours_certify(actor=organiser, signup=attend(activity, volunteer), minutes=180).record
    item = ledger.shop_item_create(
        actor=organiser, node=world.subdistrict, data=ledger.ItemData(name="毛巾", points_price=25), stock=3
    )
    ledger.points_redeem(actor=actor_of("jumin"), volunteer=volunteer, item=item, client_key="spend-0001")
    services.hours_correct(actor=organiser, record=record, minutes=0, reason="误记，并未参加")
    volunteer.refresh_from_db()
    assert volunteer.certified_minutes == 0
    assert volunteer.points_balance == 0
    taken = PointsEntry.objects.filter(volunteer=volunteer, amount__lt=0, kind=EntryKind.EARNED).get()
    assert taken.amount == -5 and "应扣 30" in taken.reason


def test_cancelling_an_activity_tells_everyone_and_is_refused_after_certification(
    world, actor_of, people, django_capture_on_commit_callbacks
):
    organiser = actor_of("zhiyuan")
    activity = make_activity(organiser=organiser, node=world.community)
    signup = services.signup_create(actor=SYSTEM, activity=activity, volunteer=people[0])
    with pytest.raises(DomainError) as exc:
        services.activity_cancel(actor=organiser, activity=activity, reason="")
    assert exc.value.field == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_cancel(actor=organiser, activity=activity, reason="暴雨预警，改期")
    signup.refresh_from_db()
    assert signup.status == SignUpStatus.CANCELLED
    assert Notification.objects.filter(recipient=world.user("jumin"), kind="volunteering.activity_cancelled").exists()
    served = make_activity(organiser=organiser, node=world.community, title="已服务")
    attend(served, people[0], minutes=60)
    with pytest.raises(DomainError, match="已有认定"):
        services.activity_cancel(actor=organiser, activity=served, reason="误建的活动")
    services.activity_close(actor=organiser, activity=served)
    served.refresh_from_db()
    assert served.status == ActivityStatus.CLOSED


def test_a_team_leader_organises_their_teams_activities(world, actor_of, people):
    from gongzhi.volunteering.choices import TeamKind

    manager = actor_of("zhiyuan")
    team = services.team_create(actor=manager, node=world.compound_x, name="X小区助老队", kind=TeamKind.CARE)
    services.team_member_add(actor=manager, team=team, volunteer=people[0], as_leader=True)
    leader = actor_of("jumin")
    activity = make_activity(organiser=leader, node=world.compound_x, team=team)
    assert activity.organiser == world.user("jumin")
    with pytest.raises(NotAllowed):
        make_activity(organiser=leader, node=world.community, team=team)


def test_hours_are_shown_without_floats_and_stars_follow_the_thresholds(settings):
    assert [hours_text(m) for m in (180, 90, 20, 1, 59, -30)] == ["3", "1.5", "0.33", "0.02", "0.98", "-0.5"]
    assert [star_level(h * 60) for h in (0, 99, 100, 300, 1499, 1500)] == [0, 0, 1, 2, 4, 5]
    settings.GONGZHI_VOLUNTEER_STAR_HOURS = [10, 20]
    assert star_level(15 * 60) == 1
