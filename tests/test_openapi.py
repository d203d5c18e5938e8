"""The OpenAPI document at /api/v1/openapi.json is one a client generator can use: every reference
resolves inside the document, every operation is named once and says which errors it can answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


def _refs(node: Any, where: str = "#") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield where, value
            else:
                yield from _refs(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _refs(value, f"{where}/{i}")


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} points outside the document"
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


@pytest.fixture
def document(client):  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_every_reference_resolves(document):  # type: ignore[no-untyped-def]
    refs = list(_refs(document))
    assert refs  # the document does use references (components/schemas)
    unresolved = []
    for where, ref in refs:
        try:
            _resolve(document, ref)
        except AssertionError:
            unresolved.append(f"{where}: {ref}")
    assert not unresolved, unresolved


def test_every_operation_is_named_once_and_lists_its_errors(document):  # type: ignore[no-untyped-def]
    ids = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if method not in METHODS:
                continue
            ids.append(operation["operationId"])
            codes = [str(code) for code in operation["responses"]]
            assert len(codes) == len(set(codes)), f"{method} {path} declares a status twice: {codes}"
            codes = set(codes)
            assert {"401", "403", "404", "422", "429"} <= codes, f"{method} {path}: {sorted(codes)}"
            assert any(code.startswith("2") for code in codes), f"{method} {path} names no success"
    assert len(ids) == len(set(ids)) and len(ids) >= 30


def test_bounded_parameters_are_in_the_document(document):  # type: ignore[no-untyped-def]
    # A generated client validates before sending: the bounds the server enforces are the ones it reads.
    people = document["paths"]["/api/v1/registry/people"]["get"]["parameters"]
    by_name = {p["name"]: p["schema"] for p in people}
    assert by_name["page"]["maximum"] == 100_000 and by_name["page"]["minimum"] == 1
    assert by_name["page_size"]["anyOf"][0]["maximum"] == 100
    assert by_name["q"]["maxLength"] == 200
    person = document["paths"]["/api/v1/registry/people/{person_id}"]["get"]["parameters"][0]["schema"]
    assert person["minimum"] == 1 and person["maximum"] == 2**63 - 1
