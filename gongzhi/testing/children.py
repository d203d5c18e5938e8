"""Child processes for the fault tests (issue 19): a real `manage.py` command — an import, a task worker —
run against the test database, blocked where the test wants it by a lock held from a second session, and
killed there.

Only PostgreSQL can do this: SQLite's test database is in memory (a child cannot see it) and its locks are
whole-database, so no lock stops a child in the middle of its transaction.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def child_env() -> dict[str, str]:
    """The environment of a child that uses the test's database and keys, with the database task backend."""
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "GONGZHI_DEBUG": "0",
        "GONGZHI_DB": "postgres",
        "GONGZHI_DB_NAME": str(db["NAME"]),
        "GONGZHI_DB_USER": str(db["USER"] or ""),
        "GONGZHI_DB_PASSWORD": str(db["PASSWORD"] or ""),
        "GONGZHI_DB_HOST": str(db["HOST"] or "127.0.0.1"),
        "GONGZHI_DB_PORT": str(db["PORT"] or "5432"),
        "GONGZHI_DB_REPLICA_HOST": "",
        "GONGZHI_DB_REPLICA_PORT": "",
        "GONGZHI_REDIS_URL": "",
        "GONGZHI_SECRET_KEY": settings.SECRET_KEY,
        "GONGZHI_PII_KEYS": settings.PII_ENCRYPTION_KEYS,
        "GONGZHI_BLIND_INDEX_KEY": settings.PII_BLIND_INDEX_KEY,
    }


def manage(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(MANAGE), *args],
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def second_session() -> psycopg.Connection:
    """A session of its own (autocommit off), to hold the lock a child will wait for."""
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or "5432",
    )


def backend_waiting_on(table: str, *, child: subprocess.Popen[str], timeout: float = 60) -> int:
    """The pid of the server backend that waits for a lock while writing ``table``; fails if the child exits."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            if child.poll() is not None:
                raise AssertionError(f"the child exited ({child.returncode}) before blocking:\n{child.stdout.read()}")  # type: ignore[union-attr]
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND wait_event_type = 'Lock' AND state = 'active' AND query ILIKE %s",
                [f"%{table}%"],
            )
            row = cursor.fetchone()
            if row:
                return int(row[0])
            time.sleep(0.1)
    raise AssertionError(f"no backend blocked on {table} within {timeout}s")


def tables_written_by(pid: int) -> set[str]:
    """The tables a backend's open transaction has written to (it holds ROW EXCLUSIVE on them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
            " WHERE l.pid = %s AND l.mode = 'RowExclusiveLock' AND l.granted AND c.relkind = 'r'",
            [pid],
        )
        return {name for (name,) in cursor.fetchall()}


def wait_backend_gone(pid: int, timeout: float = 30) -> None:
    """Once its client is gone the server aborts the transaction and ends the backend; wait for that."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone() is None:
                return
            time.sleep(0.1)
    raise AssertionError(f"backend {pid} still there {timeout}s after its client was killed")


def kill_while_blocked(child: subprocess.Popen[str], *, blocker: psycopg.Connection, statement: str) -> set[str]:
    """Wait until the child's backend waits for the blocker's lock in ``statement``, SIGKILL the child there,
    release the lock and wait for the server to end the orphaned backend. Returns the tables the child's
    transaction had written when it was killed."""
    try:
        backend = backend_waiting_on(statement, child=child)
        written = tables_written_by(backend)
        child.send_signal(signal.SIGKILL)
        if child.wait(timeout=10) != -signal.SIGKILL:
            raise AssertionError(f"the child was not killed: {child.returncode}")
    finally:
        child.kill()
        blocker.rollback()  # the lock is released: the orphaned transaction finishes its statement and aborts
        blocker.close()
    wait_backend_gone(backend)
    return written
