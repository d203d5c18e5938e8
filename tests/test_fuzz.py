"""Hostile input over the API: schemathesis generates requests from /api/v1's OpenAPI document and from
Open311's (described in OPEN311_SCHEMA below, since GeoReport v2 has none of its own) and sends them, as a
logged-in persona, to the real application. No response may be a server error and every response must
match the document. A fixed seed and a bounded number of examples per operation keep it deterministic.

`jiedao` sees the whole subdistrict, so generated ids and filters reach real rows; `jumin` reports and
votes as a resident. Writes land in the test's transaction and are rolled back with it.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = 20
# No server error, and the status, media type and body the document declares. (Schemathesis' stateful
# checks — resending with broken auth, negative-data rejection — are off: they judge what the test's own
# bearer header replaces.)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)

_ID = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$"}
_FMT = {"name": "fmt", "in": "path", "required": True, "schema": {"type": "string", "enum": ["json"]}}
_ERRORS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
_REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "service_code", "requested_datetime"],
    "properties": {
        "service_request_id": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "service_code": {"type": "string"},
        "service_name": {"type": "string"},
        "requested_datetime": {"type": "string"},
        "updated_datetime": {"type": "string"},
        "lat": {"type": ["number", "null"]},
        "long": {"type": ["number", "null"]},
    },
}


def _answers(ok: dict[str, Any], *codes: int) -> dict[str, Any]:
    out = {"200": {"description": "ok", "content": {"application/json": {"schema": ok}}}}
    for code in codes:
        out[str(code)] = {"description": "error", "content": {"application/json": {"schema": _ERRORS}}}
    return out


OPEN311_SCHEMA: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Open311 GeoReport v2 (as Gongzhi serves it)", "version": "2"},
    "paths": {
        "/open311/v2/services.{fmt}": {
            "get": {"parameters": [_FMT], "responses": _answers({"type": "array"})},
        },
        "/open311/v2/services/{service_code}.{fmt}": {
            "get": {
                "parameters": [{"name": "service_code", "in": "path", "required": True, "schema": _ID}, _FMT],
                "responses": _answers({"type": "object"}, 404),
            },
        },
        "/open311/v2/requests.{fmt}": {
            "get": {
                "parameters": [
                    _FMT,
                    {"name": "service_request_id", "in": "query", "schema": {"type": "string"}},
                    {"name": "service_code", "in": "query", "schema": {"type": "string"}},
                    {"name": "start_date", "in": "query", "schema": {"type": "string"}},
                    {"name": "end_date", "in": "query", "schema": {"type": "string"}},
                    {"name": "status", "in": "query", "schema": {"type": "string"}},
                    {"name": "page", "in": "query", "schema": {"type": "string"}},
                    {"name": "page_size", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": _answers({"type": "array", "items": _REQUEST}, 400, 404),
            },
            "post": {
                "parameters": [_FMT],
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "service_code": {"type": "string"},
                                    "description": {"type": "string"},
                                    "lat": {"type": "string"},
                                    "long": {"type": "string"},
                                    "address_id": {"type": "string"},
                                    "api_key": {"type": "string"},
                                },
                            }
                        }
                    }
                },
                "responses": {
                    **_answers({"type": "array"}, 400, 403, 404),
                    "201": {"description": "created", "content": {"application/json": {"schema": {"type": "array"}}}},
                },
            },
        },
        "/open311/v2/requests/{service_request_id}.{fmt}": {
            "get": {
                "parameters": [{"name": "service_request_id", "in": "path", "required": True, "schema": _ID}, _FMT],
                "responses": _answers({"type": "array", "items": _REQUEST}, 404),
            },
        },
    },
}


@pytest.fixture
def wsgi_app():  # type: ignore[no-untyped-def]
    # As Django's test client does: neither the start nor the end of a request may close the test's connection (its
    # transaction holds the world).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _bearer(world, username: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from gongzhi.accounts.security import api_token_create

    _, token = api_token_create(user=world.user(username), name="fuzz")
    return {"Authorization": f"Bearer {token}"}


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(operation: Any, app: Any, headers: dict[str, str], failures: list[str]) -> None:
    @FUZZ_SETTINGS
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        response = case.call(app=app, headers=headers)
        assert response.status_code < 500, f"{case.method} {case.formatted_path} → {response.status_code}"
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        run()
    except Exception as exc:
        failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")


def _api_schema(app: Any) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["jiedao", "jumin"])
def test_api_survives_generated_requests(world, wsgi_app, username, settings):  # type: ignore[no-untyped-def]
    settings.GONGZHI_API_RATE = "100000/m"
    headers = _bearer(world, username)
    operations = _operations(_api_schema(wsgi_app))
    assert len(operations) >= 30  # every router is in the document
    failures: list[str] = []
    for operation in operations:
        _fuzz(operation, wsgi_app, headers, failures)
    assert not failures, "\n\n".join(failures)


@pytest.mark.django_db
def test_open311_survives_generated_requests(world, wsgi_app):  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_dict(OPEN311_SCHEMA)
    failures: list[str] = []
    for operation in _operations(schema):
        _fuzz(operation, wsgi_app, {}, failures)
    assert not failures, "\n\n".join(failures)
