"""The server killed in the middle of an import leaves nothing half-written (issue 19, faults).

A real `manage.py import_registry` runs in a child process on the test database. The test holds a lock on
the ownership table from a second session, so the child stops at the last step of its one transaction —
after it has written the dwellings, households, people and memberships of a thousand rows — and is
SIGKILLed there. PostgreSQL rolls the transaction back: every count is as before, and the same file then
imports in full. The same for an upload, whose import runs in a real `db_worker`: the killed job is not
marked done, and once the reclaim (gongzhi/core/workers.py) re-queues its task it finishes once.
PostgreSQL only (gongzhi.testing.children says why)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from openpyxl import Workbook

from gongzhi.core.workers import tasks_reclaim
from gongzhi.registry.models import Dwelling, Household, ImportJob, Membership, Ownership, Person, Residence
from gongzhi.testing.children import kill_while_blocked, manage, second_session

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
    written = kill_while_blocked(child, blocker=blocker, statement="registry_ownership")
    assert {"registry_dwelling", "registry_household", "registry_person", "registry_membership"} <= written

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


# The worker reads the upload from the media directory it is configured with (var/media), so the test
# stores it there, on disk, rather than in the test settings' memory storage.
ON_DISK = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}, STORAGES=ON_DISK)
def test_an_upload_whose_worker_is_killed_mid_write_is_not_done_and_imports_once_requeued(committed_world, tmp_path):
    path = ledger(tmp_path / "ledger.xlsx")
    before = counts()
    client = Client()
    client.force_login(committed_world.user("jiedao"))
    blocker = second_session()
    blocker.execute("LOCK TABLE registry_ownership IN SHARE ROW EXCLUSIVE MODE")
    with path.open("rb") as upload:
        assert client.post(reverse("registry:import"), {"file": upload, "mode": "all"}).status_code == 302
    job = ImportJob.objects.get()
    try:
        worker = manage("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
        written = kill_while_blocked(worker, blocker=blocker, statement="registry_ownership")
        assert "registry_person" in written

        job.refresh_from_db()
        # Still in progress as far as the page can tell ("checking": the "writing" mark is made inside the
        # import's transaction, so it went with it); above all not done.
        assert not job.is_finished and job.finished_at is None and job.created_count == 0
        assert {k: v for k, v in counts().items() if k != "ImportJob"} == {
            k: v for k, v in before.items() if k != "ImportJob"
        }
        task = DBTaskResult.objects.get()
        assert task.status == TaskResultStatus.RUNNING
        later = timezone.now() + dt.timedelta(minutes=settings.GONGZHI_TASK_STALE_MINUTES + 1)
        assert tasks_reclaim(now=later) == (1, 0)

        again = manage("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
        output, _ = again.communicate(timeout=300)
        assert again.returncode == 0, output
        job.refresh_from_db()
        assert (job.status, job.created_count, job.rejected_count) == (ImportJob.Status.DONE, ROWS, 0)
        assert counts()["Person"] == before["Person"] + ROWS
        assert Household.objects.filter(head__name__startswith="导入户").count() == ROWS
    finally:
        job.file.delete(save=False)
