import pytest
from django.urls import reverse

from gongzhi.cases.choices import Action, CaseStatus
from gongzhi.cases.models import Case, CaseCategory, WorkCalendarDay
from gongzhi.cases.services import case_transition
from gongzhi.cases.tests.helpers import clean_photo, report_leak, upload

pytestmark = pytest.mark.django_db

# persona → (sees the case detail, may open the desk, may open the queue, may open the measures)
MATRIX = {
    "jiedao": (True, True, True, True),
    "shequ": (True, True, True, True),
    "baobao": (True, False, False, True),
    "lingdao": (True, False, False, True),
    "wangge_a": (True, True, False, True),
    "wangge_b": (False, True, False, True),
    "louzhang": (True, False, False, False),
    "wuye": (True, False, True, False),
    "yeweihui": (False, False, False, False),
    "jumin": (True, False, False, False),
    "outsider": (False, False, False, False),
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_persona_matrix(world, actor_of, client_of, persona):
    case = report_leak(world, actor_of("jumin"))
    case = case_transition(actor=actor_of("wangge_a"), case=case, action=Action.ACCEPT)
    case_transition(actor=actor_of("wangge_a"), case=case, action=Action.DISPATCH)
    client = client_of(persona)
    expected = [200 if allowed else 404 for allowed in MATRIX[persona]]
    got = [
        client.get(reverse("cases:case-detail", args=[case.pk])).status_code,
        client.get(reverse("cases:desk")).status_code,
        client.get(reverse("cases:queue")).status_code,
        client.get(reverse("cases:measures")).status_code,
    ]
    assert got == expected


def test_jumin_reports_from_the_form_and_wangge_dispatches_and_wuye_sees_it(world, client_of):
    leak = CaseCategory.objects.get(code="0101")
    response = client_of("jumin").post(
        reverse("cases:case-report"),
        {
            "category": leak.pk,
            "description": "楼道水管漏水",
            "where": f"d{world.dwellings['1-101'].pk}",
            "photos": [upload()],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:case-detail", args=[case.pk])
    assert case.photos.count() == 1 and case.grid_id == world.grid_a.pk
    wangge = client_of("wangge_a")
    assert "立案" in wangge.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    for action in (Action.ACCEPT, Action.DISPATCH):
        wangge.post(reverse("cases:case-act", args=[case.pk]), {"action": action})
    assert Case.objects.get().status == CaseStatus.DISPATCHED
    queue = client_of("wuye").get(reverse("cases:queue")).content.decode()
    assert f"#{case.pk}" in queue
    response = client_of("wuye").post(
        reverse("cases:case-act", args=[case.pk]), {"action": Action.HANDLE, "note": "已修", "photos": [upload()]}
    )
    assert response.status_code == 302 and Case.objects.get().status == CaseStatus.HANDLED
    assert (
        client_of("wuye").post(reverse("cases:case-act", args=[case.pk]), {"action": Action.VERIFY_PASS}).status_code
        == 403
    )


def test_report_form_names_the_missing_field(world, client_of):
    response = client_of("jumin").post(reverse("cases:case-report"), {"category": "", "description": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert "errorlist" in body and Case.objects.count() == 0


def test_report_without_a_place_names_the_location(world, client_of):
    leak = CaseCategory.objects.get(code="0101")
    response = client_of("jumin").post(reverse("cases:case-report"), {"category": leak.pk, "description": "漏水"})
    assert "请选择楼栋或房屋" in response.content.decode()


def test_officer_edits_the_calendar(world, client_of):
    response = client_of("jiedao").post(
        reverse("cases:calendar"), {"day": "2026-12-31", "kind": "holiday", "note": "测试"}
    )
    assert response.status_code == 302
    assert WorkCalendarDay.objects.get(day="2026-12-31").is_working is False
    assert client_of("shequ").get(reverse("cases:calendar")).status_code == 404
    assert reverse("cases:calendar") in client_of("jiedao").get(reverse("cases:desk")).content.decode()
    assert reverse("cases:calendar") not in client_of("shequ").get(reverse("cases:desk")).content.decode()


def test_photo_is_served_only_in_scope(world, actor_of, client_of):
    case = report_leak(world, actor_of("jumin"), private=True)
    photo = case.photos.get()
    assert client_of("wangge_a").get(reverse("cases:case-photo", args=[photo.pk])).status_code == 200
    assert client_of("wangge_b").get(reverse("cases:case-photo", args=[photo.pk])).status_code == 404


def test_handler_queue_query_count_does_not_grow(world, actor_of, client_of, django_assert_max_num_queries):
    for _i in range(5):
        case = report_leak(world, actor_of("jumin"))
        case = case_transition(actor=actor_of("wangge_a"), case=case, action=Action.ACCEPT)
        case_transition(actor=actor_of("wangge_a"), case=case, action=Action.DISPATCH)
    client = client_of("wuye")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("cases:queue")).status_code == 200


def test_measures_page_and_export(world, actor_of, client_of):
    case = report_leak(world, actor_of("jumin"))
    case = case_transition(actor=actor_of("wangge_a"), case=case, action=Action.ACCEPT)
    case = case_transition(actor=actor_of("wangge_a"), case=case, action=Action.DISPATCH)
    case = case_transition(actor=actor_of("wuye"), case=case, action=Action.HANDLE, note="ok", photos=[clean_photo()])
    month = case.deadline_at.astimezone().strftime("%Y-%m")
    body = client_of("jiedao").get(reverse("cases:measures") + f"?month={month}&by=grid").content.decode()
    assert "A网格" in body and "case-chart-data" in body
    export = client_of("jiedao").get(reverse("cases:measures-export") + f"?month={month}&by=category")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_point_on_the_grid_map_finds_its_grid(world, client_of):
    from gongzhi.territory.services import grid_set_boundary
    from gongzhi.testing.world import SYSTEM

    square = {
        "type": "Polygon",
        "coordinates": [[[117.0, 31.0], [117.1, 31.0], [117.1, 31.1], [117.0, 31.1], [117.0, 31.0]]],
    }
    grid_set_boundary(actor=SYSTEM, grid=world.grid_b, boundary=square)
    client = client_of("wangge_b")
    assert 'id="case-grids"' in client.get(reverse("cases:case-report")).content.decode()
    leak = CaseCategory.objects.get(code="0101")
    data = {"category": leak.pk, "description": "路面积水", "where": "", "longitude": "117.02", "latitude": "31.03"}
    assert client.post(reverse("cases:case-report"), data).status_code == 302
    case = Case.objects.get()
    assert case.grid_id == world.grid_b.pk and case.compound_id == world.compound_x.pk and case.building_id is None
    outside = client.post(reverse("cases:case-report"), {**data, "longitude": "118.5"})
    assert "不在任何网格内" in outside.content.decode()


def test_residents_see_public_cases_of_their_compound_and_say_me_too(world, actor_of, client_of):
    public = report_leak(world, actor_of("wangge_a"))
    private = report_leak(world, actor_of("wangge_a"), private=True)
    client = client_of("jumin")
    body = client.get(reverse("cases:case-nearby")).content.decode()
    assert f"#{public.pk} " in body and f"#{private.pk} " not in body
    client.post(reverse("cases:case-act", args=[public.pk]), {"action": Action.ME_TOO})
    assert Case.objects.get(pk=public.pk).me_too_count == 1
    assert f"#{public.pk} " not in client_of("outsider").get(reverse("cases:case-nearby")).content.decode()
