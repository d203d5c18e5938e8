"""Cases over /api/v1: reporting with photos and the whole loop of actions, with the pages' rules and errors."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

from config.api import api
from gongzhi.accounts.security import api_token_create
from gongzhi.cases.choices import Action, CaseStatus, Channel
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.tests.helpers import jpeg_with_gps, leak, report_leak, upload

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/cases"


def act(client, case, action, **fields):  # type: ignore[no-untyped-def]
    return client.post(f"{CASES}/{case.pk}/actions", {"action": action, **fields})


def names(body):  # type: ignore[no-untyped-def]
    return [a["name"] for a in body["allowed_actions"]]


def test_a_phone_reports_with_a_photo_and_the_photo_is_stored_without_exif(world):  # type: ignore[no-untyped-def]
    _token, raw = api_token_create(user=world.user("jumin"), name="phone")
    phone = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    places = phone.get("/api/v1/cases/places").json()
    home = f"d{world.dwellings['1-101'].pk}"
    assert {"where": home, "label": "我家（101）"} in places
    categories = phone.get("/api/v1/cases/categories").json()
    assert {"id": leak().pk, "code": "0101", "name": leak().name, "group": leak().parent.name} in categories
    assert all(c["code"] != leak().parent.code for c in categories)

    response = phone.post(
        CASES, {"category": leak().pk, "description": " 楼道水管漏水 ", "where": home, "photos": [upload()]}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get()
    assert body["id"] == case.pk and body["status"] == CaseStatus.REPORTED and body["description"] == "楼道水管漏水"
    assert [e["action"] for e in body["events"]] == ["report"] and body["allowed_actions"] == []
    assert case.channel == Channel.RESIDENT and case.grid_id == world.grid_a.pk
    assert case.dwelling_id == world.dwellings["1-101"].pk and case.is_private is False
    with case.photos.get().image.open("rb") as f:
        stored = f.read()
    assert b"PhoneMaker" in jpeg_with_gps() and b"PhoneMaker" not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and not image.getexif() and image.size == (64, 48)


def test_the_whole_loop_over_the_api(world, client_of):  # type: ignore[no-untyped-def]
    jumin, wangge, wuye = client_of("jumin"), client_of("wangge_a"), client_of("wuye")
    where = f"b{world.buildings['1'].pk}"
    reported = jumin.post(CASES, {"category": leak().pk, "description": "楼道水管漏水", "where": where})
    assert reported.status_code == 201
    case = Case.objects.get(pk=reported.json()["id"])

    seen = wangge.get(f"{CASES}/{case.pk}").json()
    assert Action.ACCEPT in names(seen)
    assert {"name": "reject", "label": "不予立案", "fields": ["note"]} in seen["allowed_actions"]
    assert act(wangge, case, Action.ACCEPT).json()["status"] == CaseStatus.ACCEPTED

    refused = act(jumin, case, Action.DISPATCH)
    assert refused.status_code == 403 and refused.json() == {"detail": "您不能对该事件执行“派遣”。", "field": None}

    dispatched = act(wangge, case, Action.DISPATCH)
    assert dispatched.status_code == 200
    assert dispatched.json()["status"] == CaseStatus.DISPATCHED and dispatched.json()["deadline_at"]
    assert names(wuye.get(f"{CASES}/{case.pk}").json())[:1] == [Action.HANDLE]

    no_photo = act(wuye, case, Action.HANDLE, note="已更换管件")
    assert no_photo.status_code == 400 and no_photo.json() == {"detail": "请上传处置后的照片。", "field": "photos"}
    handled = act(wuye, case, Action.HANDLE, note="已更换管件", photos=[upload("after.jpg")])
    assert handled.status_code == 200 and handled.json()["result"] == "已更换管件"
    assert act(wuye, case, Action.VERIFY_PASS).status_code == 403

    assert act(wangge, case, Action.VERIFY_PASS).json()["status"] == CaseStatus.VERIFIED
    closed = act(wangge, case, Action.CLOSE, note="已修复，感谢反映").json()
    assert closed["status"] == CaseStatus.CLOSED and closed["reply"] == "已修复，感谢反映"
    assert names(jumin.get(f"{CASES}/{case.pk}").json()) == [Action.RATE]

    bad_rating = act(jumin, case, Action.RATE, rating=9)
    assert bad_rating.status_code == 400 and bad_rating.json()["field"] == "rating"
    rated = act(jumin, case, Action.RATE, rating=5, note="很快")
    assert rated.status_code == 200 and rated.json()["status"] == CaseStatus.RATED and rated.json()["rating"] == 5
    assert list(CaseEvent.objects.filter(case=case).order_by("at", "id").values_list("action", flat=True)) == [
        "report",
        "accept",
        "dispatch",
        "handle",
        "verify_pass",
        "close",
        "rate",
    ]
    assert case.photos.filter(kind="result").count() == 1


def test_an_invalid_transition_answers_the_services_message_and_writes_nothing(world, actor_of, client_of):  # type: ignore[no-untyped-def]
    case = report_leak(world, actor_of("jumin"))
    wangge = client_of("wangge_a")
    response = act(wangge, case, Action.CLOSE, note="x")
    assert response.status_code == 400
    assert response.json() == {"detail": "事件当前为“已上报”，不能结案并答复。", "field": None}
    unknown = act(wangge, case, "teleport")
    assert unknown.status_code == 400 and unknown.json()["detail"] == "未知的操作。"
    missing = wangge.post(f"{CASES}/{case.pk}/actions", {})
    assert missing.status_code == 400 and missing.json()["field"] == "action"
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_a_case_outside_the_callers_scope_is_404_whatever_they_send(world, actor_of, client_of):  # type: ignore[no-untyped-def]
    case = report_leak(world, actor_of("jumin"))
    other_grid = client_of("wangge_b")
    assert other_grid.get(f"{CASES}/{case.pk}").status_code == 404
    assert act(other_grid, case, Action.ACCEPT).status_code == 404
    assert other_grid.post(f"{CASES}/{case.pk}/actions", {}).status_code == 404
    assert act(client_of("jumin"), Case(pk=case.pk + 1000), Action.RATE, rating=5).status_code == 404
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REPORTED


def test_a_bad_report_names_the_field_and_writes_nothing(world, client_of):  # type: ignore[no-untyped-def]
    jumin = client_of("jumin")
    good = {"category": leak().pk, "description": "漏水", "where": f"d{world.dwellings['1-101'].pk}"}
    cases = [
        ({"category": 999999}, "category"),
        ({"category": leak().parent.pk}, "category"),
        ({"description": "   "}, "description"),
        ({"description": "长" * 4001}, "description"),
        ({"where": f"b{world.buildings['9'].pk}"}, "where"),
        ({"where": ""}, "building"),
        ({"photos": [upload("a.jpg") for _i in range(7)]}, "photos"),
    ]
    for change, field in cases:
        response = jumin.post(CASES, {**good, **change})
        assert response.status_code == 400, change
        assert response.json()["field"] == field and response.json()["detail"], change
    empty = jumin.post(CASES, {**good, "description": ""})
    assert empty.json() == {"detail": "这个字段是必填项。", "field": "description"}
    nowhere = jumin.post(CASES, {**good, "where": ""})
    assert nowhere.json()["detail"] == "请选择楼栋或房屋，或在地图上选一个点。"
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_someone_who_may_not_report_is_refused_whatever_they_send(world, client_of):  # type: ignore[no-untyped-def]
    outsider = client_of("outsider")
    for body in ({}, {"category": leak().pk, "description": "漏水", "where": f"b{world.buildings['1'].pk}"}):
        response = outsider.post(CASES, body)
        assert response.status_code == 403 and response.json() == {"detail": "您没有上报事件的权限。", "field": None}
    assert outsider.get("/api/v1/cases/places").json() == []
    assert Case.objects.count() == 0


def test_the_writes_are_documented_as_multipart_with_their_errors():  # type: ignore[no-untyped-def]
    paths = api.get_openapi_schema()["paths"]
    report = paths[CASES]["post"]
    schema = report["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["photos"]["items"] == {"format": "binary", "type": "string"}
    assert {str(code) for code in report["responses"]} == {"201", "400", "401", "403", "404", "422", "429"}
    actions = paths[CASES + "/{case_id}/actions"]["post"]
    assert "action" in actions["requestBody"]["content"]["multipart/form-data"]["schema"]["required"]
    assert {str(code) for code in actions["responses"]} == {"200", "400", "401", "403", "404", "422", "429"}
