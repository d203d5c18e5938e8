"""Badges an app higher up lends to people and households shown by apps below it.

The party app's 亮身份 (a member's badge on their volunteer profile, 党员户 on the building's household list)
must show on pages of volunteering and territory, which may not import party. Each module listed in
settings.GONGZHI_BADGE_MODULES offers any of ``person_badges(ids)``, ``household_badges(ids)`` and
``activity_badges(ids)`` (a volunteering activity tagged 党员服务) returning {id: [label, …]}; pages ask
here, once per page, and show what comes back. A provider decides who may be shown (the party's rule:
only with the member's consent).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import import_module
from types import ModuleType

from django.conf import settings


@cache
def _providers() -> tuple[ModuleType, ...]:
    return tuple(import_module(name) for name in settings.GONGZHI_BADGE_MODULES)


def _collect(function: str, ids: Iterable[int]) -> dict[int, list[str]]:
    wanted = [i for i in ids if i is not None]
    found: dict[int, list[str]] = {}
    if not wanted:
        return found
    for provider in _providers():
        lookup = getattr(provider, function, None)
        if lookup is None:
            continue
        for pk, labels in lookup(wanted).items():
            found.setdefault(pk, []).extend(labels)
    return found


def person_badges(person_ids: Iterable[int]) -> dict[int, list[str]]:
    return _collect("person_badges", person_ids)


def household_badges(household_ids: Iterable[int]) -> dict[int, list[str]]:
    return _collect("household_badges", household_ids)


def activity_badges(activity_ids: Iterable[int]) -> dict[int, list[str]]:
    return _collect("activity_badges", activity_ids)
