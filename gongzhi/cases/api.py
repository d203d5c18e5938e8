"""Cases over the API for phones: the caller's visible cases and one case with its history.

Writes go through the pages (and Open311 for external channels); the same scope as the pages applies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, overload

from django.db.models import QuerySet
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from gongzhi.cases import permissions as perms
from gongzhi.cases import selectors
from gongzhi.cases.models import Case
from gongzhi.core.http import ApiRequest

router = Router(tags=["cases"])


class CaseOut(Schema):
    id: int
    status: str
    category: str = ""
    description: str
    handler_label: str
    created_at: dt.datetime
    deadline_at: dt.datetime | None
    rework_count: int
    rating: int | None


class EventOut(Schema):
    at: dt.datetime
    action: str
    from_status: str
    to_status: str
    note: str


class CaseDetailOut(CaseOut):
    reply: str
    result: str
    events: list[EventOut]


def _summary(case: Case) -> dict[str, object]:
    return {
        "id": case.pk,
        "status": case.status,
        "category": case.category.name,
        "description": case.description,
        "handler_label": case.handler_label,
        "created_at": case.created_at,
        "deadline_at": case.deadline_at,
        "rework_count": case.rework_count,
        "rating": case.rating,
    }


@router.get("/cases", response=list[CaseOut], summary="Cases the caller can see, newest first")
@paginate(PageNumberPagination, page_size=50)
def case_list(request: ApiRequest, status: str = "") -> object:
    rows = perms.visible_cases(request.auth).select_related("category").order_by("-created_at", "-id")
    return _Summaries((rows.filter(status=status) if status else rows)[:1000])


class _Summaries(Sequence[dict[str, Any]]):
    """The newest 1,000 cases as the paginator sees them: only the page asked for is read and converted.

    Converting all 1,000 on every request made the list the slowest call of the API at a million cases.
    """

    def __init__(self, rows: QuerySet[Case]) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return self.rows.count()

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [_summary(case) for case in self.rows[index]]
        return _summary(self.rows[index])


@router.get("/cases/{case_id}", response=CaseDetailOut)
def case_get(request: ApiRequest, case_id: int) -> object:
    case = selectors.case_get(actor=request.auth, case_id=case_id)
    return {
        **_summary(case),
        "reply": case.reply,
        "result": case.result,
        "events": [
            {"at": e.at, "action": e.action, "from_status": e.from_status, "to_status": e.to_status, "note": e.note}
            for e in selectors.case_events(case=case)
        ],
    }
