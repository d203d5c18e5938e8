"""The aggregates: the refresh folds in only what changed, the recompute finds and fixes drift, and every
actor's sums stay inside their scope."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from gongzhi.cases.choices import Action
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.services import case_transition
from gongzhi.cases.tests.helpers import clean_photo, report_leak
from gongzhi.cases.worktime import TZ
from gongzhi.dashboards import selectors, services
from gongzhi.dashboards.models import Figure, FigureMonth, SourceMark
from gongzhi.registry.models import Household
from gongzhi.testing.world import add_orphans

pytestmark = pytest.mark.django_db


def _stock(actor, key: str) -> int:  # type: ignore[no-untyped-def]
    focus = selectors.focus_for(actor=actor)
    today = timezone.localdate()
    return selectors.flow_totals(actor=actor, focus=focus, keys=[key], since=today, until=today)[key]


def test_households_count_per_scope_and_outside_grids(world, actor_of) -> None:  # type: ignore[no-untyped-def]
    add_orphans(world)
    services.refresh()
    active = Household.objects.filter(is_active=True)
    assert _stock(actor_of("jiedao"), "households") == active.count()
    assert _stock(actor_of("wangge_a"), "households") == active.filter(grid=world.grid_a).count()
    community = active.filter(org_path__startswith=world.community.path).count()
    assert _stock(actor_of("shequ"), "households") == community
    # The households of the building nobody put in a grid count in their compound, under no grid.
    assert Figure.objects.filter(key="households", grid_id=0).exists()


def test_refresh_skips_a_source_where_nothing_happened(world) -> None:  # type: ignore[no-untyped-def]
    first = services.refresh()
    assert {r.source for r in first} >= {"registry", "cases", "campaigns"}
    assert services.refresh() == []
    assert SourceMark.objects.filter(source="cases").exists()


def test_recompute_reports_and_fixes_drift(world, actor_of) -> None:  # type: ignore[no-untyped-def]
    services.refresh()
    row = Figure.objects.filter(key="households").first()
    assert row is not None
    Figure.objects.filter(pk=row.pk).update(value=row.value + 7)
    run = services.recompute()
    assert run.drift_count == 1
    assert run.drift[0]["stored"] == row.value + 7 and run.drift[0]["computed"] == row.value
    assert services.recompute().drift_count == 0


def _dispatched(world, actor_of):  # type: ignore[no-untyped-def]
    case = report_leak(world, actor_of("jumin"))
    case = case_transition(actor=actor_of("wangge_a"), case=case, action=Action.ACCEPT)
    return case_transition(actor=actor_of("wangge_a"), case=case, action=Action.DISPATCH)


def _sum(key: str, **filters) -> int:  # type: ignore[no-untyped-def]
    return sum(Figure.objects.filter(key=key, **filters).values_list("value", flat=True))


def test_a_case_event_refreshes_the_days_it_touches(world, actor_of) -> None:  # type: ignore[no-untyped-def]
    services.refresh()
    case = _dispatched(world, actor_of)
    [cases] = [r for r in services.refresh() if r.source == "cases"]
    reported_on = case.created_at.astimezone(TZ).date()
    deadline_on = case.deadline_at.astimezone(TZ).date()
    # The span from the report to the deadline, and nothing else.
    assert cases.flow_days == (deadline_on - reported_on).days + 1
    assert _sum("cases_reported", day=reported_on, grid_id=world.grid_a.pk) == 1
    assert _sum("cases_due", day=deadline_on) == 1 and _sum("cases_open") == 1
    assert _sum("cases_due_on_time") == 0
    case = case_transition(
        actor=actor_of("wuye"), case=case, action=Action.HANDLE, note="已修好", photos=[clean_photo()]
    )
    services.refresh()
    assert services.recompute().drift_count == 0


def test_an_extension_moves_the_case_off_its_old_deadline_day(world, actor_of) -> None:  # type: ignore[no-untyped-def]
    case = _dispatched(world, actor_of)
    services.refresh()
    old_day = case.deadline_at.astimezone(TZ).date()
    later = case.deadline_at + dt.timedelta(days=5)
    # An extension granted: the case's deadline moves later, and its event is written.
    Case.objects.filter(pk=case.pk).update(deadline_at=later, extension_count=1)
    CaseEvent.objects.create(
        case=case,
        at=timezone.now(),
        actor_name="wangge_a",
        action="extend",
        from_status="dispatched",
        to_status="dispatched",
    )
    services.refresh()
    assert _sum("cases_due", day=old_day) == 0
    assert _sum("cases_due", day=later.astimezone(TZ).date()) == 1
    assert services.recompute().drift_count == 0


def test_overdue_grows_with_time_alone(world, actor_of) -> None:  # type: ignore[no-untyped-def]
    case = _dispatched(world, actor_of)
    services.refresh()
    assert _sum("cases_overdue") == 0
    # No event happens; the deadline passes. Within the stocks' age the refresh skips, after it counts.
    with time_machine.travel(case.deadline_at + dt.timedelta(minutes=5)):
        services.refresh()
        services.refresh(now=timezone.now() + services.STOCK_MAX_AGE)
        assert _sum("cases_overdue", day=timezone.localdate()) == 1


def test_the_headline_reads_each_period_once(world, actor_of, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    from gongzhi.dashboards import board

    services.refresh()
    actor = actor_of("jiedao")
    focus = selectors.focus_for(actor=actor)
    with django_assert_max_num_queries(12):
        sections = board.headline_sections(actor=actor, focus=focus, today=timezone.localdate())
    tiles = {t.key: t for s in sections for t in s.tiles}
    assert tiles["households"].value == str(Household.objects.filter(is_active=True).count())


def test_monthly_sums_follow_the_daily_rows(world, actor_of) -> None:  # type: ignore[no-untyped-def]
    case = _dispatched(world, actor_of)
    services.refresh()
    actor = actor_of("jiedao")
    focus = selectors.focus_for(actor=actor)
    deadline_on = timezone.localdate(case.deadline_at)
    months = dict(selectors.by_month(actor=actor, focus=focus, keys=["cases_due"], last=deadline_on, months=2))
    assert months[deadline_on.replace(day=1)]["cases_due"] == 1
    # The case is rejected after all (its due row goes): the month's sum follows at the next refresh.
    Case.objects.filter(pk=case.pk).update(status="rejected")
    CaseEvent.objects.create(
        case=case,
        at=timezone.now(),
        actor_name="wangge_a",
        action="reject",
        from_status="dispatched",
        to_status="rejected",
    )
    services.refresh()
    months = dict(selectors.by_month(actor=actor, focus=focus, keys=["cases_due"], last=deadline_on, months=2))
    assert months[deadline_on.replace(day=1)]["cases_due"] == 0
    assert FigureMonth.objects.filter(key="cases_due").count() == 0
