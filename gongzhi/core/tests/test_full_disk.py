"""A full disk during an export fails with a clear message (issue 19, faults).

The disk is real: a 256 KB tmpfs mounted for the test (root, or CAP_SYS_ADMIN; skipped where mounting is
not allowed), nearly filled, and made the temporary directory the export spools to. The people export of
three thousand residents then runs out of space part-way: the user gets a 507 page in Chinese, the disk has
nothing left on it from the export, and the access log says the export delivered nothing. With the space
freed, the same export downloads."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from gongzhi.core.models import AccessLog
from gongzhi.registry.importing import run_import
from gongzhi.testing.world import SYSTEM

PEOPLE = 3000


@pytest.fixture
def small_disk() -> Iterator[Path]:
    # Not under tmp_path: pytest's clean-up of old base directories (another run's, too) would empty it.
    mountpoint = Path(tempfile.mkdtemp(prefix="gongzhi-full-disk-"))
    try:
        subprocess.run(  # noqa: S603
            ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mountpoint)],  # noqa: S607
            check=True,
            capture_output=True,
            text=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        mountpoint.rmdir()
        detail = getattr(exc, "stderr", "") or str(exc)
        pytest.skip(f"a full disk needs a small filesystem, and mounting a tmpfs is not allowed here: {detail}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", str(mountpoint)], check=False)  # noqa: S603, S607
        mountpoint.rmdir()


def free_bytes(path: Path) -> int:
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize


def residents(count: int) -> list[list[str]]:
    rows = [["小区", "楼栋", "单元", "房号", "姓名", "与户主关系", "专有面积"]]
    rows += [
        ["X小区", "2号楼", "1单元", f"{n // 50 + 10}{n % 50:02d}", f"居民{n}", "户主", "88.50"] for n in range(count)
    ]
    return rows


# Full, or nearly: the disk runs out as the spool first moves to it, or while the workbook is written.
@pytest.mark.parametrize("left_free", [0, 8 * 1024, 32 * 1024])
@override_settings(GONGZHI_EXPORT_SPOOL_BYTES=4096)
def test_an_export_onto_a_full_disk_says_so_leaves_nothing_and_works_once_space_is_freed(
    world, small_disk, monkeypatch, left_free
):
    assert run_import(SYSTEM, residents(PEOPLE)).imported
    monkeypatch.setattr(tempfile, "tempdir", str(small_disk))
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (free_bytes(small_disk) - left_free))
    free = free_bytes(small_disk)
    client = Client(raise_request_exception=False)
    client.force_login(world.user("jiedao"))

    response = client.get(reverse("registry:export-people"))

    assert response.status_code == 507
    text = response.content.decode()
    assert "磁盘空间不足，导出未完成" in text and "Traceback" not in text
    assert response["Content-Type"].startswith("text/html")
    assert os.listdir(small_disk) == ["filler"] and free_bytes(small_disk) == free  # nothing left behind
    began, failed = AccessLog.objects.order_by("-id")[:2][::-1]
    assert (began.action, began.subject_type, began.actor_name) == ("export", "registry.person", "jiedao")
    assert (failed.action, failed.row_count, failed.actor_name) == ("export-failed", 0, "jiedao")
    assert failed.subject_label == reverse("registry:export-people")

    filler.unlink()
    response = client.get(reverse("registry:export-people"))
    assert response.status_code == 200
    workbook = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert workbook.startswith(b"PK") and len(workbook) > 64 * 1024  # more than the disk had left
    assert AccessLog.objects.order_by("-id").first().action == "export"  # type: ignore[union-attr]
