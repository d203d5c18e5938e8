"""The hash chain of the audit trail and the access log: every edit and every removal is found, the purge of the
oldest rows is not a break, and concurrent writers never fork the chain."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from gongzhi.core.actors import Actor
from gongzhi.core.audit import access_record, audit_record, logs_prune
from gongzhi.core.chain import GENESIS, PRUNE_ACTION, chain_verify, chains_verify, row_digest
from gongzhi.core.models import AccessLog, AuditEntry

SYSTEM = Actor.system("test-chain")


def reveal(reason: str = "核实联系方式") -> AccessLog:
    return access_record(
        actor=SYSTEM, action="reveal", subject_type="registry.person", subject_id="7", fields="phone", reason=reason
    )


def change(target: AccessLog, n: int) -> AuditEntry:
    return audit_record(
        actor=SYSTEM,
        action="core.test",
        target=target,
        before={"n": n - 1},
        after={"n": n, "ratio": 1.0, "tags": ["甲"]},
    )


def tamper(sql: str, params: list[object]) -> None:
    """Raw SQL past the application's guard and, on PostgreSQL, past the append-only trigger (as a superuser
    could), inside the test's transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def some_rows(n: int = 5) -> list[AccessLog]:
    rows = [reveal(f"查看{i}") for i in range(n)]
    for i, row in enumerate(rows):
        change(row, i)
    return rows


def broken_row(model: type[AccessLog] | type[AuditEntry]) -> int | None:
    report = chain_verify(model)
    return report.broken.row_id if report.broken else None


@pytest.mark.django_db
def test_each_row_hashes_the_previous_rows_hash_and_its_own_fields():
    rows = some_rows(3)
    stored = list(AccessLog.objects.order_by("id"))
    assert [r.prev_hash for r in stored] == [GENESIS, rows[0].row_hash, rows[1].row_hash]
    for row in stored:
        fields = AccessLog.CHAINED_FIELDS
        assert row.row_hash == row_digest(row.prev_hash, fields, [getattr(row, f) for f in fields])
    assert [r.ok for r in chains_verify()] == [True, True]


def test_every_column_of_a_log_is_under_the_hash():
    for model in (AuditEntry, AccessLog):
        columns = {f.attname for f in model._meta.concrete_fields} - {"id", "prev_hash", "row_hash"}
        assert set(model.CHAINED_FIELDS) == columns, model


@pytest.mark.django_db
def test_log_rows_cannot_be_written_around_the_chain():
    with pytest.raises(TypeError, match="chain_append"):
        AccessLog.objects.create(actor_name="x", action="reveal", subject_type="t", reason="绕过")


@pytest.mark.django_db
def test_verify_command_says_ok_with_counts():
    some_rows(4)
    call_command("verify_audit_chain", "--batch", "3")  # batches smaller than the table


@pytest.mark.django_db
def test_an_edited_field_is_reported_at_exactly_that_row():
    rows = some_rows()
    tamper("UPDATE core_accesslog SET reason = %s WHERE id = %s", ["篡改", rows[2].id])
    assert broken_row(AccessLog) == rows[2].id
    with pytest.raises(CommandError, match=f"core_accesslog row {rows[2].id}: row_hash") as raised:
        call_command("verify_audit_chain", "--batch", "2")
    assert rows[2].row_hash in str(raised.value)  # expected: the hash stored with the row


@pytest.mark.django_db
def test_an_edited_json_value_in_the_audit_trail_is_reported():
    some_rows()
    entry = AuditEntry.objects.order_by("id")[3]
    tamper("UPDATE core_auditentry SET after = %s WHERE id = %s", ['{"n": 99}', entry.id])
    assert broken_row(AuditEntry) == entry.id
    assert broken_row(AccessLog) is None


@pytest.mark.django_db
def test_an_edit_with_its_hash_recomputed_breaks_the_next_link():
    rows = some_rows()
    edited = AccessLog.objects.get(id=rows[1].id)
    edited.reason = "篡改"
    fields = AccessLog.CHAINED_FIELDS
    forged = row_digest(edited.prev_hash, fields, [getattr(edited, f) for f in fields])
    tamper("UPDATE core_accesslog SET reason = %s, row_hash = %s WHERE id = %s", ["篡改", forged, rows[1].id])
    report = chain_verify(AccessLog)
    assert report.broken is not None
    assert (report.broken.row_id, report.broken.expected, report.broken.found) == (
        rows[2].id,
        forged,
        rows[1].row_hash,
    )


@pytest.mark.django_db
def test_a_deleted_middle_row_is_reported_at_the_row_after_it():
    rows = some_rows()
    tamper("DELETE FROM core_accesslog WHERE id = %s", [rows[2].id])
    report = chain_verify(AccessLog)
    assert report.broken is not None
    assert (report.broken.row_id, report.broken.expected, report.broken.found) == (
        rows[3].id,
        rows[1].row_hash,
        rows[2].row_hash,
    )
    with pytest.raises(CommandError, match=f"core_accesslog row {rows[3].id}: prev_hash"):
        call_command("verify_audit_chain")


@pytest.mark.django_db
def test_oldest_rows_removed_without_the_purge_are_reported():
    rows = some_rows()
    tamper("DELETE FROM core_accesslog WHERE id <= %s", [rows[1].id])
    assert broken_row(AccessLog) == rows[2].id


def travel(days_ago: int):  # type: ignore[no-untyped-def]
    return time_machine.travel(timezone.now() - dt.timedelta(days=days_ago), tick=True)


@pytest.mark.django_db
def test_purges_of_the_oldest_rows_leave_chains_that_verify():
    # Rows from 800, 600 and 400 days ago and today; all older than 180 days in the database's own clock, so
    # the PostgreSQL trigger lets the purge delete them.
    for days_ago in (800, 600, 400):
        with travel(days_ago):
            some_rows(2)
    with travel(390):
        first = logs_prune(days=180)  # keeps the rows of 400 days ago, as seen 390 days ago
    assert first == {"core_auditentry": 4, "core_accesslog": 4}
    assert chain_verify(AccessLog).ok and chain_verify(AuditEntry).ok
    assert AuditEntry.objects.filter(action=PRUNE_ACTION).count() == 2
    recent = some_rows(2)

    second = logs_prune(days=180)  # today: the 400-day rows go, and with them the first purge's anchors
    assert second == {"core_auditentry": 4, "core_accesslog": 2}
    assert not AuditEntry.objects.filter(action=PRUNE_ACTION, at__lt=timezone.now() - dt.timedelta(days=180)).exists()
    assert AccessLog.objects.order_by("id").first() == recent[0]
    call_command("verify_audit_chain")

    # After the purge, removing the oldest kept row is a break, and so is editing the purge's record.
    tamper("DELETE FROM core_accesslog WHERE id = %s", [recent[0].id])
    assert broken_row(AccessLog) == recent[1].id
    anchor = AuditEntry.objects.filter(action=PRUNE_ACTION, target_type="core.accesslog").latest("id")
    tamper("UPDATE core_auditentry SET target_id = %s WHERE id = %s", [str(recent[1].id), anchor.id])
    assert broken_row(AuditEntry) == anchor.id


@pytest.mark.django_db
def test_a_purge_keeps_the_newest_row_even_when_every_row_is_old():
    with travel(400):
        rows = [reveal(f"很早{i}") for i in range(3)]
    assert logs_prune(days=180) == {"core_auditentry": 0, "core_accesslog": 2}
    assert list(AccessLog.objects.all()) == [rows[-1]]
    reveal("今天")
    assert [r.ok for r in chains_verify()] == [True, True]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent writers: PostgreSQL")
def test_concurrent_writers_never_fork_the_chain():
    threads, each = 8, 15
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait()
            for i in range(each):
                # A longer transaction around the append, as a service's would be.
                with transaction.atomic():
                    row = reveal(f"线程{n}-{i}")
                    change(row, i)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    reports = chains_verify()
    assert [(r.rows, r.ok) for r in reports] == [(threads * each, True), (threads * each, True)]
    for model in (AccessLog, AuditEntry):
        prevs = list(model.objects.values_list("prev_hash", flat=True))
        assert len(set(prevs)) == len(prevs)  # no two rows follow the same one
