"""Query budgets: every page the route matrix reaches, opened by the personas who use it, runs at most
BUDGET queries (issue 18), whatever the size of the data — a count that grows with the rows is an N+1.

The pages still above the budget are listed in OVER_BUDGET with their count today, as a ceiling: they may get
better, never worse, and each is issue 18's to bring down."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver

from tests.test_routes import POST_ONLY, _kwargs, _url, walk

BUDGET = 20
PERSONAS = ("jiedao", "shequ", "wangge_a", "jumin")
# Page: the most queries it may run today (measured on the test world, its cache empty).
OVER_BUDGET = {
    "dashboards:cockpit": 38,  # the headline (14), charts (7), map table and overdue list, built cold
    "publicity:honour-score": 29,
    # 25 before the access log was hash-chained: its write now also locks the chain and reads its head
    # (core.chain, one query on SQLite, two on PostgreSQL).
    "party:org-detail": 27,
    "publicity:honour-roll-node": 21,
    "publicity:honour-detail": 21,
}


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
