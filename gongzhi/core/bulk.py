"""Fast inserts of many rows: {attname: value} dicts with primary keys handed out in advance, written with
executemany (SQLite) or COPY (PostgreSQL). The demo seed and the registry import write through here.

Why not model instances and ``bulk_create`` for the registry tables: measured on this machine kind,
``Model.__init__`` plus ``bulk_create`` spend about 160 µs of Python per person row (SQLite also caps an
INSERT at 999 parameters, 49 person rows), while the database needs about 40 µs. Tier M writes about
3.5 million registry rows, which put the seed past its 8-minute budget. Values still go through each
field's own preparation wherever the field transforms them (encrypted ID numbers and phones, dates, JSON),
and a column left out of a row gets the field's default, so a row is what ``bulk_create`` would write.

Handing out primary keys up front lets households name their head and people their household before
either exists: both databases check these foreign keys at commit (Django creates them DEFERRABLE
INITIALLY DEFERRED).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Max

from gongzhi.core.pii import EncryptedTextField

BATCH_SIZE = 5000
SQLITE_LOAD_CACHE_KIB = 256 * 1024
Row = Mapping[str, Any]

# Columns whose Python value is already what both database drivers want.
_PLAIN_FIELDS = (models.IntegerField, models.CharField, models.BooleanField, models.ForeignKey)


class Ids:
    """Primary keys handed out in advance, continuing after the largest one in each table.

    For the seed of an empty database, where nobody else writes (reset_sequences afterwards on PostgreSQL).
    A live system uses reserve_ids, which is safe beside other writers.
    """

    def __init__(self) -> None:
        self._next: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model]) -> int:
        if model not in self._next:
            self._next[model] = (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
        pk = self._next[model]
        self._next[model] = pk + 1
        return pk


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys for rows about to be inserted, safe beside concurrent writers.

    PostgreSQL draws them from the table's own sequence. SQLite has one writer at a time and Gongzhi opens
    every transaction IMMEDIATE (config/settings/base.py), so inside the caller's transaction nobody else
    can insert between reading the largest key and writing after it.
    """
    if count <= 0:
        return []
    connection = connections[DEFAULT_DB_ALIAS]
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
            )
            return [row[0] for row in cursor.fetchall()]
        if not connection.in_atomic_block:
            raise RuntimeError("reserve_ids must run inside the transaction that inserts the rows.")
    start = (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
    return list(range(start, start + count))


def _converter(field: models.Field[Any, Any], connection: Any) -> Callable[[Any], Any] | None:
    """How a column's Python value becomes a database value; None when it already is one."""
    if isinstance(field, _PLAIN_FIELDS) and not isinstance(field, EncryptedTextField):
        return None
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datefield_value  # what DateField.get_db_prep_value ends in

    def prepare(value: Any) -> Any:
        return field.get_db_prep_save(value, connection=connection)

    return prepare


def _is_timestamp(field: models.Field[Any, Any]) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def insert_rows(model: type[models.Model], rows: Sequence[Row], *, batch_size: int = BATCH_SIZE) -> int:
    """Insert rows (dicts by attname, primary key included); return how many."""
    if not rows:
        return 0
    connection = connections[DEFAULT_DB_ALIAS]
    fields = list(model._meta.concrete_fields)
    blank = model()
    # A column a row leaves out gets the field's default; auto_now(_add) columns get one timestamp for the
    # whole call, computed as Django computes it, already in database form.
    defaults: dict[str, Any] = {}
    converters: list[tuple[int, Callable[[Any], Any]]] = []
    for index, field in enumerate(fields):
        if _is_timestamp(field):
            defaults[field.attname] = field.get_db_prep_save(field.pre_save(blank, add=True), connection=connection)
            continue
        defaults[field.attname] = field.get_default()
        convert = _converter(field, connection)
        if convert is not None:
            converters.append((index, convert))
    for row in rows:
        if row.keys() - defaults.keys():  # a misspelt column would otherwise quietly become its default
            raise ValueError(f"{model.__name__} has no column(s) {sorted(row.keys() - defaults.keys())}.")
    pick = itemgetter(*(field.attname for field in fields))

    def values(row: Row) -> tuple[Any, ...]:
        out = list(pick({**defaults, **row}))
        for index, convert in converters:
            if out[index] is not None:
                out[index] = convert(out[index])
        return tuple(out)

    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_list = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is the fast way into PostgreSQL; the identifiers come from the model, not from input.
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"  # noqa: S608 - model identifiers
            for start in range(0, len(rows), batch_size):
                cursor.executemany(sql, [values(row) for row in rows[start : start + batch_size]])
    return len(rows)


def insert_objects(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Insert unsaved model instances the fast way: keys from reserve_ids, set on each object, which is then
    as if saved. For callers that go on using the objects (their pk, their fields) after the insert."""
    ids = reserve_ids(model, len(objects))
    fields = [field.attname for field in model._meta.concrete_fields if not _is_timestamp(field)]
    rows = []
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        rows.append({name: getattr(obj, name) for name in fields})
    insert_rows(model, rows)


@contextmanager
def bulk_load_cache() -> Iterator[None]:
    """A bigger SQLite page cache while loading: the person table's seven indexes take random inserts
    (blind indexes are hashes), and past the default cache each one reads pages back from the OS."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_LOAD_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def reset_sequences(models_: Sequence[type[models.Model]]) -> None:
    """After inserting explicit keys, move PostgreSQL's sequences past them (SQLite needs nothing)."""
    connection = connections[DEFAULT_DB_ALIAS]
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
