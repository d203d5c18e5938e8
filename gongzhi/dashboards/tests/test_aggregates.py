"""The aggregates: the refresh folds in only what changed, the recompute finds and fixes drift, and every
actor's sums stay inside their scope."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gongzhi.dashboards import selectors, services
from gongzhi.dashboards.models import Figure, SourceMark
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
