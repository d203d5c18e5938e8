"""The hash chain of the audit trail and the access log (MLPS level 3, security audit: protection of records).

Each row carries the previous row's hash (``prev_hash``) and its own: ``row_hash`` = SHA-256 over ``prev_hash`` and
the canonical JSON of the model's CHAINED_FIELDS. Editing a row breaks its own hash; removing one breaks the link of
the row after it.

Appending takes the chain's lock inside the writing transaction and holds it to commit, so two requests never read
the same last row and fork the chain, and no row points at one that rolled back: on PostgreSQL a transaction-level
advisory lock per table; on SQLite the database write lock that IMMEDIATE transactions take at BEGIN (in another
mode a second writer would fail with "database is locked", never fork). The append is one read of the last row by
primary key and one insert.

The retention purge removes only an id prefix and records, in its own audit entry (chained in turn), the first row
it kept and that row's ``prev_hash``: the anchor the verification starts from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, transaction
from django.utils import timezone

from gongzhi.core.models import AccessLog, AuditEntry, ChainedLogModel

GENESIS = "0" * 64
PRUNE_ACTION = "core.logs_prune"
CHAINED_MODELS: tuple[type[ChainedLogModel], ...] = (AuditEntry, AccessLog)

M = TypeVar("M", bound=ChainedLogModel)


def _normalised(value: Any) -> Any:
    """A value as it reads back from either database: JSON through a round trip, integral floats as integers
    (PostgreSQL's jsonb gives 1.0 back as 1), datetimes in UTC."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _normalised(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalised(v) for v in value]
    return value


def canonical(fields: Sequence[str], values: Sequence[Any]) -> str:
    """The row's chained fields as one JSON text: sorted keys, no spaces, UTF-8 as is."""
    data = {
        name: _normalised(json.loads(json.dumps(value)) if isinstance(value, dict | list) else value)
        for name, value in zip(fields, values, strict=True)
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def row_digest(prev_hash: str, fields: Sequence[str], values: Sequence[Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(fields, values)).encode("utf-8")).hexdigest()


def _lock_key(model: type[ChainedLogModel]) -> int:
    digest = hashlib.sha256(f"gongzhi.chain:{model._meta.db_table}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def chain_lock(model: type[ChainedLogModel]) -> None:
    """Within a transaction: wait for the chain's previous writer to commit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(model)])
    # SQLite: the IMMEDIATE transaction already holds the database's single write lock.


def chain_head(model: type[ChainedLogModel]) -> str:
    return model.objects.order_by("-id").values_list("row_hash", flat=True).first() or GENESIS


def chain_append(model: type[M], **values: Any) -> M:
    """The one way rows enter a chained log."""
    with transaction.atomic():
        chain_lock(model)
        row = model(at=timezone.now(), prev_hash=chain_head(model), **values)
        for field in model._meta.concrete_fields:
            if field.attname in model.CHAINED_FIELDS:
                # What the row reads back as: a CharField given a lazy string or a number comes back a str.
                setattr(row, field.attname, field.to_python(getattr(row, field.attname)))
        row.row_hash = row_digest(
            row.prev_hash, model.CHAINED_FIELDS, [getattr(row, name) for name in model.CHAINED_FIELDS]
        )
        row.save(force_insert=True)
    return row


def chain_anchor(model: type[ChainedLogModel]) -> tuple[int | None, str]:
    """The first row the chain must start with and the ``prev_hash`` it must carry: the last purge's record, or
    (any first row, GENESIS) when nothing was ever purged."""
    entry = (
        AuditEntry.objects.filter(action=PRUNE_ACTION, target_type=model._meta.label_lower)
        .order_by("-id")
        .values_list("target_id", "after")
        .first()
    )
    if entry is None:
        return None, GENESIS
    target_id, after = entry
    return int(target_id), str(after.get("anchor", ""))


@dataclass(frozen=True)
class ChainBreak:
    """The first bad row of a chain. For a link, ``expected`` is the previous row's hash and ``found`` the row's
    ``prev_hash``; for a row, ``expected`` is its stored ``row_hash`` and ``found`` the hash of its fields now."""

    table: str
    row_id: int
    problem: str
    expected: str
    found: str

    def __str__(self) -> str:
        return f"{self.table} row {self.row_id}: {self.problem}: expected {self.expected}, found {self.found}"


@dataclass(frozen=True)
class ChainReport:
    table: str
    rows: int
    first_id: int | None
    head_id: int | None
    head_hash: str
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _rows(model: type[ChainedLogModel], batch: int) -> Iterator[tuple[Any, ...]]:
    last_id = 0
    while True:
        rows = list(
            model.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", "prev_hash", "row_hash", *model.CHAINED_FIELDS)[:batch]
        )
        yield from rows
        if len(rows) < batch:
            return
        last_id = rows[-1][0]


def chain_verify(model: type[ChainedLogModel], *, batch: int = 2000) -> ChainReport:
    """Walk the table in id order, ``batch`` rows at a time; stop at the first broken row."""
    table = model._meta.db_table
    anchor_id, expected_prev = chain_anchor(model)
    count, first_id, row_id, found_hash = 0, None, None, GENESIS

    def report(broken: ChainBreak | None) -> ChainReport:
        return ChainReport(table, count, first_id, row_id, found_hash, broken)

    for row_id, prev_hash, found_hash, *values in _rows(model, batch):
        if first_id is None:
            first_id = row_id
            if anchor_id is not None and row_id != anchor_id:
                return report(
                    ChainBreak(
                        table, row_id, "first row is not the one the last purge kept", f"id {anchor_id}", f"id {row_id}"
                    )
                )
        count += 1
        if prev_hash != expected_prev:
            problem = (
                "the chain starts from an unknown row" if count == 1 else "the row before it was removed or altered"
            )
            return report(ChainBreak(table, row_id, f"prev_hash ({problem})", expected_prev, prev_hash))
        digest = row_digest(prev_hash, model.CHAINED_FIELDS, values)
        if digest != found_hash:
            return report(ChainBreak(table, row_id, "row_hash (the row was altered)", found_hash, digest))
        expected_prev = found_hash
    if count == 0 and anchor_id is not None:
        return report(ChainBreak(table, anchor_id, "every row was removed", f"id {anchor_id}", "no rows"))
    return report(None)


def chains_verify(*, batch: int = 2000) -> list[ChainReport]:
    """Both chains. On PostgreSQL from one snapshot, so a purge or appends meanwhile are not a break; SQLite reads
    without a transaction, which there would hold the write lock for the whole walk."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return [chain_verify(model, batch=batch) for model in CHAINED_MODELS]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return [chain_verify(model, batch=batch) for model in CHAINED_MODELS]
