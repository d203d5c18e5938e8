"""Query budgets: every page the route matrix reaches, opened by the personas who use it, runs at most
BUDGET queries (issue 18), whatever the size of the data — a count that grows with the rows is an N+1.

Every GET operation of /api/v1 keeps the same budget, called with a bearer token as each persona.

A page or operation still above the budget would be listed in OVER_BUDGET (API_OVER_BUDGET) with its count,
as a ceiling: it may get better, never worse. None is today."""

from __future__ import annotations

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver

from config.api import api
from gongzhi.accounts.middleware import LAST_SEEN_KEY
from tests.test_routes import API_OPERATIONS, POST_ONLY, _kwargs, _url, walk

BUDGET = 20
PERSONAS = ("jiedao", "shequ", "wangge_a", "jumin")
# Page: the most queries it may run today (measured on the test world, its cache empty), while above BUDGET.
# Empty since issue 18 brought the last five down (the cockpit, the honour score, detail and roll pages, the
# party organisation page); a page that goes over gets a line here only with a reason.
OVER_BUDGET: dict[str, int] = {}


def _seen_now(client) -> None:  # type: ignore[no-untyped-def]
    """Set the idle clock to now, outside the count: the session is written for it once a minute
    (accounts.middleware), on whichever request comes then — a walk slower than a minute would otherwise
    charge that write to a page at random."""
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time())
    session.save()


def _counts(world, client_of):  # type: ignore[no-untyped-def]
    from gongzhi.dashboards import services

    services.refresh()  # the cockpit reads the stored aggregates
    kwargs = _kwargs(world)
    counts: dict[str, int] = {}
    for persona in PERSONAS:
        client = client_of(persona)
        client.get("/")  # the session's first request loads what every later one reuses
        for name, pattern in walk(get_resolver().url_patterns):
            if name.startswith(("admin:", "api:")) or name in POST_ONLY:
                continue
            _seen_now(client)
            try:
                with CaptureQueriesContext(connection) as queries:
                    client.get(_url(name, pattern, kwargs))
            except FileNotFoundError:
                continue  # a photo route whose test-world row has no file behind it: not a page

            counts[name] = max(counts.get(name, 0), len(queries.captured_queries))
    return counts


def test_every_page_keeps_its_query_budget(world, client_of) -> None:  # type: ignore[no-untyped-def]
    counts = _counts(world, client_of)
    over = {name: n for name, n in counts.items() if n > OVER_BUDGET.get(name, BUDGET)}
    assert not over, f"pages over their query budget: {over}"
    assert len(counts) > 100  # the matrix was walked


# The API half: every GET operation of /api/v1, called with a bearer token as each persona. An operation
# still above BUDGET would be listed here with its count and why (none is).
API_OVER_BUDGET: dict[str, int] = {}
API_MIN_OPERATIONS = 25  # the GETs of API_OPERATIONS (tests/test_routes.py) today: 28


def _published_poll(world) -> int:  # type: ignore[no-untyped-def]
    from gongzhi.accounts.actors import actor_for_user
    from gongzhi.votes import services
    from gongzhi.votes.tests.helpers import opened

    actor = actor_for_user(world.user("shequ"))
    poll = opened(actor, world.compound_x)
    services.poll_close(actor=actor, poll=poll)
    return services.poll_publish(actor=actor, poll=poll).pk


def _api_counts(world, client) -> tuple[dict[str, int], set[str]]:  # type: ignore[no-untyped-def]
    from gongzhi.accounts.security import api_token_create

    kwargs = _kwargs(world)
    # The result of the route rows' open poll is sealed (403): it is counted on a published poll's.
    rows = {"/api/v1/votes/polls/{poll_id}/result": {**kwargs, "poll_id": _published_poll(world)}}
    paths = [path for (method, path) in API_OPERATIONS if method == "get"]
    counts: dict[str, int] = {}
    answered: set[str] = set()  # operations some persona got a 200 from: a count of a real answer
    for persona in PERSONAS:
        _, token = api_token_create(user=world.user(persona), name="budget")
        bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        client.get("/api/v1/cases/categories", **bearer)  # the token's first use loads what later ones reuse
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path.format(**rows.get(path, kwargs)), **bearer)
            assert response.status_code < 500, path
            if response.status_code == 200:
                answered.add(path)
            counts[path] = max(counts.get(path, 0), len(queries.captured_queries))
    return counts, answered


def test_every_api_operation_keeps_its_query_budget(world, client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.GONGZHI_API_RATE = "100000/m"
    counts, answered = _api_counts(world, client)
    over = {path: n for path, n in counts.items() if n > API_OVER_BUDGET.get(path, BUDGET)}
    assert not over, f"API operations over their query budget: {over}"
    schema_gets = {path for path, item in api.get_openapi_schema()["paths"].items() if "get" in item}
    assert set(counts) == schema_gets  # every GET of the document was walked
    assert len(counts) >= API_MIN_OPERATIONS
    # Each was counted on a real answer for at least one persona, not only on refusals.
    assert set(counts) - answered == set(), f"never answered 200: {sorted(set(counts) - answered)}"
