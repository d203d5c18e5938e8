"""Reads of a few routes go to the PostgreSQL read replica; everything else, and every write, to the primary.

The choice is made per request, not per model: the same Case table is read from the replica by the cockpit
and from the primary by the case page a handler is editing. ``ReplicaRoutingMiddleware`` (core/middleware.py)
marks a request as replica-eligible by its route (``REPLICA_NAMESPACES``, ``REPLICA_URL_NAMES``) and sets a
context variable that ``ReplicaRouter`` reads.

Read-your-writes: a replica lags the primary by milliseconds to seconds. After a client writes (an unsafe
method, or any write through the router during a request), its reads stay on the primary for
GONGZHI_READ_YOUR_WRITES_SECONDS. The moment is kept in the cache (Redis in production, so every app node
sees it), keyed by user id and by client address: session users, API token clients and Open311 api_key
clients all read back what they wrote.

Only installed when GONGZHI_DB_REPLICA_HOST/PORT are set (config/settings/base.py): without a replica there
is no alias, no router and no middleware.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_DB_ALIAS = "replica"

# Routes whose GETs read from the replica: the cockpit and its reports, the Open311 reads, the case measures
# and the spreadsheet exports (large reads that tolerate a second of lag; DESIGN.md §5).
REPLICA_NAMESPACES = frozenset({"dashboards", "open311"})
REPLICA_URL_NAMES = frozenset(
    {
        "cases:measures",
        "cases:measures-export",
        "registry:export-people",
        "registry:export-households",
        "registry:export-dwellings",
        "registry:quality-export",
        "stewardship:ledger-export",
        "stewardship:month-export",
        "volunteering:order-export",
        "volunteering:ledger-export",
        "volunteering:hours-export",
        "party:member-export",
        "party:report-export",
        "party:report-feedback-xlsx",
        "publicity:unread-export",
        "campaigns:answer-export",
        "campaigns:missing-export",
        "votes:poll-export",
    }
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Writes that a client never reads back, so they do not pin its reads to the primary: the session row and
# the personal-data access log that an export itself writes.
BOOKKEEPING_MODELS = frozenset({"sessions.session", "core.accesslog"})


@dataclass
class RequestRouting:
    """The routing state of one request: may it read the replica, and has it written yet."""

    eligible: bool = False
    wrote: bool = False


current: ContextVar[RequestRouting | None] = ContextVar("gongzhi_request_routing", default=None)


def route_is_replica_eligible(*, method: str, namespace: str, view_name: str) -> bool:
    """Whether a request to this route (``namespace`` and ``view_name`` of its resolver match) reads the replica."""
    if method not in SAFE_METHODS:
        return False
    return namespace.split(":", 1)[0] in REPLICA_NAMESPACES or view_name in REPLICA_URL_NAMES


def within_write_window(*, last_write_at: float | None, now: float, window_seconds: float) -> bool:
    """Whether a client that last wrote at ``last_write_at`` (a Unix time) still reads the primary at ``now``."""
    return last_write_at is not None and now - last_write_at < window_seconds


def read_alias(*, state: RequestRouting | None, in_primary_transaction: bool) -> str:
    """The alias a read goes to: the replica only for an eligible request that has not written and is not
    inside a transaction on the primary (a read in a transaction must see that transaction's rows)."""
    if state is None or not state.eligible or state.wrote or in_primary_transaction:
        return DEFAULT_DB_ALIAS
    return REPLICA_DB_ALIAS


def write_keys(*, user_id: int | None, address: str) -> list[str]:
    """The cache keys a client's write is kept under: its user and its address. A token or api_key client
    is only known after the view has run, so it is found again before the next view by its address."""
    keys = [f"gongzhi:wrote:u{user_id}"] if user_id is not None else []
    return [*keys, f"gongzhi:wrote:a{address}"] if address else keys


def read_key(*, user_id: int | None, address: str) -> str:
    """The key a client's last write is looked up under: a signed-in user's own (colleagues behind one office
    address do not pin each other to the primary), else the address's."""
    return f"gongzhi:wrote:u{user_id}" if user_id is not None else f"gongzhi:wrote:a{address}"


class ReplicaRouter:
    """DATABASE_ROUTERS entry when a replica is configured."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        return read_alias(state=current.get(), in_primary_transaction=connections[DEFAULT_DB_ALIAS].in_atomic_block)

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        state = current.get()
        if state is not None and model._meta.label_lower not in BOOKKEEPING_MODELS:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
