"""Root fixtures: the test world with the personas of DESIGN.md §1 (gongzhi.testing.world)."""

from __future__ import annotations

import os

import pytest

from gongzhi.core.actors import Actor


@pytest.fixture(autouse=True)
def _empty_cache():  # type: ignore[no-untyped-def]
    """Each test starts with an empty cache: what one test's figures left there (dashboards.caching) is not
    another's, whose database starts over."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    from gongzhi.testing.world import build_world

    return build_world()


@pytest.fixture
def actor_of(world):  # type: ignore[no-untyped-def]
    """actor_of("wangge_a") → the Actor that persona's requests get."""
    from gongzhi.accounts.actors import actor_for_user

    def build(username: str) -> Actor:
        return actor_for_user(world.user(username))

    return build


@pytest.fixture
def client_of(world, client):  # type: ignore[no-untyped-def]
    """client_of("jiedao") → a test client logged in as that persona."""
    from django.test import Client

    def login(username: str) -> Client:
        c = Client()
        c.force_login(world.user(username))
        return c

    return login


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    # Browser journeys need Debian's chromium; CI sets GONGZHI_REQUIRE_BROWSER=1 so a missing browser fails.
    if os.path.exists("/usr/bin/chromium") or os.environ.get("GONGZHI_REQUIRE_BROWSER") == "1":
        return
    skip = pytest.mark.skip(reason="/usr/bin/chromium is not installed (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)
