"""The monthly evaluation over the API, read-only: the same scope as the pages (visible_evaluations), so a
month that is not published reaches staff only; the public red and black lists for everyone signed in."""

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from gongzhi.core.api import Id, Pages, QueryText
from gongzhi.core.http import ApiRequest
from gongzhi.stewardship import standings
from gongzhi.stewardship.choices import MonthStatus
from gongzhi.stewardship.models import EvaluationMonth
from gongzhi.stewardship.permissions import visible_evaluations

router = Router(tags=["stewardship"])


class ResultOut(Schema):
    id: int
    month: str
    month_status: str
    subject_kind: str
    subject_name: str
    compound_id: int
    community_id: int
    total: int  # tenths of a point: 853 is 85.3
    grade: str
    place: int
    community_place: int
    red: bool
    black: bool
    black_reason: str
    parts: dict[str, int]  # rater kind → score in tenths


class DeductionOut(Schema):
    id: int
    rater_kind: str
    item: str
    points: int  # tenths
    evidence: str
    has_photo: bool
    withdrawn: bool


class ResultDetailOut(ResultOut):
    indicators: dict[str, Any]
    deductions: list[DeductionOut]


def _month(text: str) -> EvaluationMonth:
    year, _sep, month = text.partition("-")
    if not (len(year) == 4 and year.isdigit() and len(month) == 2 and month.isdigit() and 1 <= int(month) <= 12):
        raise Http404
    return get_object_or_404(EvaluationMonth, month=f"{year}-{month}-01")


def _out(r: standings.Result) -> dict[str, Any]:
    e = r.evaluation
    return {
        "id": e.pk,
        "month": f"{e.month.month:%Y-%m}",
        "month_status": e.month.status,
        "subject_kind": e.subject_kind,
        "subject_name": e.subject_name,
        "compound_id": e.compound_id,
        "community_id": e.community_id,
        "total": r.total,
        "grade": r.grade,
        "place": r.place,
        "community_place": r.community_place,
        "red": r.red,
        "black": r.black,
        "black_reason": r.black_reason,
        "parts": dict(r.parts),
    }


@router.get(
    "/evaluations",
    response=list[ResultOut],
    summary="A month's scores and places the caller may see (month=YYYY-MM; default the latest they see)",
)
@paginate(Pages, page_size=50)
def evaluation_list(request: ApiRequest, month: QueryText = "") -> object:
    visible = visible_evaluations(request.auth)
    if month:
        evaluation_month: EvaluationMonth | None = _month(month)
    else:
        evaluation_month = EvaluationMonth.objects.filter(pk__in=visible.values("month_id")).first()
    if evaluation_month is None:
        return []
    return [_out(r) for r in standings.month_results(evaluation_month, visible.filter(month=evaluation_month))]


@router.get("/evaluations/{evaluation_id}", response=ResultDetailOut)
def evaluation_get(request: ApiRequest, evaluation_id: Id) -> object:
    visible = visible_evaluations(request.auth)
    evaluation = get_object_or_404(visible.select_related("month"), pk=evaluation_id)
    result = standings.month_results(evaluation.month, visible.filter(pk=evaluation.pk))[0]
    live = standings.live_figures(evaluation.month.month) if evaluation.month.status == MonthStatus.RATING else None
    deductions = [
        {
            "id": d.pk,
            "rater_kind": rating.rater_kind,
            "item": d.item.text,
            "points": d.points,
            "evidence": d.evidence,
            "has_photo": bool(d.photo),
            "withdrawn": d.withdrawn_by_id is not None,
        }
        for rating in evaluation.ratings.filter(submitted_at__isnull=False).prefetch_related("deductions__item")
        for d in rating.deductions.all()
    ]
    return {
        **_out(result),
        "indicators": standings.figures_of(evaluation, live),
        "deductions": deductions,
    }


@router.get("/lists", response=list[ResultOut], summary="The published red and black lists (红黑榜) of a month")
def lists(request: ApiRequest, month: QueryText = "") -> object:
    published = EvaluationMonth.objects.filter(status=MonthStatus.PUBLISHED)
    evaluation_month = _month(month) if month else published.first()
    if evaluation_month is None:
        return []
    if not evaluation_month.is_published:
        raise Http404
    return [_out(r) for r in standings.month_results(evaluation_month) if r.red or r.black]
