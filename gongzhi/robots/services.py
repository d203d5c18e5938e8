"""Writes of the robots: post a message to a community's channels, send one delivery, retry failed ones.

    robot_post → one pending RobotDelivery per subscribed active channel → (on commit) tasks.deliver →
    delivery_send: sent, or pending again after RETRY_DELAYS[n], or failed after MAX_ATTEMPTS →
    (admin 重新发送) delivery_retry → pending.

Who may configure channels and retry is the Django admin's model permission (staff only). Sending is at
least once: a worker that dies between the robot's answer and the row's update sends again on retry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.robots import senders
from gongzhi.robots.choices import MAX_ATTEMPTS, RETRY_DELAYS, TEST_TOPIC, DeliveryStatus
from gongzhi.robots.models import RobotChannel, RobotDelivery


def _enqueue(delivery_ids: list[int]) -> None:
    if not delivery_ids:
        return
    from gongzhi.robots.tasks import deliver  # tasks wrap these services

    def send_all() -> None:
        for delivery_id in delivery_ids:
            deliver.enqueue(delivery_id)

    # After the caller's commit: a rolled-back publication posts nothing, and the worker sees the rows.
    transaction.on_commit(send_all)


def _create(channel: RobotChannel, *, topic: str, title: str, text: str, dedupe_key: str | None) -> int | None:
    try:
        with transaction.atomic():
            delivery = RobotDelivery.objects.create(
                channel=channel,
                topic=topic,
                title=title[:200],
                text=text,
                dedupe_key=dedupe_key[:200] if dedupe_key else None,
                next_try_at=timezone.now(),
            )
    except IntegrityError:
        return None  # already posted under this key
    return delivery.pk


@transaction.atomic
def robot_post(*, community_id: int, topic: str, title: str, text: str, dedupe_key: str | None = None) -> int:
    """Queue a markdown message to every active channel of the community subscribed to the topic; with a
    dedupe_key, a channel that already has it is skipped. Returns the number of deliveries created."""
    channels = [
        c for c in RobotChannel.objects.filter(community_id=community_id, is_active=True) if topic in (c.topics or [])
    ]
    created = [
        pk
        for c in channels
        if (pk := _create(c, topic=topic, title=title, text=text, dedupe_key=dedupe_key)) is not None
    ]
    _enqueue(created)
    return len(created)


def _next_try(attempts: int, now: dt.datetime) -> dt.datetime:
    return now + RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def _claim(delivery_id: int, now: dt.datetime) -> RobotDelivery | None:
    """Take a due delivery for one attempt. Its next try is pushed back first, so that a scheduler run
    meanwhile (or a worker that dies mid-send) leaves it to the retry, not to a second concurrent send."""
    with transaction.atomic():
        delivery = RobotDelivery.objects.select_for_update().select_related("channel").filter(pk=delivery_id).first()
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        if delivery.next_try_at is not None and delivery.next_try_at > now:
            return None
        if not delivery.channel.is_active or delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_try_at = None
            delivery.last_error = _("机器人已停用。") if not delivery.channel.is_active else _("已达最多尝试次数。")
            delivery.save(update_fields=["status", "next_try_at", "last_error"])
            return None
        delivery.attempts += 1
        delivery.next_try_at = _next_try(delivery.attempts, now)
        delivery.save(update_fields=["attempts", "next_try_at"])
        return delivery


def delivery_send(*, delivery_id: int, now: dt.datetime | None = None) -> str:
    """One attempt at a due pending delivery; returns its status afterwards ("" when there is no such row).
    The HTTP call happens outside any transaction: no row stays locked while a robot answers slowly."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        row = RobotDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
        return row or ""
    channel = delivery.channel
    outgoing = senders.build(
        kind=channel.kind,
        url=channel.webhook_url,
        secret=channel.secret,
        title=delivery.title,
        text=delivery.text,
        now=timezone.now(),  # DingTalk refuses a signature more than an hour off the real clock
    )
    problem = senders.webhook_url_problem(channel.kind, channel.webhook_url)
    try:
        if problem:
            raise senders.SendError(problem)  # a host allowed once and no longer
        senders.post(outgoing)
    except senders.SendError as exc:
        delivery.last_error = str(exc)[:500]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_try_at = None
    else:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = timezone.now()
        delivery.next_try_at = None
        delivery.last_error = ""
    delivery.save(update_fields=["status", "sent_at", "next_try_at", "last_error"])
    return delivery.status


def deliveries_due(*, now: dt.datetime | None = None, limit: int = 200) -> list[int]:
    now = now or timezone.now()
    rows = RobotDelivery.objects.filter(status=DeliveryStatus.PENDING, next_try_at__lte=now).order_by("next_try_at")
    return list(rows.values_list("pk", flat=True)[:limit])


def deliver_due(*, now: dt.datetime | None = None) -> int:
    """Every pending delivery whose next try has come, one attempt each. Returns how many were sent."""
    now = now or timezone.now()
    return sum(delivery_send(delivery_id=pk, now=now) == DeliveryStatus.SENT for pk in deliveries_due(now=now))


@transaction.atomic
def delivery_retry(*, actor: Actor, delivery_ids: Iterable[int]) -> int:
    """重新发送: failed deliveries start again with a full set of attempts. Returns how many."""
    rows = list(
        RobotDelivery.objects.select_for_update().filter(pk__in=list(delivery_ids), status=DeliveryStatus.FAILED)
    )
    now = timezone.now()
    for delivery in rows:
        before = snapshot(delivery, ["status", "attempts"])
        delivery.status = DeliveryStatus.PENDING
        delivery.attempts = 0
        delivery.next_try_at = now
        delivery.save(update_fields=["status", "attempts", "next_try_at"])
        audit_record(
            actor=actor,
            action="robots.delivery_retry",
            target=delivery,
            label=delivery.title,
            before=before,
            after=snapshot(delivery, ["status", "attempts"]),
        )
    _enqueue([d.pk for d in rows])
    return len(rows)


@transaction.atomic
def channel_save(*, actor: Actor, channel: RobotChannel) -> RobotChannel:
    """Create or change a channel (from the admin, whose form ran full_clean); the URL and the secret
    appear in the audit trail only as digests."""
    before = snapshot(RobotChannel.objects.get(pk=channel.pk)) if channel.pk else {}
    channel.topics = sorted(set(channel.topics or []))
    channel.save()
    audit_record(
        actor=actor,
        action="robots.channel_save",
        target=channel,
        label=channel.name,
        before=before,
        after=snapshot(channel),
    )
    return channel


@transaction.atomic
def channel_test(*, actor: Actor, channels: Iterable[RobotChannel]) -> int:
    """发送测试消息: one message to each channel, whatever it subscribes to, to check the configuration."""
    created = []
    for channel in channels:
        pk = _create(
            channel,
            topic=TEST_TOPIC,
            title=_("共治平台测试消息"),
            text=_("这是“%(name)s”的测试消息，收到即表示配置正确。") % {"name": channel.name},
            dedupe_key=None,
        )
        if pk is not None:
            created.append(pk)
            audit_record(actor=actor, action="robots.channel_test", target=channel, label=channel.name)
    _enqueue(created)
    return len(created)
