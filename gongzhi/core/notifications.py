"""In-app notices: every app sends them through notify(); users read them in their inbox."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gongzhi.core.actors import Actor
from gongzhi.core.models import Notification


def notify(
    *, recipient_ids: Iterable[int], kind: str, title: str, body: str = "", url: str = "", dedupe_key: str | None = None
) -> int:
    """Send a notice to each user once; with a dedupe_key, a user who already has it is skipped. Returns the count."""
    sent = 0
    for recipient_id in sorted(set(recipient_ids)):
        try:
            with transaction.atomic():
                Notification.objects.create(
                    recipient_id=recipient_id,
                    kind=kind,
                    title=title[:200],
                    body=body,
                    url=url[:300],
                    dedupe_key=dedupe_key,
                )
        except IntegrityError:
            continue  # already sent for this key
        sent += 1
    return sent


def notification_list(*, actor: Actor, unread_only: bool = False) -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient_id=actor.user_id) if actor.user_id else Notification.objects.none()
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def unread_count(*, actor: Actor) -> int:
    return notification_list(actor=actor, unread_only=True).count()


def notification_mark_read(*, actor: Actor, notification_id: int | None = None) -> int:
    """Mark one notice (or, with no id, all of the actor's) as read."""
    rows = notification_list(actor=actor, unread_only=True)
    if notification_id is not None:
        rows = rows.filter(pk=get_object_or_404(notification_list(actor=actor), pk=notification_id).pk)
    return rows.update(read_at=timezone.now())
