"""The actor's scope and API tokens, cached across requests and dropped when anything they rest on changes.

Building an Actor reads the user's current Duties with their nodes and the user's registry person: two
queries on every request, and on an API call a third for the token. Here the built Actor (without the
per-request address and second-factor flag) is kept in the cache under the user's id, together with the
user's *generation* it was built under, bumped when one of their Duties, their account or their registry
person changes (signals, and the registry import's bulk update). Nodes never move (their path and kind are
fixed at creation), so nothing else an Actor rests on can change.

One ``get_many`` reads the entry and the generation; an entry built under an older generation is rebuilt.
Every bump happens at once and again when the writing transaction commits: a request that read the old
Duties just before the commit stored its Actor under the old generation, and the bump at commit makes it
stale. The entry also expires after ``GONGZHI_ACTOR_CACHE_SECONDS``, and its key carries the day, because
a Duty's dates decide whether it counts today.

The cache must be shared by every process that serves requests (Redis in production): with a per-process
cache, a Duty revoked through one worker would still count in another. ``GONGZHI_ACTOR_CACHE_SECONDS`` is
therefore 0 (off) unless ``GONGZHI_REDIS_URL`` is set, or a single process serves (tests, runserver).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from gongzhi.core.actors import Actor


def enabled() -> bool:
    return settings.GONGZHI_ACTOR_CACHE_SECONDS > 0


def _generation_key(user_id: int) -> str:
    return f"actor-gen:u{user_id}"


def _entry_key(user_id: int, day: dt.date) -> str:
    return f"actor:u{user_id}:{day.isoformat()}"


def cached_actor(user_id: int, build: Callable[[], Actor], *, ip_address: str, is_verified: bool) -> Actor:
    """The Actor of ``user_id`` from the cache, or ``build()`` stored there; per-request fields set."""
    if not enabled():
        return dataclasses.replace(build(), ip_address=ip_address, is_verified=is_verified)
    entry_key, generation_key = _entry_key(user_id, timezone.localdate()), _generation_key(user_id)
    found = cache.get_many([entry_key, generation_key])
    generation = found.get(generation_key)
    entry = found.get(entry_key)
    if entry is not None and entry[0] == generation:
        actor: Actor = entry[1]
    else:
        actor = build()
        cache.set(entry_key, (generation, dataclasses.replace(actor, ip_address="", is_verified=False)), _ttl())
    return dataclasses.replace(actor, ip_address=ip_address, is_verified=is_verified)


def _ttl() -> int:
    return int(settings.GONGZHI_ACTOR_CACHE_SECONDS)


def _bump(keys: list[str], entries: list[str]) -> None:
    """New generations for ``keys`` and ``entries`` dropped, now and again when the transaction commits."""

    def bump() -> None:
        # Generations outlive the entries they guard, so that an evicted generation cannot match an old entry.
        cache.set_many(dict.fromkeys(keys, time.time_ns()), _ttl() * 4 + 60)
        if entries:
            cache.delete_many(entries)

    bump()
    transaction.on_commit(bump)


def invalidate_users(user_ids: Iterable[int | None]) -> None:
    """After a change to these users' Duties, accounts or registry persons."""
    ids = sorted({i for i in user_ids if i is not None})
    if not ids or not enabled():
        return
    today = timezone.localdate()
    days = (today - dt.timedelta(days=1), today, today + dt.timedelta(days=1))
    _bump([_generation_key(i) for i in ids], [_entry_key(i, d) for i in ids for d in days])


# --- API tokens -------------------------------------------------------------------------------------

TOKEN_GENERATION = "api-token-gen"  # noqa: S105 - a cache key, not a secret


def _token_key(digest: str) -> str:
    return f"api-token:{digest}"


def cached_token(digest: str, load: Callable[[], dict[str, Any] | None]) -> dict[str, Any] | None:
    """What ``load`` found for a live token (its id, user id, expiry, last use), from the cache if there.

    Entries are guarded by one generation for all tokens, read before ``load``: revoking any token bumps it
    (tokens are revoked rarely, and every entry is rebuilt with one query). A user deactivated since is
    caught by the Actor, which is rebuilt on their generation and is anonymous for an inactive user.
    """
    if not enabled():
        return load()
    key = _token_key(digest)
    found = cache.get_many([key, TOKEN_GENERATION])
    generation = found.get(TOKEN_GENERATION)
    entry = found.get(key)
    if entry is not None and entry["generation"] == generation:
        return dict(entry)
    loaded = load()
    if loaded is not None:
        cache.set(key, {**loaded, "generation": generation}, _ttl())
    return loaded


def note_token_use(digest: str, when: dt.datetime) -> None:
    """The cached entry learns the last use written to the database, so that it is not written again at once."""
    if not enabled():
        return
    key = _token_key(digest)
    entry = cache.get(key)
    if entry is not None:
        cache.set(key, {**entry, "last_used_at": when}, _ttl())


def invalidate_tokens() -> None:
    """After a token is revoked: every cached token is read again."""
    if enabled():
        _bump([TOKEN_GENERATION], [])
