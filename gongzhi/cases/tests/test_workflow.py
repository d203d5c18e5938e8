import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from gongzhi.cases.choices import Action, CaseStatus, HandlerKind
from gongzhi.cases.escalation import cases_escalate
from gongzhi.cases.models import Case, CaseCategory, CaseEscalation, CaseEvent, RoutingRule
from gongzhi.cases.permissions import visible_cases
from gongzhi.cases.services import allowed_actions, case_transition, place_locate
from gongzhi.cases.tests.helpers import clean_photo, jpeg_with_gps, report_leak
from gongzhi.core.exceptions import DomainError, InvalidTransition, NotAllowed
from gongzhi.core.models import Notification

pytestmark = pytest.mark.django_db


def dispatched(world, actor_of):
    case = report_leak(world, actor_of("jumin"))
    case = case_transition(actor=actor_of("wangge_a"), case=case, action=Action.ACCEPT)
    return case_transition(actor=actor_of("wangge_a"), case=case, action=Action.DISPATCH)


def test_the_whole_loop_with_one_rework(world, actor_of, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = report_leak(world, actor_of("jumin"))
    assert Notification.objects.filter(recipient=world.user("wangge_a"), title__contains="待受理").exists()
    assert case.status == CaseStatus.REPORTED and case.grid_id == world.grid_a.pk
    assert case.compound_id == world.compound_x.pk
    wangge, wuye = actor_of("wangge_a"), actor_of("wuye")
    case = case_transition(actor=wangge, case=case, action=Action.ACCEPT)
    case = case_transition(actor=wangge, case=case, action=Action.DISPATCH)
    assert case.handler_kind == HandlerKind.PROPERTY and case.handler_node_id == world.compound_x.pk
    assert case.deadline_at is not None and case.deadline_at > case.dispatched_at
    case = case_transition(actor=wuye, case=case, action=Action.HANDLE, note="已更换管件", photos=[clean_photo()])
    case = case_transition(actor=wangge, case=case, action=Action.VERIFY_FAIL, note="仍在滴水")
    assert case.status == CaseStatus.DISPATCHED and case.rework_count == 1
    case = case_transition(actor=wuye, case=case, action=Action.HANDLE, note="重新密封", photos=[clean_photo()])
    case = case_transition(actor=wangge, case=case, action=Action.VERIFY_PASS)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_transition(actor=wangge, case=case, action=Action.CLOSE, note="已修复，感谢反映")
    case = case_transition(actor=actor_of("jumin"), case=case, action=Action.RATE, rating=5)
    assert case.status == CaseStatus.RATED and case.rating == 5 and case.reply == "已修复，感谢反映"
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == [
        "report",
        "accept",
        "dispatch",
        "handle",
        "verify_fail",
        "handle",
        "verify_pass",
        "close",
        "rate",
    ]
    assert Notification.objects.filter(recipient=world.user("jumin"), title__contains="已办结").exists()


def test_transitions_outside_the_table_are_refused(world, actor_of):
    case = report_leak(world, actor_of("jumin"))
    with pytest.raises(InvalidTransition):
        case_transition(actor=actor_of("wangge_a"), case=case, action=Action.CLOSE, note="x")
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_the_handler_never_verifies_its_own_work(world, actor_of):
    case = dispatched(world, actor_of)
    case = case_transition(actor=actor_of("wuye"), case=case, action=Action.HANDLE, note="ok", photos=[clean_photo()])
    with pytest.raises(NotAllowed):
        case_transition(actor=actor_of("wuye"), case=case, action=Action.VERIFY_PASS)
    assert Action.VERIFY_PASS not in allowed_actions(actor_of("wuye"), case)
    assert Action.VERIFY_PASS in allowed_actions(actor_of("wangge_a"), case)


def test_handling_needs_a_result_and_a_photo(world, actor_of):
    case = dispatched(world, actor_of)
    with pytest.raises(DomainError) as error:
        case_transition(actor=actor_of("wuye"), case=case, action=Action.HANDLE, note="ok")
    assert error.value.field == "photos"


def test_reject_needs_a_reason_and_only_the_reporter_rates(world, actor_of):
    case = report_leak(world, actor_of("jumin"))
    with pytest.raises(DomainError):
        case_transition(actor=actor_of("wangge_a"), case=case, action=Action.REJECT)
    with pytest.raises(NotAllowed):
        case_transition(actor=actor_of("wangge_b"), case=case, action=Action.ACCEPT)
    case = case_transition(actor=actor_of("wangge_a"), case=case, action=Action.REJECT, note="重复上报")
    assert case.status == CaseStatus.REJECTED


def test_property_staff_see_only_cases_dispatched_to_their_company(world, actor_of):
    case = report_leak(world, actor_of("jumin"))
    assert not visible_cases(actor_of("wuye")).filter(pk=case.pk).exists()
    case = case_transition(actor=actor_of("wangge_a"), case=case, action=Action.ACCEPT)
    case = case_transition(actor=actor_of("wangge_a"), case=case, action=Action.DISPATCH)
    assert visible_cases(actor_of("wuye")).filter(pk=case.pk).exists()


def test_scope_by_persona(world, actor_of):
    case = report_leak(world, actor_of("jumin"), private=True)
    seen = ("jiedao", "shequ", "baobao", "lingdao", "wangge_a", "louzhang", "jumin")
    for name in seen:
        assert visible_cases(actor_of(name)).filter(pk=case.pk).exists(), name
    for name in ("wangge_b", "wuye", "yeweihui", "zhiyuan", "outsider", "shenji"):
        assert not visible_cases(actor_of(name)).filter(pk=case.pk).exists(), name


def test_a_resident_sees_public_cases_of_the_compound_but_not_private_ones(world, actor_of):
    from gongzhi.accounts.actors import actor_for_user
    from gongzhi.testing.world import add_user

    public = report_leak(world, actor_of("wangge_a"))
    private = report_leak(world, actor_of("wangge_a"), private=True)
    jumin = actor_of("jumin")
    assert visible_cases(jumin).filter(pk=public.pk).exists()
    assert not visible_cases(jumin).filter(pk=private.pk).exists()
    case_transition(actor=jumin, case=public, action=Action.ME_TOO)
    with pytest.raises(DomainError):
        case_transition(actor=jumin, case=public, action=Action.ME_TOO)
    assert Case.objects.get(pk=public.pk).me_too_count == 1
    with pytest.raises(NotAllowed):
        case_transition(actor=actor_of("baobao"), case=public, action=Action.ME_TOO)
    assert add_user("x", "x") and not visible_cases(actor_for_user(world.user("outsider"))).exists()


def test_routing_uses_rules_then_default_kind_then_community(world, actor_of):
    rubbish = CaseCategory.objects.get(code="0201")  # property by default
    place_y = place_locate(building=world.buildings["3"])  # compound Y has no property company
    from gongzhi.cases.services import route_for

    route = route_for(org_path=place_y.org_path, compound=place_y.compound, category=rubbish)
    assert route.kind == HandlerKind.COMMUNITY and route.node.pk == world.community.pk
    place_z = place_locate(building=world.buildings["9"])
    assert route_for(org_path=place_z.org_path, compound=place_z.compound, category=rubbish).kind == "third_party"
    RoutingRule.objects.create(
        category=rubbish,
        place=world.compound_y,
        handler_kind=HandlerKind.DEPARTMENT,
        handler_node=world.subdistrict,
        handler_label="环卫所",
    )
    assert route_for(org_path=place_y.org_path, compound=place_y.compound, category=rubbish).label == "环卫所"


def test_recategorising_a_dispatched_case_reroutes_it(world, actor_of):
    case = dispatched(world, actor_of)
    noise = CaseCategory.objects.get(code="0302")  # community handles noise
    case = case_transition(actor=actor_of("wangge_a"), case=case, action=Action.RECATEGORISE, category=noise)
    assert case.handler_kind == HandlerKind.COMMUNITY and case.handler_node_id == world.community.pk
    assert not visible_cases(actor_of("wuye")).filter(pk=case.pk).exists()


def test_extension_and_return_need_approval(world, actor_of):
    case = dispatched(world, actor_of)
    before = case.deadline_at
    case = case_transition(actor=actor_of("wuye"), case=case, action=Action.REQUEST_EXTENSION, hours=7, note="等配件")
    assert case.deadline_at == before
    with pytest.raises(NotAllowed):
        case_transition(actor=actor_of("wuye"), case=case, action=Action.APPROVE_EXTENSION)
    case = case_transition(actor=actor_of("shequ"), case=case, action=Action.APPROVE_EXTENSION)
    assert case.deadline_at > before and case.extension_count == 1 and case.pending == ""
    case = case_transition(actor=actor_of("wuye"), case=case, action=Action.REQUEST_RETURN, note="不属物业")
    case = case_transition(actor=actor_of("jiedao"), case=case, action=Action.APPROVE_RETURN)
    assert case.status == CaseStatus.ACCEPTED and case.handler_node_id is None


def test_parking_stops_the_clock_and_merging_counts_the_duplicate(world, actor_of):
    case = dispatched(world, actor_of)
    case = case_transition(actor=actor_of("shequ"), case=case, action=Action.PARK, note="需列入维修项目")
    assert case.status == CaseStatus.PARKED
    duplicate = report_leak(world, actor_of("jumin"))
    duplicate = case_transition(actor=actor_of("wangge_a"), case=duplicate, action=Action.MERGE, target=case)
    assert duplicate.status == CaseStatus.MERGED and Case.objects.get(pk=case.pk).me_too_count == 1


def test_photos_are_stored_without_exif(world, actor_of):
    case = report_leak(world, actor_of("jumin"))
    photo = case.photos.get()
    assert b"PhoneMaker" in jpeg_with_gps()
    with photo.image.open("rb") as f:
        stored = f.read()
    assert b"PhoneMaker" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()


def test_a_non_image_is_refused_naming_the_field():
    from gongzhi.core.photos import photo_clean

    with pytest.raises(DomainError) as error:
        photo_clean(io.BytesIO(b"%PDF-1.4 not an image"), size=20)
    assert error.value.field == "photos"
    with pytest.raises(DomainError):
        photo_clean(io.BytesIO(b""), size=9 * 1024 * 1024)


def test_overdue_case_escalates_up_the_chain_once_per_level(world, actor_of):
    case = dispatched(world, actor_of)
    now = case.deadline_at + dt.timedelta(minutes=1)
    assert cases_escalate(now=now) == 1
    assert Notification.objects.filter(recipient=world.user("wangge_a"), kind="case-escalation").count() == 1
    assert not Notification.objects.filter(recipient=world.user("baobao"), kind="case-escalation").exists()
    assert cases_escalate(now=now) == 0
    later = case.deadline_at + dt.timedelta(hours=25)
    assert cases_escalate(now=later) == 1
    assert Notification.objects.filter(recipient=world.user("baobao"), kind="case-escalation").count() == 1
    assert cases_escalate(now=later) == 0
    assert cases_escalate(now=case.deadline_at + dt.timedelta(days=4)) == 1
    assert Notification.objects.filter(recipient=world.user("lingdao"), kind="case-escalation").count() == 1
    assert list(CaseEscalation.objects.filter(case=case).values_list("level", "notified")) == [(1, 1), (2, 1), (3, 1)]
    assert CaseEvent.objects.filter(case=case, action=Action.ESCALATE).count() == 3


def test_a_case_left_days_past_its_deadline_reaches_the_responsible_cadre(world, actor_of):
    case = dispatched(world, actor_of)
    cases_escalate(now=case.deadline_at + dt.timedelta(days=2))
    assert Notification.objects.filter(recipient=world.user("baobao"), kind="case-escalation").exists()
    assert Case.objects.get(pk=case.pk).escalation_level == 2


def test_a_new_deadline_is_a_new_breach_and_handled_cases_do_not_escalate(world, actor_of):
    case = dispatched(world, actor_of)
    cases_escalate(now=case.deadline_at + dt.timedelta(minutes=1))
    case = case_transition(actor=actor_of("wuye"), case=case, action=Action.REQUEST_EXTENSION, hours=7, note="x")
    case = case_transition(actor=actor_of("shequ"), case=case, action=Action.APPROVE_EXTENSION)
    assert cases_escalate(now=case.deadline_at + dt.timedelta(minutes=1)) == 1
    assert Notification.objects.filter(recipient=world.user("wangge_a"), kind="case-escalation").count() == 2
    case = case_transition(actor=actor_of("wuye"), case=case, action=Action.HANDLE, note="ok", photos=[clean_photo()])
    assert case.status == CaseStatus.HANDLED and case.is_on_time is True
    assert cases_escalate(now=timezone.now() + dt.timedelta(days=30)) == 0


def test_the_scheduled_job_escalates_overdue_cases(world, actor_of, settings):
    from gongzhi.cases.tasks import escalate_overdue

    assert ("cases-escalate", "*/10 * * * *", "gongzhi.cases.tasks.escalate_overdue") in settings.GONGZHI_SCHEDULE
    case = dispatched(world, actor_of)
    Case.objects.filter(pk=case.pk).update(deadline_at=timezone.now() - dt.timedelta(minutes=5))
    assert escalate_overdue.call() == 1
    assert escalate_overdue.call() == 0


def test_a_report_points_only_at_the_places_offered_to_the_reporter(world, actor_of):
    from gongzhi.cases.services import place_from

    jumin = actor_of("jumin")
    home = place_from(actor=jumin, where=f"d{world.dwellings['1-101'].pk}")
    assert home.dwelling == world.dwellings["1-101"] and home.grid == world.grid_a
    assert place_from(actor=jumin, where=f"b{world.buildings['2'].pk}").building == world.buildings["2"]
    for where in (f"d{world.dwellings['1-102'].pk}", f"b{world.buildings['9'].pk}", "b0", "x1"):
        with pytest.raises(DomainError) as error:
            place_from(actor=jumin, where=where)
        assert error.value.field == "where" and error.value.message == "请选择列表中的位置。", where
    with pytest.raises(DomainError) as error:
        place_from(actor=jumin)
    assert error.value.field == "building"
    with pytest.raises(NotAllowed):
        place_from(actor=actor_of("outsider"), where=f"b{world.buildings['2'].pk}")
