"""Cases over the API, for phones and integrations: the caller's visible cases, one case with its history
and the actions the caller may take on it, reporting a case (with photos) and acting on one.

The same scope, the same forms, the same services and the same errors as the pages: a case the caller
cannot see is 404; an action the caller may not take is 403; any other refusal is 400 with the service's
message and the field it names. Writes are multipart/form-data, field for field the page's forms."""

import datetime as dt
from collections.abc import Sequence
from typing import Any, overload

from django.db.models import F, QuerySet
from django.forms import Form
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.cases import permissions as perms
from gongzhi.cases import selectors, services
from gongzhi.cases.choices import ACTION_FIELDS, Action
from gongzhi.cases.forms import ActionForm, ReportForm
from gongzhi.cases.models import Case
from gongzhi.core.actors import Actor
from gongzhi.core.api import Id, Pages, QueryText, request_body
from gongzhi.core.exceptions import DomainError, NotAllowed
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


class ActionOut(Schema):
    name: str
    label: str
    fields: list[str] = Field(description="The form fields this action takes besides `action`")


class CaseDetailOut(CaseOut):
    reply: str
    result: str
    events: list[EventOut]
    allowed_actions: list[ActionOut] = Field(description="What the caller may do to the case now")


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    group: str


class PlaceOut(Schema):
    where: str = Field(description="Send as `where` when reporting: d<dwelling id> or b<building id>")
    label: str


class ErrorOut(Schema):
    detail: str
    field: str | None = None


class ReportIn(Schema):
    category: int = Field(description="An active sub-category from GET /api/v1/cases/categories")
    description: str = Field(max_length=4000)
    where: str = Field("", description="One of GET /api/v1/cases/places; else longitude and latitude")
    longitude: float | None = None
    latitude: float | None = None
    is_private: bool = Field(False, description="true: only staff see it, not the neighbours")
    photos: list[bytes] = Field([], description="Up to 6 JPEG, PNG or WebP images of at most 8 MB each")


class ActionIn(Schema):
    action: str = Field(description="One of the case's allowed_actions")
    note: str = Field("", max_length=4000)
    photos: list[bytes] = Field([], description="Up to 6 images (handle, verify)")
    rating: int | None = Field(None, ge=1, le=5, description="rate: 1-5")
    hours: int | None = Field(None, ge=1, le=210, description="request_extension: working hours")
    category: int | None = Field(None, description="recategorise: the new sub-category")
    target: int | None = Field(None, description="merge: the case to merge into")


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


SUMMARY_FIELDS = ("id", "status", "description", "handler_label", "created_at", "deadline_at", "rework_count", "rating")


def _summary_of_values(row: dict[str, Any]) -> dict[str, object]:
    """_summary's answer from a values() row (the list reads no models)."""
    summary: dict[str, object] = {name: row[name] for name in SUMMARY_FIELDS}
    summary["category"] = row["category_name"]
    return summary


@router.get("/cases", response=list[CaseOut], summary="Cases the caller can see, newest first")
@paginate(Pages, page_size=50)
def case_list(request: ApiRequest, status: QueryText = "") -> object:
    rows = perms.visible_cases(request.auth).order_by("-created_at", "-id")
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
        # The page as values, not models: building a Case and its category for each row was a third of the
        # call (bench.profile, issue 18).
        page = self.rows.values(*SUMMARY_FIELDS, category_name=F("category__name"))
        if isinstance(index, slice):
            return [_summary_of_values(row) for row in page[index]]
        return _summary_of_values(page[index])


def _detail(actor: Actor, case: Case) -> dict[str, object]:
    return {
        **_summary(case),
        "reply": case.reply,
        "result": case.result,
        "events": [
            {"at": e.at, "action": e.action, "from_status": e.from_status, "to_status": e.to_status, "note": e.note}
            for e in selectors.case_events(case=case)
        ],
        "allowed_actions": [
            {"name": a, "label": str(Action(a).label), "fields": list(ACTION_FIELDS.get(a, ()))}
            for a in services.allowed_actions(actor, case)
        ],
    }


def _form_error(form: Form) -> Status[dict[str, Any]]:
    field, errors = next(iter(form.errors.items()))
    return Status(400, {"detail": str(errors[0]), "field": None if field == "__all__" else field})


@router.get("/cases/{case_id}", response=CaseDetailOut)
def case_get(request: ApiRequest, case_id: Id) -> object:
    return _detail(request.auth, selectors.case_get(actor=request.auth, case_id=case_id))


@router.get("/categories", response=list[CategoryOut], summary="The sub-categories a report may name")
def category_list(request: ApiRequest) -> object:
    return [
        {"id": c.pk, "code": c.code, "name": c.name, "group": c.parent.name if c.parent else ""}
        for c in selectors.report_categories()
    ]


@router.get("/places", response=list[PlaceOut], summary="Where the caller may point a report (home, buildings)")
def place_list(request: ApiRequest) -> object:
    return [{"where": where, "label": label} for where, label in selectors.report_places(actor=request.auth)]


@router.post(
    "/cases",
    response={201: CaseDetailOut, 400: ErrorOut, 403: ErrorOut},
    openapi_extra=request_body(ReportIn, "multipart/form-data"),
    summary="Report a case, with photos; the place is one of /places or a point inside a grid",
)
def case_report(request: ApiRequest) -> object:
    actor = request.auth
    try:
        # Who may report at all first: someone who may not is told so whatever they sent.
        services.case_report_check(actor)
        form = ReportForm(request.POST, request.FILES, places=selectors.report_places(actor=actor))
        if not form.is_valid():
            return _form_error(form)
        case = services.case_report(actor=actor, **form.report_args(actor))
    except NotAllowed as exc:
        return Status(403, {"detail": exc.message})
    except DomainError as exc:
        return Status(400, {"detail": exc.message, "field": exc.field})
    return Status(201, _detail(actor, selectors.case_get(actor=actor, case_id=case.pk)))


@router.post(
    "/cases/{case_id}/actions",
    response={200: CaseDetailOut, 400: ErrorOut, 403: ErrorOut},
    openapi_extra=request_body(ActionIn, "multipart/form-data"),
    summary="Act on a case (accept, dispatch, handle, verify, close, rate, ...): one of its allowed_actions",
)
def case_act(request: ApiRequest, case_id: Id) -> object:
    actor = request.auth
    # The case first, the body after: someone who cannot see the case gets 404 whatever they sent.
    case = selectors.case_get(actor=actor, case_id=case_id)
    form = ActionForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_error(form)
    try:
        services.case_transition(actor=actor, case=case, **form.transition_args(actor))
    except NotAllowed as exc:
        return Status(403, {"detail": exc.message})
    except DomainError as exc:
        return Status(400, {"detail": exc.message, "field": exc.field})
    return Status(200, _detail(actor, selectors.case_get(actor=actor, case_id=case.pk)))
