"""Open311 GeoReport v2 at /open311/v2/ (see docs/cases.md and reference §2).

Services are our public leaf categories (service_code = category code); requests are public cases.
XML is the default and JSON is chosen by extension. JSON is typed as the spec's JSON examples type it
(booleans for metadata, variable and required; numbers for order, lat, long and an error's code; null
for an unknown position), because clients test `if service["metadata"]` and the string "false" is true;
ids and codes stay strings. XML carries the same values as text. Errors use the spec's errors/error
list with HTTP 400, 403 or 404. GETs are open and show no reporter's personal data —
no name, no dwelling, coordinates rounded to about 100 m. POST needs an api_key issued by the
subdistrict officer; the request enters the same workflow at "reported".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import orjson
from django.core.cache import cache
from django.db import connections, router
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from gongzhi.accounts.security import client_ip
from gongzhi.cases import services
from gongzhi.cases.choices import DONE_STATUSES, OPEN_STATUSES, CaseStatus, TimeUnit
from gongzhi.cases.models import Case, CaseCategory, CaseEvent, CasePhoto
from gongzhi.cases.permissions import public_cases
from gongzhi.core.exceptions import DomainError
from gongzhi.core.georeport import error_response
from gongzhi.core.ratelimit import rate_check
from gongzhi.core.rows import aware_utc, raw_rows
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node

SPEC = "http://wiki.open311.org/GeoReport_v2"
MAX_ROWS = 1000
# The pagination extension's page number: bounded so that OFFSET stays far inside a 64-bit integer.
MAX_PAGE = 1_000_000
DEFAULT_DAYS = 90
CHANGESET = "2026-12-04T00:00:00+08:00"


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _iso(value: dt.datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _xml_value(parent: ET.Element, key: str, value: Any) -> None:
    child = ET.SubElement(parent, key)
    if isinstance(value, list):
        item_tag = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}.get(
            key, "item"
        )
        for item in value:
            _xml_value(child, item_tag, item)
    elif isinstance(value, dict):
        for k, v in value.items():
            _xml_value(child, k, v)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif isinstance(value, float):
        child.text = f"{value:.3f}"
    else:
        child.text = "" if value is None else str(value)


def _respond(fmt: str, root: str, item: str | None, data: Any, status: int = 200) -> HttpResponse:
    if fmt == "json":
        # orjson writes UTF-8 as json.dumps(ensure_ascii=False) does, some ten times faster on a full list.
        return HttpResponse(orjson.dumps(data), status=status, content_type="application/json; charset=utf-8")
    element = ET.Element(root)
    if item is None:
        for k, v in data.items():
            _xml_value(element, k, v)
    else:
        for row in data:
            node = ET.SubElement(element, item)
            for k, v in row.items():
                _xml_value(node, k, v)
    body = '<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(element, encoding="unicode")
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def _error(fmt: str, exc: Open311Error) -> HttpResponse:
    return error_response(fmt, exc.status, exc.description)


def _handle(fmt: str, build: Any) -> HttpResponse:
    try:
        return build()
    except Open311Error as exc:
        return _error(fmt, exc)


# --- discovery and services ---------------------------------------------------------------------


def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "xml"})).rsplit("/discovery", 1)[0]
    data = {
        "changeset": CHANGESET,
        "contact": "纬二路街道办事处 网格化服务管理中心",
        "key_service": "向街道干部申请 api_key（共治平台 › 事件 › Open311 接口密钥）",
        "endpoints": [
            {
                "specification": SPEC,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return _respond(fmt, "discovery", None, data)


def _services() -> QuerySet[CaseCategory]:
    return CaseCategory.objects.filter(parent__isnull=False, is_active=True, is_public=True).select_related("parent")


def _service_row(c: CaseCategory) -> dict[str, Any]:
    return {
        "service_code": c.code,
        "service_name": c.name,
        "description": c.acceptance_condition,
        "metadata": True,
        "type": "realtime",
        "keywords": c.name,
        "group": c.parent.name if c.parent else "",
    }


def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return _respond(fmt, "services", "service", [_service_row(c) for c in _services()])


def _notice(c: CaseCategory) -> str:
    unit = TimeUnit(c.time_limit_unit).label if c.time_limit_unit else ""
    return f"派遣后 {c.time_limit_amount} {unit}内处置"


def service_definition(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    def build() -> HttpResponse:
        category = _services().filter(code=service_code).first()
        if category is None:
            raise Open311Error(404, f"service_code {service_code} not found")
        attributes = [
            {
                "variable": True,
                "code": "location_detail",
                "datatype": "string",
                "required": False,
                "datatype_description": "楼栋、单元等",
                "order": 1,
                "description": "具体位置",
            },
            {
                "variable": False,
                "code": "time_limit",
                "datatype": "text",
                "required": False,
                "datatype_description": "",
                "order": 2,
                "description": _notice(category) + "；结案条件：" + category.closing_condition,
            },
        ]
        return _respond(fmt, "service_definition", None, {"service_code": category.code, "attributes": attributes})

    return _handle(fmt, build)


# --- requests -------------------------------------------------------------------------------------

FIELDS = (
    "pk",
    "status",
    "category__code",
    "category__name",
    "category__time_limit_amount",
    "category__time_limit_unit",
    "description",
    "handler_label",
    "created_at",
    "updated_at",
    "closed_at",
    "deadline_at",
    "reply",
    "compound__name",
    "building__name",
    "building__longitude",
    "building__latitude",
    "longitude",
    "latitude",
)
STATUS_LABELS = {s.value: str(s.label) for s in CaseStatus}


def _coordinate(value: float | None) -> float | None:
    # Rounded to about 100 m: a public list must not point at a reporter's door.
    return None if value is None else round(value, 3)


def _request_row(r: tuple[Any, ...], units: dict[str, str], local: Callable[[Any], str]) -> dict[str, Any]:
    (pk, status, code, name, amount, unit, description, handler, created, updated, closed_at, deadline, reply,
     compound, building, building_lon, building_lat, lon, lat) = r  # fmt: skip
    closed = status in DONE_STATUSES
    notes = STATUS_LABELS.get(status, status)
    if closed and reply:
        notes = f"{notes}：{reply}"
    return {
        "service_request_id": str(pk),
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": name,
        "service_code": code,
        "description": description,
        "agency_responsible": handler,
        "service_notice": f"派遣后 {amount} {units.get(unit, '') if unit else ''}内处置",
        "requested_datetime": local(created),
        "updated_datetime": local(closed_at if closed and closed_at else updated),
        "expected_datetime": local(deadline),
        "address": " ".join(p for p in (compound, building) if p),
        "address_id": "",
        "zipcode": "",
        "lat": _coordinate(lat if lat is not None else building_lat),
        "long": _coordinate(lon if lon is not None else building_lon),
        "media_url": "",
    }


def _local_iso() -> Callable[[Any], str]:
    """Raw datetimes to the spec's W3C form in local time; the time zone is looked up once per list."""
    zone = timezone.get_current_timezone()

    def local(value: Any) -> str:
        aware = aware_utc(value)
        return aware.astimezone(zone).isoformat(timespec="seconds") if aware is not None else ""

    return local


def _date(value: str, name: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Open311Error(400, f"{name} is not a W3C date-time") from exc
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


def _is_id(value: str) -> bool:
    """ASCII digits that fit a 64-bit key ("²".isdigit() is true, and 20 digits overflow SQLite)."""
    return value.isascii() and value.isdigit() and len(value) <= 18


def _int(value: str, name: str, default: int, maximum: int) -> int:
    if not value:
        return default
    if not _is_id(value) or not 1 <= int(value) <= maximum:
        raise Open311Error(400, f"{name} must be an integer from 1 to {maximum}")
    return int(value)


def request_query(params: dict[str, str], *, base_url: str = "") -> list[dict[str, Any]]:
    rows = public_cases()
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        if not all(_is_id(i) for i in ids):
            raise Open311Error(400, "service_request_id must be a comma-separated list of ids")
        rows = rows.filter(pk__in=[int(i) for i in ids[:MAX_ROWS]])
    else:
        codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
        if codes:
            rows = rows.filter(category__code__in=codes)
        start_raw, end_raw = params.get("start_date", ""), params.get("end_date", "")
        end = _date(end_raw, "end_date") if end_raw else timezone.now()
        start = _date(start_raw, "start_date") if start_raw else end - dt.timedelta(days=DEFAULT_DAYS)
        if end < start:
            raise Open311Error(400, "end_date is before start_date")
        if end - start > dt.timedelta(days=DEFAULT_DAYS):
            raise Open311Error(400, "the span from start_date to end_date may not exceed 90 days")
        rows = rows.filter(created_at__gte=start, created_at__lte=end)
        statuses = [s.strip() for s in params.get("status", "").split(",") if s.strip()]
        if statuses:
            wanted: set[str] = set()
            for s in statuses:
                if s == "open":
                    wanted |= OPEN_STATUSES
                elif s == "closed":
                    wanted |= DONE_STATUSES
                else:
                    raise Open311Error(400, "status must be open or closed")
            rows = rows.filter(status__in=sorted(wanted))
    # A larger page_size than the cap is served at the cap, as the spec's default volume is.
    page_size = min(_int(params.get("page_size", ""), "page_size", MAX_ROWS, 10**9), MAX_ROWS)
    page = _int(params.get("page", ""), "page", 1, MAX_PAGE)
    offset = (page - 1) * page_size
    # Read from the cursor and built as plain dicts: 1,000 rows through the ORM's converters cost more
    # than the query (docs/performance.md).
    found = raw_rows(rows.order_by("-created_at", "-id").values_list(*FIELDS)[offset : offset + page_size])
    latest_photo: dict[int, int] = {}
    for case_id, photo_id in (
        CasePhoto.objects.filter(case_id__in=[r[0] for r in found]).order_by("id").values_list("case_id", "id")
    ):
        latest_photo[case_id] = photo_id  # ordered by id: the latest wins
    units = {u.value: str(u.label) for u in TimeUnit}
    local = _local_iso()
    # One reverse() for the list: "/open311/v2/media/0.jpg" split around its id.
    media_prefix, media_suffix = (base_url + reverse("open311:media", kwargs={"photo_id": 0})).rsplit("0", 1)
    result = []
    for r in found:
        row = _request_row(r, units, local)
        if r[0] in latest_photo:
            row["media_url"] = f"{media_prefix}{latest_photo[r[0]]}{media_suffix}"
        result.append(row)
    return result


def _change_marks() -> tuple[int | None, dt.datetime | None, dt.datetime | None, int]:
    """The newest case event (id, time) and the categories' latest change and count, in one statement of
    hand SQL: this is all a 304 costs, and the ORM's building and compiling of the two queries was half of it
    (bench.profile, issue 18)."""
    alias = router.db_for_read(CaseEvent)
    connection = connections[alias]
    q = connection.ops.quote_name
    events, categories = q(CaseEvent._meta.db_table), q(CaseCategory._meta.db_table)
    sql = (
        f"SELECT (SELECT {q('id')} FROM {events} ORDER BY {q('id')} DESC LIMIT 1), "  # noqa: S608 - model names
        f"(SELECT {q('at')} FROM {events} ORDER BY {q('id')} DESC LIMIT 1), "
        f"MAX({q('updated_at')}), COUNT(*) FROM {categories}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        last_id, last_at, categories_at, categories_n = cursor.fetchone()
    return last_id, aware_utc(last_at), aware_utc(categories_at), categories_n


def list_validators(params: dict[str, str], *, fmt: str, base_url: str) -> tuple[str, dt.datetime]:
    """The ETag and Last-Modified of a GET of requests, read without building the list: every change of a
    case (its report, each step, a photo, a merge) writes a CaseEvent, and what is public depends on the
    categories too. A request without end_date ends "now": its 90-day window is dated by the day, so that a
    polling client gets 304s all day while nothing happens and cases leave the window by the next day."""
    last_id, last_at, categories_at, categories_n = _change_marks()
    window = "" if params.get("end_date") else timezone.localdate().isoformat()
    raw = repr((fmt, sorted(params.items()), base_url, last_id, last_at, categories_at, categories_n, window))
    times = [t for t in (last_at, categories_at) if t is not None]
    if window:
        times.append(dt.datetime.combine(timezone.localdate(), dt.time(), tzinfo=timezone.get_current_timezone()))
    modified = max(times) if times else dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"', modified


@csrf_exempt
def request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        verdict = rate_check("open311", client_ip(request))
        if not verdict.allowed:
            message = f"too many requests from this address; retry after {verdict.retry_after} seconds"
            refused = _error(fmt, Open311Error(429, message))
            refused["Retry-After"] = str(verdict.retry_after)
            return refused
        return _handle(fmt, lambda: _request_create(request, fmt))
    if request.method not in {"GET", "HEAD"}:
        return _error(fmt, Open311Error(400, "only GET and POST are supported"))
    base = request.build_absolute_uri("/").rstrip("/")
    params = request.GET.dict()
    # Conditional GET: a client polling an unchanged list gets a 304 without the list being built.
    etag, modified = list_validators(params, fmt=fmt, base_url=base)
    response = get_conditional_response(request, etag=etag, last_modified=int(modified.timestamp()))
    if response is None:
        response = _list_response(fmt, params, base_url=base, etag=etag)
    if response.status_code in {200, 304}:
        response["ETag"] = etag
        response["Last-Modified"] = http_date(modified.timestamp())
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response


LIST_CACHE_SECONDS = 600
# One build of a list at a time (issue 18): when an ETag is new, every polling client asks for the same list
# at once, and each building it on its own made the first second's p99 1.7 s at tier M. The first takes a lock
# in the cache and builds; the others wait for its body, up to LIST_BUILD_WAIT_SECONDS (a builder that died
# lets them build after that: the lock expires with LIST_BUILD_LOCK_SECONDS).
LIST_BUILD_WAIT_SECONDS = 5.0
LIST_BUILD_LOCK_SECONDS = 30
LIST_BUILD_POLL_SECONDS = 0.02


def list_key(etag: str) -> str:
    return f"open311:list:{etag}"


def _kept_list(key: str) -> HttpResponse | None:
    cached = cache.get(key)
    if cached is None:
        return None
    content, content_type = cached
    return HttpResponse(content, content_type=content_type)


def _list_response(fmt: str, params: dict[str, str], *, base_url: str, etag: str) -> HttpResponse:
    """The list, kept under its ETag: another client asking for an unchanged list without the ETag gets the
    body without it being built again, and any change of a case or category makes a new ETag. Clients asking
    for a list another request is building wait for its body rather than build it again."""
    key = list_key(etag)
    kept = _kept_list(key)
    if kept is not None:
        return kept
    lock = f"{key}:building"
    if not cache.add(lock, 1, timeout=LIST_BUILD_LOCK_SECONDS):
        deadline = time.monotonic() + LIST_BUILD_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(LIST_BUILD_POLL_SECONDS)
            kept = _kept_list(key)
            if kept is not None:
                return kept

    def build() -> HttpResponse:
        return _respond(fmt, "service_requests", "request", request_query(params, base_url=base_url))

    try:
        response = _handle(fmt, build)
        if response.status_code == 200:
            cache.set(key, (response.content, response["Content-Type"]), LIST_CACHE_SECONDS)
    finally:
        cache.delete(lock)
    return response


def _request_create(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    key = services.open311_key_check(data.get("api_key", ""))
    if key is None:
        raise Open311Error(403, "api_key is missing or not valid")
    code = data.get("service_code", "")
    if not code:
        raise Open311Error(400, "service_code is required")
    category = _services().filter(code=code).first()
    if category is None:
        raise Open311Error(404, f"service_code {code} not found")
    description = data.get("description", "").strip()
    if len(description) > 4000:
        raise Open311Error(400, "description may not exceed 4000 characters")
    detail = data.get("attribute[location_detail]", "").strip()
    address = " ".join(p for p in (data.get("address_string", "").strip(), detail) if p)
    try:
        if data.get("lat") and data.get("long"):
            try:
                lat, lon = float(data["lat"]), float(data["long"])
            except ValueError as exc:
                raise Open311Error(400, "lat and long must be numbers") from exc
            place = services.place_locate(longitude=lon, latitude=lat)
        elif _is_id(data.get("address_id", "")):
            building = Node.objects.filter(pk=int(data["address_id"]), kind=NodeKind.BUILDING).first()
            if building is None:
                raise Open311Error(400, "address_id is not a known building")
            place = services.place_locate(building=building)
        else:
            raise Open311Error(400, "a location is required: lat and long, or address_id (a building id)")
        case = services.open311_request_create(
            key=key, category=category, description=description or category.name, place=place, address=address
        )
    except DomainError as exc:
        raise Open311Error(400, exc.message) from exc
    row = {"service_request_id": str(case.pk), "service_notice": _notice(category), "account_id": ""}
    return _respond(fmt, "service_requests", "request", [row], status=201 if fmt == "json" else 200)


def request_detail(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    def build() -> HttpResponse:
        if not _is_id(service_request_id):
            raise Open311Error(404, f"service request {service_request_id} not found")
        base = request.build_absolute_uri("/").rstrip("/")
        found = request_query({"service_request_id": service_request_id}, base_url=base)
        if not found:
            raise Open311Error(404, f"service request {service_request_id} not found")
        return _respond(fmt, "service_requests", "request", found)

    return _handle(fmt, build)


def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    def build() -> HttpResponse:
        case = Case.objects.filter(open311_token=token).only("pk").first()
        if case is None:
            raise Open311Error(404, f"token {token} not found")
        return _respond(fmt, "service_requests", "request", [{"service_request_id": str(case.pk), "token": token}])

    return _handle(fmt, build)


def media(request: HttpRequest, photo_id: int) -> HttpResponse:
    """A photo of a public case, as stored: re-encoded without EXIF (no position, no device)."""
    photo = CasePhoto.objects.filter(pk=photo_id, case__in=public_cases()).first()
    if photo is None:
        return _error("xml", Open311Error(404, f"media {photo_id} not found"))
    with photo.image.open("rb") as f:
        return HttpResponse(f.read(), content_type="image/jpeg")
