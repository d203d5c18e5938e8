"""The cockpit's figures kept between requests: a headline or a chart is built once per version of the
stored aggregates (it changes whenever a refresh or a recompute writes), per scope and language, and read from the
cache until then. The key holds the actor's grants, so a Duty granted or ended is a different key."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.utils.translation import get_language

from gongzhi.core.actors import Actor
from gongzhi.dashboards import selectors
from gongzhi.dashboards.selectors import Focus

T = TypeVar("T")
# Long enough for a morning of visits between refreshes; the version, not the timeout, keeps it right.
TIMEOUT = 15 * 60


def figures_version(marks: tuple[dt.datetime | None, int] | None = None) -> str:
    """Changes whenever the aggregates are written: every source's refresh time (a recompute sets them too).
    ``marks``: selectors.source_marks(), when the page has read them (for its freshness line too)."""
    at, n = marks if marks is not None else selectors.source_marks()
    return f"{at.isoformat() if at else '-'}/{n}"


def cache_key(*, actor: Actor, focus: Focus, part: str, today: dt.date, version: str) -> str:
    grants = sorted((g.role, g.node_path or "", g.grid_id or 0) for g in actor.grants)
    raw = repr((part, today.isoformat(), get_language(), focus.param, actor.is_system, grants, version))
    return "dashboards:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def cached(*, actor: Actor, focus: Focus, part: str, today: dt.date, version: str, build: Callable[[], T]) -> T:
    key = cache_key(actor=actor, focus=focus, part=part, today=today, version=version)
    value: T | None = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value
