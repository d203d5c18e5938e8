"""Background work of the registry: thin wrappers over services."""

from __future__ import annotations

from django_tasks import task

from gongzhi.registry.imports import import_job_execute


@task()
def import_job_run(job_id: int) -> str:
    return import_job_execute(job_id=job_id).status
