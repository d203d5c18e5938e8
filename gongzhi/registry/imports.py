"""Import jobs: an uploaded ledger checked and imported in the background, with progress the user can
leave and come back to. The same pipeline (registry.importing) serves the page, the task and the command."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.actors import actor_for_user
from gongzhi.core.actors import Actor
from gongzhi.core.audit import audit_record
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.tables import read_rows
from gongzhi.core.uploads import zip_bounded
from gongzhi.registry.importing import Outcome, run_import, write_rejects
from gongzhi.registry.models import ImportJob
from gongzhi.registry.permissions import can_import_registry, visible_import_jobs

logger = logging.getLogger(__name__)
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ACCEPTED_SUFFIXES = {".xlsx", ".xls", ".csv"}
# Rejections kept on the job row for the page; all of them are in the rejects workbook.
SUMMARY_REJECTIONS = 200


def import_job_get(*, actor: Actor, job_id: int) -> ImportJob:
    return get_object_or_404(visible_import_jobs(actor), pk=job_id)


def import_job_list(*, actor: Actor) -> QuerySet[ImportJob]:
    return visible_import_jobs(actor).order_by("-created_at")


def import_job_start(*, actor: Actor, upload: UploadedFile, dry_run: bool, valid_rows_only: bool) -> ImportJob:
    """Store the upload and queue the check (and import) as a background task."""
    if not can_import_registry(actor) or actor.user_id is None:
        raise NotAllowed(_("您没有导入人员台账的权限。"))
    name = Path(upload.name or "").name
    if Path(name).suffix.lower() not in ACCEPTED_SUFFIXES:
        raise DomainError(_("只支持 .xlsx、.xls 和 .csv 文件。"), field="file")
    if (upload.size or 0) > MAX_UPLOAD_BYTES:
        raise DomainError(_("文件超过50MB，请分成几个文件导入。"), field="file")
    zip_bounded(upload, field="file")  # refused at the form, before anything is stored
    from gongzhi.registry.tasks import import_job_run

    with transaction.atomic():
        job = ImportJob(
            created_by_id=int(actor.user_id), original_name=name[:200], dry_run=dry_run, valid_rows_only=valid_rows_only
        )
        job.file.save(f"{timezone.now():%Y%m%d%H%M%S}-{actor.user_id}{Path(name).suffix.lower()}", upload, save=False)
        job.save()
        audit_record(
            actor=actor,
            action="registry.import_start",
            target=job,
            label=name,
            after={"dry_run": dry_run, "valid_rows_only": valid_rows_only},
        )
        transaction.on_commit(lambda: import_job_run.enqueue(job.pk))
    return job


def _progress(job_id: int):  # type: ignore[no-untyped-def]
    def report(phase: str, done: int, total: int) -> None:
        # Progress is written outside the import's transaction so the page sees it while it runs.
        status = ImportJob.Status.CHECKING if phase == "checking" else ImportJob.Status.WRITING
        ImportJob.objects.filter(pk=job_id).update(status=status, rows_checked=done, rows_total=total)

    return report


def import_job_execute(*, job_id: int) -> ImportJob:
    """Run a queued job (the task calls this). Any failure leaves the registry as it was."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    actor = actor_for_user(job.created_by, is_verified=True)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKING, started_at=timezone.now())
    try:
        with job.file.open("rb") as handle:
            rows = read_rows(io.BytesIO(handle.read()), filename=job.original_name)
        outcome = run_import(
            actor, rows, dry_run=job.dry_run, valid_rows_only=job.valid_rows_only, progress=_progress(job.pk)
        )
    except DomainError as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, error=exc.message, finished_at=timezone.now()
        )
        return ImportJob.objects.get(pk=job.pk)
    except Exception:
        logger.exception("import job %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            error=_("导入过程中出现系统错误，数据库未作任何修改。请稍后重试或联系管理员。"),
        )
        return ImportJob.objects.get(pk=job.pk)
    return _finish(job, actor, outcome)


def _finish(job: ImportJob, actor: Actor, outcome: Outcome) -> ImportJob:
    job.refresh_from_db()
    summary = outcome.summary(limit=SUMMARY_REJECTIONS)
    job.rows_total = job.rows_checked = summary["rows"]
    job.created_count, job.updated_count = summary["created"], summary["updated"]
    job.unchanged_count, job.rejected_count = summary["unchanged"], summary["rejected"]
    job.summary = summary
    if summary["rejected"]:
        buffer = io.BytesIO()
        write_rejects(buffer, outcome)
        job.rejects_file.save(f"rejects-{job.pk}.xlsx", ContentFile(buffer.getvalue()), save=False)
    all_or_nothing_failed = not job.dry_run and not job.valid_rows_only and summary["rejected"] > 0
    job.status = ImportJob.Status.REJECTED if all_or_nothing_failed else ImportJob.Status.DONE
    job.finished_at = timezone.now()
    job.save()
    audit_record(
        actor=actor,
        action="registry.import_finish",
        target=job,
        label=job.original_name,
        after={k: summary[k] for k in ("imported", "rows", "created", "updated", "unchanged", "rejected")},
    )
    return job
