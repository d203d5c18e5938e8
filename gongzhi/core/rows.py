"""Large read-only lists read straight from the cursor, without Django's per-value converters.

A values_list() of 1,000 rows with four datetimes spends most of its time converting: on SQLite each
datetime is parsed by Django, made aware and handed over one value at a time. ``raw_rows`` runs the
queryset's own SQL (its filters and scope stay the ORM's) and returns the driver's tuples; ``aware_utc``
turns either driver's datetime into an aware UTC one. Only for columns whose model field has no
converter of its own (no encrypted or custom fields).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connections
from django.db.models import QuerySet


def raw_rows(queryset: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` queryset as the database driver returns them, in its column order."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def aware_utc(value: dt.datetime | str | None) -> dt.datetime | None:
    """SQLite returns the stored text ("2026-12-07 08:00:00.123456", UTC); psycopg an aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
