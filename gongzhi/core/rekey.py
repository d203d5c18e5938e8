"""Personal-data key rotation: every encrypted column re-encrypted under the first key of GONGZHI_PII_KEYS.

Tokens carry their key id (core.pii), so the work is resumable by construction: a row whose tokens are all
under the first key is skipped, and a run stopped anywhere is finished by running it again. Blind indexes
(the *_bidx columns) use GONGZHI_BLIND_INDEX_KEY and are not touched: rotating that key means recomputing
every index from the plaintext, a different operation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from gongzhi.core import pii
from gongzhi.core.pii import EncryptedTextField

DEFAULT_BATCH_SIZE = 500
UNREADABLE = "?"  # a non-empty value that is not a token of ours (it cannot be decrypted by any key)


@dataclass(frozen=True)
class EncryptedTable:
    """A table with encrypted columns: a model's own, or its simple_history copy."""

    label: str
    table: str
    pk: str
    columns: tuple[str, ...]


def encrypted_tables() -> list[EncryptedTable]:
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        columns = tuple(f.column for f in meta.concrete_fields if isinstance(f, EncryptedTextField))
        if columns:
            assert meta.pk is not None  # noqa: S101 - every concrete model has one
            found.append(EncryptedTable(meta.label, meta.db_table, meta.pk.column, columns))
    return sorted(found, key=lambda t: t.table)


def key_id_sql(column: str, vendor: str) -> str:
    """The key id of the token in a column, in SQL ("g1:<id>:<body>"); '?' for a value that is no token."""
    if vendor == "postgresql":
        part = f"split_part({column}, ':', 2)"
    else:
        part = f"substr({column}, 4, instr(substr({column}, 4), ':') - 1)"
    return f"CASE WHEN substr({column}, 1, 3) = '{pii.TOKEN_VERSION}:' THEN {part} ELSE '{UNREADABLE}' END"


def key_id_counts(cursor: Any, vendor: str, quote: Callable[[str], str]) -> dict[str, dict[str, int]]:
    """Tokens per key id, per "table.column", over any DB-API cursor (the live database or a backup's)."""
    counts: dict[str, dict[str, int]] = {}
    for table in encrypted_tables():
        for column in table.columns:
            col = quote(column)
            cursor.execute(
                f"SELECT {key_id_sql(col, vendor)}, COUNT(*) FROM {quote(table.table)} "  # noqa: S608 - names from models
                f"WHERE {col} IS NOT NULL AND {col} <> '' GROUP BY 1 ORDER BY 1"
            )
            counts[f"{table.table}.{column}"] = dict(cursor.fetchall())
    return counts


def key_id_totals(counts: dict[str, dict[str, int]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for by_key in counts.values():
        for key_id, n in by_key.items():
            totals[key_id] = totals.get(key_id, 0) + n
    return dict(sorted(totals.items()))


def token_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, dict[str, int]]:
    connection = connections[using]
    with connection.cursor() as cursor:
        return key_id_counts(cursor, connection.vendor, connection.ops.quote_name)


@dataclass(frozen=True)
class Batch:
    """One committed batch: which table, up to which primary key, how many tokens were re-encrypted."""

    label: str
    last_pk: Any
    tokens: int
    done: int  # rows re-encrypted in this table so far, this run
    total: int  # rows that needed it when the run reached this table


@dataclass
class Rotation:
    primary_id: str
    rows: int = 0
    tokens: int = 0
    batches: int = 0


def rotate(
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_batch: Callable[[Batch], None] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> Rotation:
    """Re-encrypt every token not under the first key, in batches by primary key, one transaction each.

    on_batch is called after each batch has committed (progress; a test stops the run there)."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    primary_id = pii.keyring().primary_id
    rotation = Rotation(primary_id)
    for table in encrypted_tables():
        total = _stale_rows(table, primary_id, using)
        done = 0
        for batch in _batches(table, primary_id, batch_size, using):
            done += batch.rows
            rotation.rows += batch.rows
            rotation.tokens += batch.tokens
            rotation.batches += 1
            if on_batch is not None:
                on_batch(Batch(table.label, batch.last_pk, batch.tokens, done, total))
    return rotation


@dataclass(frozen=True)
class _Done:
    rows: int
    tokens: int
    last_pk: Any


def _stale(column: str, primary_id: str) -> tuple[str, list[str]]:
    prefix = f"{pii.TOKEN_VERSION}:{primary_id}:"
    # substr, not LIKE: SQLite's LIKE ignores case, and key ids "a" and "A" are different keys.
    return f"({column} <> '' AND substr({column}, 1, {len(prefix)}) <> %s)", [prefix]


def _stale_where(table: EncryptedTable, primary_id: str, quote: Callable[[str], str]) -> tuple[str, list[str]]:
    parts, params = [], []
    for column in table.columns:
        sql, args = _stale(quote(column), primary_id)
        parts.append(sql)
        params += args
    return "(" + " OR ".join(parts) + ")", params


def _stale_rows(table: EncryptedTable, primary_id: str, using: str) -> int:
    connection = connections[using]
    quote = connection.ops.quote_name
    where, params = _stale_where(table, primary_id, quote)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table.table)} WHERE {where}", params)  # noqa: S608
        return int(cursor.fetchone()[0])


def _batches(table: EncryptedTable, primary_id: str, batch_size: int, using: str) -> Iterator[_Done]:
    connection = connections[using]
    quote = connection.ops.quote_name
    where, params = _stale_where(table, primary_id, quote)
    pk = quote(table.pk)
    select = f"SELECT {pk}, {', '.join(quote(c) for c in table.columns)} FROM {quote(table.table)} WHERE {where}"  # noqa: S608
    last_pk: Any = None
    while True:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            if last_pk is None:
                cursor.execute(f"{select} ORDER BY {pk} LIMIT %s", [*params, batch_size])
            else:
                cursor.execute(f"{select} AND {pk} > %s ORDER BY {pk} LIMIT %s", [*params, last_pk, batch_size])
            rows = cursor.fetchall()
            if not rows:
                return
            tokens = 0
            for column_index, column in enumerate(table.columns, start=1):
                updates = [
                    (_reencrypt(row[column_index], table, row[0]), row[0], row[column_index])
                    for row in rows
                    if _needs(row[column_index], primary_id)
                ]
                if updates:
                    # Compare-and-set: a row the application rewrote since the SELECT already holds a token
                    # under the first key, and must not be overwritten with the old plaintext.
                    col = quote(column)
                    cursor.executemany(
                        f"UPDATE {quote(table.table)} SET {col} = %s WHERE {pk} = %s AND {col} = %s",  # noqa: S608
                        updates,
                    )
                    tokens += len(updates)
            last_pk = rows[-1][0]
        yield _Done(len(rows), tokens, last_pk)


def _needs(token: str | None, primary_id: str) -> bool:
    return bool(token) and not str(token).startswith(f"{pii.TOKEN_VERSION}:{primary_id}:")


def _reencrypt(token: str, table: EncryptedTable, pk: Any) -> str:
    try:
        return pii.encrypt(pii.decrypt(token))
    except Exception as exc:
        raise RotationError(table.label, pk, token) from exc


class RotationError(Exception):
    """A token that no configured key opens: rotation stops before writing anything of its batch."""

    def __init__(self, label: str, pk: Any, token: str) -> None:
        self.label = label
        self.pk = pk
        self.key_id = pii.token_key_id(token) if token.startswith(f"{pii.TOKEN_VERSION}:") else UNREADABLE
        super().__init__(f"{label} pk={pk}: token under key {self.key_id!r} cannot be decrypted.")
