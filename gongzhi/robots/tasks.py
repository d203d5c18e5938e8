"""Background work of the robots: thin wrappers over services."""

from __future__ import annotations

from django_tasks import task

from gongzhi.robots import services


@task()
def deliver(delivery_id: int) -> str:
    """One attempt at one delivery, enqueued when it is posted. Returns its status afterwards."""
    return services.delivery_send(delivery_id=delivery_id)


@task()
def deliver_due() -> int:
    """Every few minutes: the deliveries whose retry has come. Returns how many were sent."""
    return services.deliver_due()
