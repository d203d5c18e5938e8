"""Background work of volunteering: thin wrappers over services."""

from __future__ import annotations

from django_tasks import task

from gongzhi.volunteering.ledger import ledger_watch


@task()
def points_check() -> int:
    """Nightly: recompute balances, minutes and stock from the ledgers; returns the number of drifts."""
    return len(ledger_watch().drifts)
