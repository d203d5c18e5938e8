import datetime as dt
from fractions import Fraction

import pytest

from gongzhi.cases.choices import Action, CaseStatus
from gongzhi.cases.measures import case_measures, percent, total
from gongzhi.cases.models import Case
from gongzhi.cases.services import case_transition
from gongzhi.cases.tests.helpers import report_leak
from gongzhi.cases.worktime import TZ

pytestmark = pytest.mark.django_db
DUE = dt.datetime(2026, 11, 10, 10, tzinfo=TZ)


def _case(world, actor_of, **fields):  # type: ignore[no-untyped-def]
    case = report_leak(world, actor_of("jumin"))
    case = case_transition(actor=actor_of("wangge_a"), case=case, action=Action.ACCEPT)
    case = case_transition(actor=actor_of("wangge_a"), case=case, action=Action.DISPATCH)
    Case.objects.filter(pk=case.pk).update(deadline_at=DUE, **fields)
    return case


def test_rates_have_exact_denominators(world, actor_of):
    _case(world, actor_of, status=CaseStatus.RATED, is_on_time=True, handling_minutes=120, rating=5)
    _case(world, actor_of, status=CaseStatus.CLOSED, is_on_time=False, handling_minutes=300, rework_count=1)
    _case(world, actor_of, status=CaseStatus.DISPATCHED)
    _case(world, actor_of, status=CaseStatus.REJECTED)  # never counts
    other_month = _case(world, actor_of, status=CaseStatus.CLOSED, is_on_time=True)
    Case.objects.filter(pk=other_month.pk).update(deadline_at=DUE + dt.timedelta(days=30))

    [row] = case_measures(actor=actor_of("jiedao"), month=dt.date(2026, 11, 1), by="grid")
    assert row.label == "A网格" and row.due == 3
    assert row.on_time_rate == Fraction(1, 3) and row.closure_rate == Fraction(2, 3)
    assert row.rework_rate == Fraction(1, 3)
    assert row.mean_handling_hours == Fraction(420, 120) and row.mean_rating == 5
    assert percent(row.on_time_rate) == "33.3%" and total([row]).due == 3


def test_measures_follow_the_scope(world, actor_of):
    _case(world, actor_of, status=CaseStatus.CLOSED, is_on_time=True)
    assert case_measures(actor=actor_of("wangge_b"), month=dt.date(2026, 11, 1), by="category") == []
    [row] = case_measures(actor=actor_of("baobao"), month=dt.date(2026, 11, 1), by="handler")
    assert row.label == "X小区物业" and row.on_time_rate == 1


def test_api_lists_only_visible_cases(world, actor_of, client_of):
    mine = report_leak(world, actor_of("jumin"))
    body = client_of("jumin").get("/api/v1/cases/cases").json()
    assert [c["id"] for c in body["items"]] == [mine.pk] and body["count"] == 1
    second = report_leak(world, actor_of("jumin"))
    page = client_of("jumin").get("/api/v1/cases/cases?page=1").json()
    assert [c["id"] for c in page["items"]] == [second.pk, mine.pk] and page["count"] == 2
    detail = client_of("wangge_a").get(f"/api/v1/cases/cases/{mine.pk}").json()
    assert detail["events"][0]["action"] == "report"
    assert client_of("wangge_b").get(f"/api/v1/cases/cases/{mine.pk}").status_code == 404


def test_ratios_are_rounded_half_up_exactly():
    from gongzhi.cases.measures import ratio_text

    assert ratio_text(1, 3, suffix="%") == "33.3%"
    assert ratio_text(2, 3, suffix="%") == "66.7%"
    assert ratio_text(1, 8, suffix="%") == "12.5%"
    assert ratio_text(1, 16, suffix="%") == "6.3%"  # 6.25 rounds up
    assert ratio_text(737, 972, suffix="%") == "75.8%"  # 天门 Dec-2016: 按期结案率 75.82 %
    assert ratio_text(9, 2, scale=1, places=2) == "4.50" and ratio_text(0, 0) == "—"
