"""The server killed in the middle of an import leaves nothing half-written (issue 19, faults).

A real `manage.py import_registry` runs in a child process on the test database. The test holds a lock on
the ownership table from a second session, so the child stops at the last step of its one transaction —
after it has written the dwellings, households, people and memberships of a thousand rows — and is
SIGKILLed there. PostgreSQL rolls the transaction back: every count is as before, and the same file then
imports in full. PostgreSQL only (gongzhi.testing.children says why)."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from django.db import connection
from openpyxl import Workbook

from gongzhi.registry.models import Dwelling, Household, ImportJob, Membership, Ownership, Person, Residence
from gongzhi.testing.children import backend_waiting_on, manage, second_session, tables_written_by, wait_backend_gone

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a child process on the test database and row locks: PostgreSQL"
)
ROWS = 1000
MODELS = (Dwelling, Household, Residence, Person, Membership, Ownership, ImportJob)


@pytest.fixture
def committed_world(transactional_db):  # type: ignore[no-untyped-def]
    """The test world, committed, so that a child process sees it."""
    from gongzhi.testing.world import build_world

    return build_world()


def ledger(path: Path) -> Path:
    """A thousand new one-person households in 1号楼 of X小区, each head the owner of a new flat."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["小区", "楼栋", "单元", "房号", "姓名", "与户主关系", "是否产权人", "专有面积"])
    for n in range(ROWS):
        sheet.append(["X小区", "1号楼", "1单元", f"{n // 50 + 10}{n % 50:02d}", f"导入户{n}", "户主", "是", "88.50"])
    workbook.save(path)
    return path


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_an_import_killed_mid_write_leaves_nothing_and_the_same_file_then_imports_in_full(committed_world, tmp_path):
    path = ledger(tmp_path / "ledger.xlsx")
    before = counts()
    blocker = second_session()
    # Reads of the table go on; the import's writes to it wait, with everything before them written.
    blocker.execute("LOCK TABLE registry_ownership IN SHARE ROW EXCLUSIVE MODE")
    child = manage("import_registry", str(path), "--json")
    try:
        backend = backend_waiting_on("registry_ownership", child=child)
        assert {"registry_dwelling", "registry_household", "registry_person", "registry_membership"} <= (
            tables_written_by(backend)
        ), "the import is not yet inside its write"
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        child.kill()
        blocker.rollback()  # the lock is released; the orphaned transaction finishes its statement and aborts
        blocker.close()
    wait_backend_gone(backend)

    assert counts() == before
    assert not Person.objects.filter(name__startswith="导入户").exists()

    again = manage("import_registry", str(path), "--json")
    output, _ = again.communicate(timeout=300)
    assert again.returncode == 0, output
    summary = json.loads(output[output.index("{") :])
    assert (summary["imported"], summary["created"], summary["rejected"]) == (True, ROWS, 0)
    after = counts()
    assert after["Person"] == before["Person"] + ROWS
    assert after["Household"] == before["Household"] + ROWS
    assert after["Ownership"] == before["Ownership"] + ROWS
    assert Household.objects.filter(head__name__startswith="导入户").count() == ROWS
