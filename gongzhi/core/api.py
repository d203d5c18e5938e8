"""What every router of the JSON API shares: bounded parameter types, bounded pagination, and the error
answers each operation may give, written into the OpenAPI document so that generated clients know them.

A parameter out of its bounds is a 422 like any other bad parameter, before a query is built: an id beyond
a 64-bit integer or a page whose offset overflows the database's integer would otherwise reach the database
and come back as a server error, and a NUL character is refused by PostgreSQL's text type.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from django.http import HttpRequest
from ninja import Field, NinjaAPI, Schema
from ninja.pagination import PageNumberPagination
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import AfterValidator, BaseModel

ID_MAX = 2**63 - 1  # BigAutoField, on SQLite and PostgreSQL alike
PAGE_MAX = 100_000
PAGE_SIZE_MAX = 100
QUERY_TEXT_MAX = 200


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("不能包含空字符（NUL）。")
    return value


def _no_nul_within(value: Any) -> Any:
    if isinstance(value, str):
        return _no_nul(value)
    if isinstance(value, dict):
        for key, item in value.items():
            _no_nul(str(key))
            _no_nul_within(item)
    elif isinstance(value, list):
        for item in value:
            _no_nul_within(item)
    return value


# A row id in a path or a filter.
Id = Annotated[int, Field(ge=1, le=ID_MAX)]
# A short text filter or search: bounded and without NUL.
QueryText = Annotated[str, Field(max_length=QUERY_TEXT_MAX), AfterValidator(_no_nul)]
# A free text in a request body (a note, an answer): without NUL, any length the service allows.
BodyText = Annotated[str, AfterValidator(_no_nul)]
# Free-form JSON answers (a questionnaire's): no NUL in any key or text, however deep.
Answers = Annotated[dict[str, Any], AfterValidator(_no_nul_within)]


class Pages(PageNumberPagination):
    """Page-number pagination with both numbers bounded; ?page_size= asks for up to PAGE_SIZE_MAX rows."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=PAGE_MAX)
        page_size: int | None = Field(None, ge=1, le=PAGE_SIZE_MAX)

    def __init__(self, page_size: int = 50, **kwargs: Any) -> None:
        super().__init__(page_size=page_size, max_page_size=PAGE_SIZE_MAX, **kwargs)


_DETAIL = {
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}]},
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
}
COMMON_ERRORS = {
    "401": "未登录或令牌无效 (not authenticated)",
    "403": "无权操作，或用会话 Cookie 调用时缺少 CSRF 令牌 (not allowed, or a session cookie without its CSRF token)",
    "404": "不存在或不在调用者的范围内 (not found, or outside the caller's scope)",
    "422": "参数不合格 (a parameter failed validation; detail lists each)",
    "429": "请求过于频繁 (rate limit; retry later)",
}


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def request_body(model: type[BaseModel], media_type: str = "application/json") -> dict[str, Any]:
    """openapi_extra for an operation that reads its body itself (to check scope first, or to answer in
    Chinese): the model's schema with its nested models inlined, since a `#/$defs/…` reference inside an
    operation would point at the document's root, where nothing is."""
    schema = model.model_json_schema()
    return {
        "requestBody": {"required": True, "content": {media_type: {"schema": _inline(schema, schema.get("$defs", {}))}}}
    }


class FastJSONRenderer(JSONRenderer):
    """ninja's renderer with orjson in place of json.dumps (issue 18: some ten times faster on a page of rows).

    The body means the same as the stock renderer's: datetimes are passed to ninja's own encoder, so they keep
    its form (milliseconds, "Z" for UTC), and so are the types orjson does not know (Decimal, lazy strings,
    pydantic models); integer keys become strings as json.dumps makes them. Text is written as UTF-8 rather than
    \\u escapes, as the charset in the Content-Type says."""

    _fallback = NinjaJSONEncoder().default
    _options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        return orjson.dumps(data, default=self._fallback, option=self._options)


class GongzhiAPI(NinjaAPI):
    """NinjaAPI whose document names the error answers every operation can give (JSON with `detail`)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for methods in schema.get("paths", {}).values():
            for operation in methods.values():
                responses = operation.setdefault("responses", {})
                declared = {str(code) for code in responses}  # ninja's own keys are ints
                for code, description in COMMON_ERRORS.items():
                    if code not in declared:
                        responses[code] = {
                            "description": description,
                            "content": {"application/json": {"schema": _DETAIL}},
                        }
        return schema
