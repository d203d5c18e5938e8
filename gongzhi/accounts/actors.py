"""Build the Actor: one query for the current Duties with their nodes, one for the person.

Requests get theirs through ``request_actor`` and ``token_actor``, which keep it across requests
(accounts.actor_cache); commands, jobs and tests build one afresh with ``actor_for_user``.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.accounts import actor_cache
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


def request_actor(user: User | None, *, ip_address: str, is_verified: bool) -> Actor:
    """The Actor of a signed-in request, from the cache while nothing it rests on has changed."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Actor.anonymous(ip_address)
    return actor_cache.cached_actor(
        user.pk, lambda: actor_for_user(user), ip_address=ip_address, is_verified=is_verified
    )


def token_actor(user_id: int, *, ip_address: str) -> Actor:
    """The Actor of an API token's user, who is loaded (with their person) only when it is not cached.

    A token stands for a verified client: it was issued from a verified session.
    """

    def build() -> Actor:
        user = User.objects.select_related("person").filter(pk=user_id).first()
        return actor_for_user(user)

    return actor_cache.cached_actor(user_id, build, ip_address=ip_address, is_verified=True)
