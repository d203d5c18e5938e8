"""The month's indicators, proved against an independent count over the same rows."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from gongzhi.cases.choices import HandlerKind
from gongzhi.cases.models import Case
from gongzhi.cases.tests.helpers import report_leak
from gongzhi.stewardship import indicators
from gongzhi.stewardship.models import Contract, LedgerEntry
from gongzhi.stewardship.tests.helpers import rows_for_routes

pytestmark = pytest.mark.django_db

FIRST, LAST = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def test_manager_indicators_match_an_independent_count(world, actor_of):  # type: ignore[no-untyped-def]
    rows_for_routes(world)  # X小区 under 路由物业 since 100 days ago
    Contract.objects.update(starts_on=dt.date(2026, 1, 1))
    rng = random.Random(7)
    jumin = actor_of("jumin")
    for _ in range(40):
        case = report_leak(world, jumin)
        dispatched = _at(dt.date(2026, 10, 25) + dt.timedelta(days=rng.randint(0, 45)), rng.choice((0, 8, 23)))
        handled = rng.random() < 0.7
        Case.objects.filter(pk=case.pk).update(
            handler_kind=rng.choice((HandlerKind.PROPERTY, HandlerKind.PROPERTY, HandlerKind.COMMUNITY)),
            dispatched_at=dispatched,
            handled_at=dispatched + dt.timedelta(hours=5) if handled else None,
            is_on_time=rng.random() < 0.6 if handled else None,
            rework_count=rng.choice((0, 0, 1, 2)),
            rating=rng.choice((None, 1, 2, 3, 5)),
        )
    start, end = _at(FIRST, 0), _at(LAST + dt.timedelta(days=1), 0)
    mine = [
        c
        for c in Case.objects.filter(compound=world.compound_x)
        if c.handler_kind == HandlerKind.PROPERTY and c.dispatched_at and start <= c.dispatched_at < end
    ]
    handled = [c for c in mine if c.handled_at]
    expected = (
        len(mine),
        len(handled),
        sum(1 for c in handled if c.is_on_time),
        sum(1 for c in mine if c.rework_count),
        sum(1 for c in mine if c.rating is not None and c.rating <= 2),
    )
    (row,) = indicators.manager_indicators(first=FIRST, last=LAST)
    assert (row.dispatched, row.handled, row.on_time, row.reworked, row.complaints) == expected
    assert 0 < row.dispatched < 40  # the month's window and the handler filter both cut
    assert row.on_time_permille == expected[2] * 1000 // expected[1]


def test_ledger_completeness_over_the_month(world, actor_of, settings):  # type: ignore[no-untyped-def]
    settings.GONGZHI_LEDGER_REQUIRED_DAYS = {"manager": {"patrol": 31, "safety": 4}, "committee": {"meeting": 1}}
    rows_for_routes(world)
    Contract.objects.update(starts_on=dt.date(2026, 1, 1))
    LedgerEntry.objects.all().delete()
    wuye = world.user("wuye")
    for day in [FIRST + dt.timedelta(days=i) for i in range(0, 30, 3)]:  # 10 patrol days, twice each
        for _ in range(2):
            LedgerEntry.objects.create(
                compound=world.compound_x,
                side="manager",
                kind="patrol",
                day=day,
                text="巡查",
                author=wuye,
                author_name="w",
            )
    LedgerEntry.objects.create(
        compound=world.compound_x,
        side="committee",
        kind="meeting",
        day=FIRST,
        text="例会",
        author=wuye,
        author_name="w",
    )
    (row,) = indicators.manager_indicators(first=FIRST, last=LAST)
    assert row.ledger_permille == 10 * 1000 // (30 + 4)
    (committee,) = indicators.committee_indicators(first=FIRST, last=LAST)
    assert (committee.meeting_days, committee.finance_days) == (1, 0)
