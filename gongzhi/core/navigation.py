"""The main navigation: each app declares its entries in its nav.py (listed in settings.GONGZHI_NAV_MODULES),
each with a predicate on the Actor, so that a persona sees only what it can use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.conf import settings
from django.urls import reverse
from django.utils.functional import Promise

from gongzhi.core.actors import Actor


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    shown: Callable[[Actor], bool]
    order: int = 100


@cache
def _all_items() -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for module in settings.GONGZHI_NAV_MODULES:
        items.extend(import_module(module).NAV_ITEMS)
    return tuple(sorted(items, key=lambda item: item.order))


def nav_for(actor: Actor) -> list[tuple[str, str]]:
    if not actor.is_authenticated:
        return []
    return [(str(item.label), reverse(item.url_name)) for item in _all_items() if item.shown(actor)]
