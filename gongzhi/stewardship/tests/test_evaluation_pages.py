"""The evaluation pages as each persona uses them: what an unpublished month shows to whom, the phone
rating form and its refusals, appeals and decisions through the pages, exports and the public lists."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.cases.tests.helpers import upload
from gongzhi.core.models import AccessLog
from gongzhi.stewardship import evaluation as ev
from gongzhi.stewardship import standings
from gongzhi.stewardship.choices import AppealStatus, MonthStatus, RaterKind, SubjectKind
from gongzhi.stewardship.models import Appeal, Deduction, Evaluation, EvaluationMonth, Rating, Rubric
from gongzhi.stewardship.tests.helpers import rows_for_routes

pytestmark = pytest.mark.django_db


def _label() -> str:
    return f"{timezone.localdate():%Y-%m}"


@pytest.fixture
def month(world, client_of):  # type: ignore[no-untyped-def]
    rows_for_routes(world)
    jiedao = client_of("jiedao")
    response = jiedao.post(reverse("stewardship:evaluation-home"), {"month": _label()})
    assert response.status_code == 302, response.content.decode()[:500]
    return EvaluationMonth.objects.get()


def _company(month: EvaluationMonth) -> Evaluation:
    return month.evaluations.get(subject_kind=SubjectKind.PROPERTY_COMPANY)


def test_an_open_month_shows_to_staff_and_to_no_subject(month, client_of):  # type: ignore[no-untyped-def]
    company = _company(month)
    shequ = client_of("shequ")
    page = shequ.get(reverse("stewardship:month", args=[_label()]))
    assert page.status_code == 200
    assert company.subject_name in page.content.decode()
    for who in ("wuye", "yeweihui", "jumin"):
        client = client_of(who)
        assert client.get(reverse("stewardship:month", args=[_label()])).status_code == 404, who
        assert client.get(reverse("stewardship:evaluation", args=[company.pk])).status_code == 404, who
        assert client.get(reverse("stewardship:month-export", args=[_label()])).status_code == 404, who
        home = client.get(reverse("stewardship:evaluation-home")).content.decode()
        assert reverse("stewardship:month", args=[_label()]) not in home, who
        # the committee is asked to rate the company, and is shown no score
        assert ("stewardship/evaluation/subjects" in home) == (who == "yeweihui"), who


def test_the_phone_form_refuses_bad_points_and_keeps_what_was_typed(month, client_of):  # type: ignore[no-untyped-def]
    company = _company(month)
    item = company.rubric.items.filter(indicator="").first()
    url = reverse("stewardship:rate", args=[company.pk, RaterKind.COMMUNITY])
    shequ = client_of("shequ")
    assert shequ.get(url).status_code == 200
    for bad, message in (("abc", "请填写数字"), ("1.25", "最多一位小数"), ("99", "不能超过")):
        response = shequ.post(url, {f"points-{item.pk}": bad, f"evidence-{item.pk}": "楼道堆物"})
        assert response.status_code == 422, bad
        body = response.content.decode()
        assert message in body and "楼道堆物" in body, bad
    response = shequ.post(url, {f"points-{item.pk}": "2", f"evidence-{item.pk}": ""})
    assert response.status_code == 422 and "依据" in response.content.decode()
    assert not Rating.objects.exists()

    response = shequ.post(url, {f"points-{item.pk}": "1.5", f"photo-{item.pk}": upload()})
    assert response.status_code == 302
    deduction = Deduction.objects.get()
    assert deduction.points == 15 and deduction.photo
    photo = shequ.get(reverse("stewardship:deduction-photo", args=[deduction.pk]))
    assert photo.status_code == 200 and b"GPS" not in b"".join(photo.streaming_content)
    # a committee member rates the company; wuye may not rate itself
    assert (
        client_of("yeweihui").get(reverse("stewardship:rate", args=[company.pk, RaterKind.COMMITTEE])).status_code
        == 200
    )
    assert client_of("wuye").get(reverse("stewardship:rate", args=[company.pk, RaterKind.COMMITTEE])).status_code == 404


def test_the_rating_links_and_fields_read_as_plain_chinese(month, client_of):  # type: ignore[no-untyped-def]
    company = _company(month)
    home = client_of("yeweihui").get(reverse("stewardship:evaluation-home")).content.decode()
    assert ">业委会评分</a>" in home and "评分·" not in home
    ranking = client_of("shequ").get(reverse("stewardship:month", args=[_label()])).content.decode()
    assert ">社区评分</a>" in ranking and "评分·" not in ranking
    item = company.rubric.items.filter(indicator="").first()
    form = client_of("shequ").get(reverse("stewardship:rate", args=[company.pk, RaterKind.COMMUNITY]))
    body = form.content.decode()
    most = standings.points_text(item.max_points)
    label = f'<label for="points-{item.pk}"><span class="sr-only">{item.text}：</span>扣分（本条最多{most}分）</label>'
    assert label in body


def test_publication_appeal_and_decision_through_the_pages(month, client_of, actor_of):  # type: ignore[no-untyped-def]
    company = _company(month)
    item = company.rubric.items.filter(indicator="").first()
    ev.rating_save(
        actor=actor_of("shequ"),
        evaluation=company,
        rater_kind=RaterKind.COMMUNITY,
        deductions=[ev.DeductionSpec(item.pk, 30, "消防通道停车")],
    )
    jiedao = client_of("jiedao")
    label = _label()
    # publishing straight from rating is refused with a message, nothing changes
    jiedao.post(reverse("stewardship:month-act", args=[label, "publish"]))
    month.refresh_from_db()
    assert month.status == MonthStatus.RATING
    assert client_of("shequ").post(reverse("stewardship:month-act", args=[label, "review"])).status_code == 404
    jiedao.post(reverse("stewardship:month-act", args=[label, "review"]))
    jiedao.post(reverse("stewardship:month-act", args=[label, "publish"]))
    month.refresh_from_db()
    assert month.status == MonthStatus.PUBLISHED

    wuye = client_of("wuye")
    page = wuye.get(reverse("stewardship:evaluation", args=[company.pk]))
    assert page.status_code == 200 and "消防通道停车" in page.content.decode() and "提出申诉" in page.content.decode()
    deduction = Deduction.objects.get()
    short = wuye.post(reverse("stewardship:appeal-file", args=[company.pk]), {"text": "不服"}, follow=True)
    assert "至少10个字" in short.content.decode() and not Appeal.objects.exists()
    wuye.post(
        reverse("stewardship:appeal-file", args=[company.pk]),
        {"text": "当日为消防检查车辆临时停放，已有记录。", "deductions": [str(deduction.pk)]},
    )
    appeal = Appeal.objects.get()
    assert list(appeal.deductions.all()) == [deduction]
    # the committee reads its compound's published results, and may not appeal for the company
    seen = client_of("yeweihui").get(reverse("stewardship:evaluation", args=[company.pk]))
    assert seen.status_code == 200 and "提出申诉" not in seen.content.decode()
    assert (
        client_of("yeweihui")
        .post(reverse("stewardship:appeal-file", args=[company.pk]), {"text": "x" * 20})
        .status_code
        == 403
    )
    before = company.scores.get(is_current=True).total
    decided = jiedao.post(
        reverse("stewardship:appeal-decide", args=[appeal.pk]),
        {"upheld": "1", "withdraw": [str(deduction.pk)], "reason": "核实为消防检查车辆"},
    )
    assert decided.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD
    assert company.scores.get(is_current=True).total > before
    assert "申诉成立" in wuye.get(reverse("stewardship:evaluation", args=[company.pk])).content.decode()


def test_export_and_lists(month, client_of, actor_of):  # type: ignore[no-untyped-def]
    jiedao = actor_of("jiedao")
    ev.month_review(actor=jiedao, month=month)
    ev.month_publish(actor=jiedao, month=month)
    response = client_of("shequ").get(reverse("stewardship:month-export", args=[_label()]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = [row[2] for row in sheet.iter_rows(values_only=True)]
    assert _company(month).subject_name in names
    assert AccessLog.objects.filter(subject_type="stewardship.ranking", row_count=2).exists()
    lists = client_of("jumin").get(reverse("stewardship:lists"))
    assert lists.status_code == 200 and "红黑榜" in lists.content.decode()
    # the resident sees the lists but no month's ranking
    assert client_of("jumin").get(reverse("stewardship:month", args=[_label()])).status_code == 404


def test_the_rubric_page_versions_a_used_rubric(month, client_of):  # type: ignore[no-untyped-def]
    rubric = _company(month).rubric
    shequ = client_of("shequ")
    assert shequ.get(reverse("stewardship:rubrics")).status_code == 200
    assert (
        shequ.post(reverse("stewardship:rubrics"), {"rubric": rubric.pk, "action": "remove", "position": 1}).status_code
        == 403
    )
    jiedao = client_of("jiedao")
    bad = jiedao.post(
        reverse("stewardship:rubrics"),
        {
            "rubric": rubric.pk,
            "action": "add",
            "section": "测试",
            "text": "测试条目",
            "max_points": "abc",
            "deduction_step": "1",
        },
        follow=True,
    )
    assert "分值请填写数字" in bad.content.decode()
    assert Rubric.objects.filter(subject_kind=rubric.subject_kind).count() == 1
    jiedao.post(
        reverse("stewardship:rubrics"),
        {
            "rubric": rubric.pk,
            "action": "add",
            "section": "测试",
            "text": "测试条目",
            "max_points": "5",
            "deduction_step": "1",
        },
    )
    new = Rubric.objects.get(subject_kind=rubric.subject_kind, is_active=True)
    assert new.version == 2 and new.items.filter(text="测试条目", max_points=50).exists()
    assert not rubric.items.filter(text="测试条目").exists()  # the month's rubric is untouched


def test_the_api_shows_an_unpublished_month_to_staff_only(month, client_of, actor_of):  # type: ignore[no-untyped-def]
    company = _company(month)
    label = _label()
    staff = client_of("shequ").get("/api/v1/stewardship/evaluations", {"month": label}).json()
    assert {row["id"] for row in staff["items"]} == set(month.evaluations.values_list("pk", flat=True))
    assert all(isinstance(row["total"], int) and row["month_status"] == "rating" for row in staff["items"])
    wuye = client_of("wuye")
    assert wuye.get("/api/v1/stewardship/evaluations", {"month": label}).json()["items"] == []
    assert wuye.get("/api/v1/stewardship/evaluations").json()["items"] == []
    assert wuye.get(f"/api/v1/stewardship/evaluations/{company.pk}").status_code == 404
    assert client_of("jumin").get("/api/v1/stewardship/lists", {"month": label}).status_code == 404
    jiedao = actor_of("jiedao")
    ev.month_review(actor=jiedao, month=month)
    assert wuye.get(f"/api/v1/stewardship/evaluations/{company.pk}").status_code == 404  # in review: still not
    ev.month_publish(actor=jiedao, month=month)
    mine = wuye.get("/api/v1/stewardship/evaluations").json()["items"]
    assert [row["id"] for row in mine] == [company.pk]
    detail = wuye.get(f"/api/v1/stewardship/evaluations/{company.pk}").json()
    assert detail["total"] == company.scores.get(is_current=True).total and detail["place"] == 1
    assert client_of("jumin").get("/api/v1/stewardship/lists").status_code == 200
    assert wuye.get("/api/v1/stewardship/evaluations", {"month": "2026-13"}).status_code == 404
