"""Background work of the cockpit: thin wrappers over services."""

from __future__ import annotations

from django_tasks import task

from gongzhi.dashboards import reports, selectors, services


@task()
def refresh_figures() -> int:
    """Every few minutes: fold into the aggregates what the modules recorded since the last refresh."""
    return len(services.refresh())


@task()
def recompute_figures() -> int:
    """Nightly: recompute every aggregate from the raw tables; returns how many had drifted."""
    return services.recompute().drift_count


@task()
def monthly_reports() -> int:
    """On the 1st: the month before's reports of the subdistrict and every community (again on a rerun: a
    month's report is replaced, never doubled). Returns how many were generated."""
    return len(reports.generate_all(month=selectors.month_first(services.local_today(), 1)))
