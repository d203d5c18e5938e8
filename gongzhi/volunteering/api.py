"""Volunteering for phone apps and integrations: the same selectors and services as the pages."""

import datetime as dt

from django.http import Http404
from ninja import Header, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from gongzhi.core.api import Id, Pages
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.http import ApiRequest
from gongzhi.volunteering import ledger, selectors, services
from gongzhi.volunteering.hours import hours_text, star_level
from gongzhi.volunteering.models import Order, SignUp, Volunteer

router = Router(tags=["volunteering"])


class VolunteerOut(Schema):
    """One of the caller's own volunteer records: the volunteer number, never an ID number."""

    id: int
    number: str
    name: str
    status: str
    certified_hours: str
    star_level: int
    points_balance: int

    @staticmethod
    def resolve_name(obj: Volunteer) -> str:
        return obj.person.name

    @staticmethod
    def resolve_certified_hours(obj: Volunteer) -> str:
        return hours_text(obj.certified_minutes)

    @staticmethod
    def resolve_star_level(obj: Volunteer) -> int:
        return star_level(obj.certified_minutes)


class ActivityOut(Schema):
    id: int
    title: str
    service_content: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    slots: int
    confirmed_count: int
    waitlist_count: int
    status: str
    node_id: int
    team_id: int | None


class SignUpOut(Schema):
    id: int
    activity_id: int
    volunteer_id: int
    status: str
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None


class ItemOut(Schema):
    id: int
    name: str
    description: str
    donor: str
    points_price: int
    stock: int
    limit_per_person: int | None


class OrderOut(Schema):
    id: int
    item_id: int
    volunteer_id: int
    quantity: int
    points: int
    status: str
    pickup_code: str
    created_at: dt.datetime
    picked_up_at: dt.datetime | None


class EntryOut(Schema):
    id: int
    volunteer_id: int
    kind: str
    amount: int
    balance_after: int
    occurred_on: dt.date
    at: dt.datetime
    reason: str


class RecordOut(Schema):
    id: int
    volunteer_id: int
    activity_id: int
    kind: str
    minutes: int
    service_on: dt.date
    content: str
    reason: str


def _domain(call):  # type: ignore[no-untyped-def]
    """Domain refusals as HTTP: 403 for a visible row the caller may not act on, 400 with the message else."""
    try:
        return call()
    except NotAllowed as exc:
        raise HttpError(403, exc.message) from exc
    except DomainError as exc:
        raise HttpError(400, exc.message) from exc


@router.get("/volunteers/mine", response=list[VolunteerOut], summary="The caller's volunteer record and their wards'")
def volunteer_mine(request: ApiRequest) -> object:
    return selectors.own_volunteers(actor=request.auth)


@router.get("/activities", response=list[ActivityOut], summary="Activities open for sign-up where the caller lives")
@paginate(Pages, page_size=50)
def activity_list(request: ApiRequest) -> object:
    return selectors.activity_list(actor=request.auth, when="upcoming")


@router.get("/activities/{activity_id}", response=ActivityOut)
def activity_get(request: ApiRequest, activity_id: Id) -> object:
    return selectors.activity_get(actor=request.auth, activity_id=activity_id)


@router.post(
    "/activities/{activity_id}/signups",
    response={201: SignUpOut},
    summary="Sign up (or join the waiting list); volunteer_id picks a ward, else the caller's own record",
)
def activity_signup(request: ApiRequest, activity_id: Id, volunteer_id: Id | None = None) -> Status[SignUp]:
    activity = selectors.activity_get(actor=request.auth, activity_id=activity_id)
    volunteer = selectors.own_volunteer_get(actor=request.auth, volunteer_id=volunteer_id)
    signup = _domain(lambda: services.signup_create(actor=request.auth, activity=activity, volunteer=volunteer))
    return Status(201, signup)


@router.get("/shop/items", response=list[ItemOut], summary="What the caller's shop offers")
def item_list(request: ApiRequest) -> object:
    return selectors.shop_item_list(actor=request.auth)


@router.post(
    "/shop/items/{item_id}/orders",
    response={200: OrderOut, 201: OrderOut},
    summary="Redeem points for an item. Send an Idempotency-Key header: a retry with the same key returns the "
    "first order (200) instead of spending twice (201 when created).",
)
def item_redeem(
    request: ApiRequest,
    item_id: int,
    quantity: int = 1,
    volunteer_id: int | None = None,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
) -> Status[Order]:
    item = selectors.shop_item_get(actor=request.auth, item_id=item_id)
    try:
        volunteer = selectors.own_volunteer_get(actor=request.auth, volunteer_id=volunteer_id)
    except Http404 as exc:
        raise HttpError(403, "只能为本人或被监护人兑换。") from exc
    order, created = _domain(
        lambda: ledger.points_redeem(
            actor=request.auth, volunteer=volunteer, item=item, quantity=quantity, client_key=idempotency_key
        )
    )
    return Status(201 if created else 200, order)


@router.get("/orders", response=list[OrderOut])
@paginate(Pages, page_size=50)
def order_list(request: ApiRequest) -> object:
    return selectors.order_list(actor=request.auth)


@router.get("/points/entries", response=list[EntryOut], summary="Points entries the caller may see, newest first")
@paginate(Pages, page_size=100)
def entry_list(request: ApiRequest) -> object:
    return selectors.points_entry_list(actor=request.auth)


@router.get("/hours", response=list[RecordOut], summary="Certified service records the caller may see")
@paginate(Pages, page_size=100)
def record_list(request: ApiRequest) -> object:
    return selectors.service_record_list(actor=request.auth)
