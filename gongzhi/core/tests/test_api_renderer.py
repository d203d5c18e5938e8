"""The API's orjson renderer writes what ninja's stock json.dumps renderer writes, value for value."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
import uuid
from enum import Enum

import pytest
from django.test import RequestFactory
from django.utils.translation import gettext_lazy
from ninja.renderers import JSONRenderer
from pydantic import BaseModel

from gongzhi.core.api import FastJSONRenderer


class Colour(Enum):
    RED = "red"


class Row(BaseModel):
    name: str
    at: dt.datetime


SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _payload() -> dict:
    return {
        "count": 2,
        "items": [
            {
                "name": "居民甲",
                "reported_at": dt.datetime(2026, 12, 7, 9, 30, 15, 123456, tzinfo=SHANGHAI),
                "utc": dt.datetime(2026, 12, 7, 1, 30, tzinfo=dt.UTC),
                "naive": dt.datetime(2026, 12, 7, 9, 30, 15, 999),
                "day": dt.date(2026, 12, 7),
                "time": dt.time(8, 15, 30, 250000),
                "span": dt.timedelta(hours=49, minutes=3),
                "amount": decimal.Decimal("12.50"),
                "uid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
                "label": gettext_lazy("数据库暂时无法连接"),
                "nested": Row(name="乙", at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
                "by_id": {3: "三", 14: "十四"},
                "ratio": 0.1 + 0.2,
                "ok": True,
                "none": None,
            }
        ],
    }


def test_same_values_as_the_stock_renderer() -> None:
    request = RequestFactory().get("/api/v1/x")
    stock = JSONRenderer().render(request, _payload(), response_status=200)
    fast = FastJSONRenderer().render(request, _payload(), response_status=200)
    assert isinstance(fast, bytes)
    assert json.loads(fast) == json.loads(stock)
    item = json.loads(fast)["items"][0]
    # Django's encoder's forms, not orjson's: milliseconds, and "Z" for UTC.
    assert item["reported_at"] == "2026-12-07T09:30:15.123+08:00"
    assert item["utc"] == "2026-12-07T01:30:00Z"
    assert item["time"] == "08:15:30.250"
    assert item["by_id"] == {"3": "三", "14": "十四"}
    assert "居民甲" in fast.decode()  # UTF-8, not \u escapes


def test_an_unknown_type_is_still_refused() -> None:
    request = RequestFactory().get("/api/v1/x")
    with pytest.raises(TypeError):
        FastJSONRenderer().render(request, {"x": object()}, response_status=200)
    # The one difference: a plain Enum is written as its value where the stock renderer writes str() of it
    # ("Colour.RED"). Our schemas declare enums' fields as str, so none reaches the renderer.
    assert json.loads(FastJSONRenderer().render(request, {"c": Colour.RED}, response_status=200)) == {"c": "red"}


@pytest.mark.django_db
def test_the_api_answers_through_it(world, client_of) -> None:  # type: ignore[no-untyped-def]
    response = client_of("jiedao").get("/api/v1/registry/people")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.content.decode()
    assert "居民甲" in body
    assert not re.search(r"\\u[0-9a-f]{4}", body)  # the stock renderer would have escaped every Chinese name
