"""The cockpit's cache: figures are built once per version of the aggregates and per scope; a refresh that
writes, or a Duty granted, gives fresh figures."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import timezone

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty
from gongzhi.dashboards import board, caching, selectors, services
from gongzhi.registry.models import Household

pytestmark = pytest.mark.django_db


def _households(actor) -> str:  # type: ignore[no-untyped-def]
    focus = selectors.focus_for(actor=actor)
    today = timezone.localdate()
    sections = caching.cached(
        actor=actor,
        focus=focus,
        part="headline",
        today=today,
        version=caching.figures_version(),
        build=lambda: board.headline_sections(actor=actor, focus=focus, today=today),
    )
    return next(t.value for s in sections for t in s.tiles if t.key == "households")


def test_a_refresh_that_writes_gives_fresh_figures(world, actor_of) -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    services.refresh()
    jiedao = actor_of("jiedao")
    before = _households(jiedao)
    Household.objects.filter(pk=Household.objects.filter(is_active=True).first().pk).update(is_active=False)
    # Nothing refreshed yet: the cached figures stand, as the stored ones would.
    assert _households(jiedao) == before
    services.refresh(now=timezone.now() + services.STOCK_MAX_AGE)
    assert int(_households(jiedao)) == int(before) - 1


def test_a_duty_granted_is_another_scope(world, actor_of) -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    services.refresh()
    user = world.users["wangge_a"]
    only_a = _households(actor_for_user(user))
    Duty.objects.create(user=user, role=Role.GRID_HEAD, grid=world.grid_b, starts_on=timezone.localdate())
    both = _households(actor_for_user(user))
    expected = Household.objects.filter(is_active=True, grid__in=[world.grid_a, world.grid_b]).count()
    assert only_a != both and int(both) == expected
