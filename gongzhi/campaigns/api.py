"""Campaigns over the API, for walkers' phone clients: the same scope, the same services, the same
idempotency key as the visit page (a client generates one per visit and resends it on retry)."""

import datetime as dt

from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ValidationError

from gongzhi.campaigns import selectors, services
from gongzhi.core.api import Answers, BodyText, Id, Pages, request_body
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.http import ApiRequest

router = Router(tags=["campaigns"])


class CampaignOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    starts_on: dt.date
    ends_on: dt.date


class CoverageOut(Schema):
    households_total: int
    households_reached: int
    persons_total: int
    persons_checked: int


class CheckIn(Schema):
    person_row_id: Id
    status: BodyText
    answers: Answers = {}


class VisitIn(Schema):
    idempotency_key: BodyText
    outcome: BodyText
    answers: Answers = {}
    checks: list[CheckIn] = []
    note: BodyText = ""


class VisitOut(Schema):
    visit_id: int
    household_row_id: int
    state: str


class ErrorOut(Schema):
    detail: str
    field: str | None = None


@router.get("", response=list[CampaignOut], summary="Campaigns over the caller's places")
@paginate(Pages, page_size=50)
def campaign_list(request: ApiRequest) -> object:
    return selectors.campaign_list(actor=request.auth)


@router.get("/{campaign_id}/coverage", response=CoverageOut, summary="Coverage over what the caller sees")
def campaign_coverage(request: ApiRequest, campaign_id: Id) -> object:
    campaign = selectors.campaign_get(actor=request.auth, campaign_id=campaign_id)
    cov = selectors.campaign_coverage(actor=request.auth, campaign=campaign)
    return {
        "households_total": cov.households_total,
        "households_reached": cov.households_reached,
        "persons_total": cov.persons_total,
        "persons_checked": cov.persons_checked,
    }


@router.post(
    "/{campaign_id}/households/{row_id}/visits",
    response={201: VisitOut, 400: ErrorOut, 403: ErrorOut},
    openapi_extra=request_body(VisitIn),
    summary="Record a visit; resending the same idempotency key returns the same visit",
)
def visit_record(request: ApiRequest, campaign_id: Id, row_id: Id) -> object:
    actor = request.auth
    # The household first, the body after: someone who cannot see it gets 404 whatever they sent.
    campaign = selectors.campaign_get(actor=actor, campaign_id=campaign_id)
    row = selectors.household_row_get(actor=actor, campaign=campaign, row_id=row_id)
    try:
        payload = VisitIn.model_validate_json(request.body or b"{}")
    except ValidationError:
        return Status(400, {"detail": "走访记录格式不对：需要 idempotency_key 和 outcome。", "field": "outcome"})
    try:
        visit = services.visit_record(
            actor=actor,
            row=row,
            outcome=payload.outcome,
            idempotency_key=payload.idempotency_key,
            answers=payload.answers,
            checks=[services.CheckInput(c.person_row_id, c.status, c.answers) for c in payload.checks],
            note=payload.note,
        )
    except NotAllowed as exc:
        return Status(403, {"detail": exc.message})
    except DomainError as exc:
        return Status(400, {"detail": exc.message, "field": exc.field})
    row.refresh_from_db(fields=["state"])
    return Status(201, {"visit_id": visit.pk, "household_row_id": row.pk, "state": row.state})
