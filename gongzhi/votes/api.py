"""Residents' voting over the API: the same scope as the pages, the same services, the same embargo."""

import datetime as dt
from typing import Any

from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ValidationError

from gongzhi.core.api import BodyText, Id, Pages, QueryText, request_body
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.http import ApiRequest
from gongzhi.votes import selectors, services
from gongzhi.votes.exceptions import AlreadyVoted, ResultsSealed

router = Router(tags=["votes"])


class PollOut(Schema):
    id: int
    title: str
    status: str
    electorate: str
    is_secret: bool
    scope_id: int
    opens_at: dt.datetime
    closes_at: dt.datetime


class OptionOut(Schema):
    id: int
    label: str


class QuestionOut(Schema):
    id: int
    position: int
    text: str
    rule: str
    max_choices: int
    options: list[OptionOut]


class SeatOut(Schema):
    voter_key: str
    label: str
    as_proxy: bool
    has_voted: bool


class PollDetailOut(PollOut):
    description: str
    questions: list[QuestionOut]
    my_seats: list[SeatOut]
    results_sealed: bool
    result: dict[str, Any] | None


class BallotIn(Schema):
    choices: dict[str, list[int]]
    voter_key: BodyText | None = None


class BallotOut(Schema):
    recorded: bool
    poll_id: int


class ErrorOut(Schema):
    detail: str
    field: str | None = None


class ResultOut(Schema):
    closed_at: dt.datetime | None
    counted_at: dt.datetime
    ballots: int
    questions: list[dict[str, Any]]


def _poll_summary(poll: Any) -> dict[str, Any]:
    return {
        "id": poll.pk,
        "title": poll.title,
        "status": poll.status,
        "electorate": poll.electorate,
        "is_secret": poll.is_secret,
        "scope_id": poll.scope_id,
        "opens_at": poll.opens_at,
        "closes_at": poll.closes_at,
    }


@router.get("/polls", response=list[PollOut], summary="Polls the caller can see (never with results)")
@paginate(Pages, page_size=50)
def poll_list(request: ApiRequest, status: QueryText = "") -> object:
    return selectors.poll_list(actor=request.auth, status=status)


@router.get("/polls/{poll_id}", response=PollDetailOut)
def poll_get(request: ApiRequest, poll_id: Id) -> object:
    actor = request.auth
    poll = selectors.poll_get(actor=actor, poll_id=poll_id)
    try:
        result: dict[str, Any] | None = selectors.poll_result(actor=actor, poll=poll)
    except ResultsSealed:
        result = None
    return {
        **_poll_summary(poll),
        "description": poll.description,
        "questions": [
            {
                "id": q.pk,
                "position": q.position,
                "text": q.text,
                "rule": q.rule,
                "max_choices": int(q.config.get("max_choices", 1)),
                "options": [{"id": o.pk, "label": o.label} for o in q.options.all()],
            }
            for q in selectors.poll_questions(poll=poll)
        ],
        "my_seats": [
            {
                "voter_key": s.entry.voter_key,
                "label": s.entry.label,
                "as_proxy": s.proxy is not None,
                "has_voted": s.participation is not None,
            }
            for s in selectors.my_seats(actor=actor, poll=poll)
        ],
        "results_sealed": result is None,
        "result": result,
    }


@router.post(
    "/polls/{poll_id}/ballots",
    response={201: BallotOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    openapi_extra=request_body(BallotIn),
    summary="Cast the caller's ballot (or their principal's, under a written proxy)",
)
def ballot_cast(request: ApiRequest, poll_id: Id) -> object:
    actor = request.auth
    # The poll first, the body after: someone who cannot see the poll gets 404 whatever they sent.
    poll = selectors.poll_get(actor=actor, poll_id=poll_id)
    try:
        payload = BallotIn.model_validate_json(request.body or b"{}")
    except ValidationError:
        return Status(400, {"detail": "选票格式不对：choices 应为 {题目编号: [选项编号, …]}。", "field": "choices"})
    try:
        services.ballot_cast(actor=actor, poll=poll, choices=payload.choices, voter_key=payload.voter_key)
    except NotAllowed as exc:
        return Status(403, {"detail": exc.message})
    except AlreadyVoted as exc:
        return Status(409, {"detail": exc.message, "field": exc.field})
    except DomainError as exc:
        return Status(400, {"detail": exc.message, "field": exc.field})
    return Status(201, {"recorded": True, "poll_id": poll.pk})


@router.get("/polls/{poll_id}/result", response={200: ResultOut, 403: ErrorOut})
def poll_result(request: ApiRequest, poll_id: Id) -> object:
    poll = selectors.poll_get(actor=request.auth, poll_id=poll_id)
    try:
        return Status(200, selectors.poll_result(actor=request.auth, poll=poll))
    except ResultsSealed as exc:
        return Status(403, {"detail": exc.message})
