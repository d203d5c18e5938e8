"""Build the Actor for a request: one query for the current Duties with their nodes, one for the person."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.accounts.models import Duty, User
from gongzhi.core.actors import Actor, Grant


def current_duties(*, user: User, on: dt.date | None = None):  # type: ignore[no-untyped-def]
    on = on or timezone.localdate()
    return Duty.objects.filter(Duty.current_q(on), user=user).select_related("node").order_by("role", "id")


def actor_for_user(user: User | None, *, ip_address: str = "", is_verified: bool = False) -> Actor:
    if user is None or not user.is_authenticated or not user.is_active:
        return Actor.anonymous(ip_address)
    grants = tuple(
        Grant(
            role=duty.role,
            node_id=duty.node_id,
            node_path=duty.node.path if duty.node else None,
            node_kind=duty.node.kind if duty.node else None,
            grid_id=duty.grid_id,
        )
        for duty in current_duties(user=user)
    )
    person = getattr(user, "person", None)
    household_id = person.household_id if person is not None and person.status == "resident" else None
    return Actor(
        user_id=user.pk,
        username=user.username,
        display_name=str(user),
        grants=grants,
        person_id=person.pk if person is not None else None,
        household_id=household_id,
        is_superuser=user.is_superuser,
        is_verified=is_verified,
        ip_address=ip_address,
    )
