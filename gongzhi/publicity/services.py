"""Writes of notices: compose, publish (freezing the recipients), withdraw, read, told in person, remind,
and the SMS deliveries beyond the inbox.

Publishing resolves the target rule once. Recipients and the per-grid tallies are written with INSERT …
SELECT from the same querysets that count the preview (targets.py), inside the transaction that marks the
notice published: a notice is either out with all its recipients or not out at all.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.audit import access_record, audit_record, snapshot
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.notifications import notify
from gongzhi.core.photos import MAX_PHOTOS, CleanPhoto
from gongzhi.publicity import sms, targets
from gongzhi.publicity.choices import NOTICE_TRANSITIONS, ActivityKind, Channel, DeliveryStatus, NoticeStatus
from gongzhi.publicity.models import (
    NO_GRID,
    STAFF_BUCKET,
    ActivityPhoto,
    Attachment,
    Delivery,
    Notice,
    NoticeTally,
    PublicityActivity,
    Recipient,
)
from gongzhi.publicity.permissions import (
    can_compose,
    can_manage_notice,
    can_record_activity,
    can_target_grid,
    can_tell,
    inbox_q,
)
from gongzhi.publicity.sanitise import body_clean, body_text
from gongzhi.robots.choices import Topic
from gongzhi.robots.services import robot_post
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node

logger = logging.getLogger(__name__)

ATTACHMENT_TYPES = {"application/pdf": b"%PDF", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG"}
SMS_RETRY_DELAYS = (dt.timedelta(minutes=1), dt.timedelta(minutes=10), dt.timedelta(hours=1))
SMS_MAX_ATTEMPTS = len(SMS_RETRY_DELAYS) + 1


@dataclass(frozen=True)
class NoticeData:
    title: str
    body: str
    node: Node
    target: targets.Target
    publish_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    is_pinned: bool = False
    is_public: bool = False
    remind_after_hours: int | None = None
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Upload:
    name: str
    content_type: str
    size: int
    file: IO[bytes]


def _transition(notice: Notice, target: str) -> None:
    if target not in NOTICE_TRANSITIONS[notice.status]:
        raise DomainError(
            _("通知“%(s)s”不能改为“%(t)s”。")
            % {"s": NoticeStatus(notice.status).label, "t": NoticeStatus(target).label}
        )
    notice.status = target


def _check(actor: Actor, data: NoticeData) -> targets.Resolved:
    """Everything a notice must satisfy before any row is written; returns the resolved target."""
    if not can_compose(actor, data.node):
        raise NotAllowed(_("您不能以该单位发布通知。"))  # before any field: a stranger learns nothing
    title = " ".join(data.title.split())
    if len(title) < 4:
        raise DomainError(_("标题至少4个字。"), field="title")
    if not body_text(data.body):
        raise DomainError(_("请填写正文。"), field="body")
    unknown = set(data.channels) - set(Channel.values)
    if unknown:
        raise DomainError(_("未知的发送渠道。"), field="channels")
    now = timezone.now()
    if data.expires_at is not None and data.expires_at <= (data.publish_at or now):
        raise DomainError(_("有效期须晚于发布时间。"), field="expires_at")
    if data.remind_after_hours is not None and not 1 <= data.remind_after_hours <= 24 * 14:
        raise DomainError(_("未读提醒须在1小时至14天之间。"), field="remind_after_hours")
    return _check_target(actor, data.node, data.target)


def _check_target(actor: Actor, node: Node, target: targets.Target) -> targets.Resolved:
    """The rule resolved, every node, compound and grid it names inside the actor's territory."""
    if not can_compose(actor, node):
        raise NotAllowed(_("您不能以该单位发布通知。"))
    resolved = targets.resolve(target, default_node=node)
    for named in resolved.nodes + resolved.compounds:
        if not can_compose(actor, named):
            raise NotAllowed(_("“%(n)s”不在您的管辖范围内。") % {"n": named.name})
    for grid in resolved.grids:
        if not can_target_grid(actor, grid):
            raise NotAllowed(_("网格“%(n)s”不在您的管辖范围内。") % {"n": grid.name})
    return resolved


def _check_uploads(uploads: list[Upload]) -> None:
    if len(uploads) > settings.GONGZHI_NOTICE_ATTACHMENTS:
        raise DomainError(_("附件最多%(n)d个。") % {"n": settings.GONGZHI_NOTICE_ATTACHMENTS}, field="attachments")
    for upload in uploads:
        if upload.size > settings.GONGZHI_NOTICE_ATTACHMENT_BYTES:
            raise DomainError(_("附件“%(n)s”超过10 MB。") % {"n": upload.name}, field="attachments")
        magic = ATTACHMENT_TYPES.get(upload.content_type)
        head = upload.file.read(8)
        upload.file.seek(0)
        if magic is None or not head.startswith(magic):
            raise DomainError(_("附件“%(n)s”不是PDF、JPEG或PNG文件。") % {"n": upload.name}, field="attachments")


def _fields(data: NoticeData, resolved: targets.Resolved) -> dict[str, Any]:
    return {
        "title": " ".join(data.title.split()),
        "body": body_clean(data.body),
        "node": data.node,
        "target": data.target.as_json(),
        "target_label": targets.label(resolved),
        "publish_at": data.publish_at,
        "expires_at": data.expires_at,
        "is_pinned": data.is_pinned,
        "is_public": data.is_public,
        "remind_after_hours": data.remind_after_hours,
        "channels": sorted(set(data.channels)),
    }


@transaction.atomic
def notice_create(*, actor: Actor, data: NoticeData, uploads: list[Upload] | None = None, source: str = "") -> Notice:
    """A draft. Publishing (now or at publish_at) is a separate step after the preview of the count."""
    resolved = _check(actor, data)
    uploads = uploads or []
    _check_uploads(uploads)
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                **_fields(data, resolved),
                source=source,
                author_id=actor.user_id,
                author_name=actor.display_name or actor.username,
            )
    except IntegrityError as exc:
        raise DomainError(_("该记录已经发布过通知。"), field="source") from exc
    for upload in uploads:
        Attachment.objects.create(
            notice=notice,
            file=ContentFile(upload.file.read(), name=upload.name),
            name=upload.name[:150],
            content_type=upload.content_type,
            size=upload.size,
        )
    audit_record(actor=actor, action="publicity.notice_create", target=notice, after=snapshot(notice))
    return notice


@transaction.atomic
def notice_update(*, actor: Actor, notice: Notice, data: NoticeData) -> Notice:
    """A draft or a scheduled notice may still change; a published one is withdrawn and sent anew."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if not can_manage_notice(actor, notice):
        raise NotAllowed(_("您不能修改这条通知。"))
    if notice.status not in (NoticeStatus.DRAFT, NoticeStatus.SCHEDULED):
        raise DomainError(_("已发布的通知不能修改；请撤回后重新发布。"))
    resolved = _check(actor, data)
    before = snapshot(notice)
    for name, value in _fields(data, resolved).items():
        setattr(notice, name, value)
    notice.save()
    audit_record(actor=actor, action="publicity.notice_update", target=notice, before=before, after=snapshot(notice))
    return notice


def target_count(*, actor: Actor, node: Node, target: targets.Target) -> dict[str, int]:
    """The preview before publishing: how many residents, owners (not also counted as residents) and staff
    the rule reaches now. The same querysets freeze the recipients."""
    resolved = _check_target(actor, node, target)
    residents = targets.residents(resolved)
    owners = targets.owners(resolved).exclude(pk__in=residents.values("pk"))
    staff = targets.staff(resolved).exclude(person__in=residents.values("pk")).exclude(person__in=owners.values("pk"))
    counts = {"residents": residents.count(), "owners": owners.count(), "staff": staff.count()}
    counts["total"] = sum(counts.values())
    return counts


def insert_select(model: Any, columns: list[str], rows: QuerySet[Any]) -> int:
    """INSERT INTO model (columns) SELECT …: a million rows without a round trip each. ``rows`` is a
    values_list in the order of ``columns``."""
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # the rule names nobody of this kind (none(), an empty IN list)
        return 0
    quote = connection.ops.quote_name
    statement = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) {sql}"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return int(cursor.rowcount)


def _community_path_length() -> int:
    depth = Node.objects.filter(kind=NodeKind.COMMUNITY).values_list("depth", flat=True).first() or 2
    return int(depth) * Node.steplen


def recipients_freeze(notice: Notice) -> int:
    """Write the recipients of a notice and its per-grid tallies. Residents first, then owners not already
    in, then staff whose own person is not already in: one row per human being."""
    resolved = targets.resolve(targets.Target.from_json(notice.target), default_node=notice.node)
    mark = Value(notice.pk, output_field=IntegerField())
    residents = targets.residents(resolved)
    count = insert_select(
        Recipient,
        ["notice_id", "person_id", "grid_id", "org_path"],
        residents.values_list(mark, "pk", "grid_id", "org_path"),
    )
    already = Recipient.objects.filter(notice=notice, person__isnull=False).values("person_id")
    owners = targets.owners(resolved).exclude(pk__in=already)
    count += insert_select(
        Recipient,
        ["notice_id", "person_id", "grid_id", "org_path"],
        owners.values_list(mark, "pk", "grid_id", "org_path"),
    )
    staff = targets.staff(resolved).exclude(person__in=already)
    count += insert_select(Recipient, ["notice_id", "user_id", "org_path"], staff.values_list(mark, "pk", Value("")))
    tallies_rebuild(notice)
    return count


def tallies_rebuild(notice: Notice) -> int:
    """Write a notice's tallies from its recipients (at publishing; after a bulk correction of reads)."""
    length = _community_path_length()
    mark = Value(notice.pk, output_field=IntegerField())
    told_unread = Count("pk", filter=Q(told_at__isnull=False, read_at__isnull=True))
    buckets = (
        Recipient.objects.filter(notice=notice)
        .annotate(
            bucket=Case(
                When(person__isnull=True, then=Value(STAFF_BUCKET)),
                default=Coalesce(F("grid_id"), Value(NO_GRID)),
                output_field=IntegerField(),
            ),
            community=Case(When(person__isnull=True, then=Value("")), default=Substr("org_path", 1, length)),
        )
        .values("bucket", "community")
        .annotate(n=Count("pk"), read=Count("read_at"), told=told_unread)
        .values_list(mark, "bucket", "community", "n", "read", "told")
        .order_by()
    )
    NoticeTally.objects.filter(notice=notice).delete()
    return insert_select(
        NoticeTally, ["notice_id", "grid_key", "community_path", "recipients", "read", "told"], buckets
    )


@transaction.atomic
def notice_publish(*, actor: Actor, notice: Notice, now: dt.datetime | None = None) -> Notice:
    """Publish now, or schedule when publish_at is in the future. Publishing freezes the recipients."""
    now = now or timezone.now()
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if not actor.is_system and not can_manage_notice(actor, notice):
        raise NotAllowed(_("您不能发布这条通知。"))
    if notice.publish_at is not None and notice.publish_at > now:
        if notice.status != NoticeStatus.SCHEDULED:
            _transition(notice, NoticeStatus.SCHEDULED)
            notice.save(update_fields=["status", "updated_at"])
            audit_record(actor=actor, action="publicity.notice_schedule", target=notice)
        return notice
    if notice.expires_at is not None and notice.expires_at <= now:
        raise DomainError(_("有效期已过，不能发布。"), field="expires_at")
    _transition(notice, NoticeStatus.PUBLISHED)
    notice.published_at = now
    notice.recipient_count = recipients_freeze(notice)
    notice.save(update_fields=["status", "published_at", "recipient_count", "updated_at"])
    if Channel.SMS in notice.channels:
        _sms_queue(notice, reminder=False)
    if Channel.ROBOT in notice.channels:
        _robot_post(notice)
    audit_record(
        actor=actor,
        action="publicity.notice_publish",
        target=notice,
        label=notice.title,
        after={"recipients": notice.recipient_count},
    )
    return notice


@transaction.atomic
def notice_withdraw(*, actor: Actor, notice: Notice, reason: str) -> Notice:
    """Take a notice back: it leaves every inbox and board; its recipients and reads stay as the record."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if not can_manage_notice(actor, notice):
        raise NotAllowed(_("您不能撤回这条通知。"))
    reason = " ".join(reason.split())
    if len(reason) < 4:
        raise DomainError(_("请写明撤回原因（至少4个字）。"), field="reason")
    _transition(notice, NoticeStatus.WITHDRAWN)
    notice.withdrawn_at = timezone.now()
    notice.save(update_fields=["status", "withdrawn_at", "updated_at"])
    Delivery.objects.filter(notice=notice, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, last_error=_("通知已撤回。")
    )
    audit_record(actor=actor, action="publicity.notice_withdraw", target=notice, label=reason)
    return notice


def _bucket(recipient: Recipient) -> dict[str, Any]:
    if recipient.person_id is None:
        return {"grid_key": STAFF_BUCKET, "community_path": ""}
    return {
        "grid_key": recipient.grid_id or NO_GRID,
        "community_path": recipient.org_path[: _community_path_length()],
    }


def notice_read(*, actor: Actor, notice: Notice, now: dt.datetime | None = None) -> bool:
    """The actor opened the notice: their recipient row is marked read once. True when this was the first
    time; opening it again (or in two tabs at once) changes nothing."""
    now = now or timezone.now()
    first = False
    with transaction.atomic():
        for recipient in Recipient.objects.filter(inbox_q(actor), notice=notice, read_at__isnull=True):
            # The guard in the UPDATE makes the first of two concurrent opens the only one counted.
            if not Recipient.objects.filter(pk=recipient.pk, read_at__isnull=True).update(read_at=now):
                continue
            first = True
            told = F("told") - 1 if recipient.told_at is not None else F("told")
            NoticeTally.objects.filter(notice=notice, **_bucket(recipient)).update(read=F("read") + 1, told=told)
    return first


@transaction.atomic
def recipient_tell(*, actor: Actor, recipient: Recipient) -> Recipient:
    """A grid worker told the resident in person (they have no account, or have not read it)."""
    recipient = Recipient.objects.select_for_update().select_related("notice").get(pk=recipient.pk)
    if not can_tell(actor, recipient):
        raise NotAllowed(_("只有所在网格的网格员或社区工作者可以登记。"))
    if recipient.notice.status != NoticeStatus.PUBLISHED:
        raise DomainError(_("通知未在发布中。"))
    if recipient.read_at is not None:
        raise DomainError(_("对方已阅读，无需再登记。"))
    if recipient.told_at is not None:
        raise DomainError(_("已登记为当面告知。"))
    recipient.told_at = timezone.now()
    recipient.told_by_id = actor.user_id
    recipient.save(update_fields=["told_at", "told_by"])
    NoticeTally.objects.filter(notice_id=recipient.notice_id, **_bucket(recipient)).update(told=F("told") + 1)
    audit_record(actor=actor, action="publicity.recipient_tell", target=recipient.notice, label=str(recipient.pk))
    return recipient


def public_post(*, node: Node, title: str, body: str, source: str) -> Notice | None:
    """A public result of another module (a vote's count, a month's red and black lists) on the public
    board of the node's compounds, published at once and in nobody's inbox: the module tells the people
    concerned itself. Once per source; a second call returns None.

    Called inside the other module's publishing transaction (through a robust signal): the savepoint keeps
    a failure here, such as two publications racing on the source, from breaking that transaction."""
    if Notice.objects.filter(source=source).exists():
        return None
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                title=title[:120],
                body=body_clean(body),
                node=node,
                target={},
                target_label=_("公告栏公示"),
                status=NoticeStatus.PUBLISHED,
                published_at=timezone.now(),
                is_public=True,
                source=source,
                author_name=_("系统"),
            )
    except IntegrityError:
        return None
    audit_record(actor=Actor.system("publicity"), action="publicity.public_post", target=notice, label=title)
    return notice


def recipients_reveal(*, actor: Actor, notice: Notice, row_count: int) -> None:
    """A page of recipients' names shown: a notice by care tag says who lives alone, so every showing is logged."""
    access_record(
        actor=actor,
        action="reveal",
        subject_type="publicity.recipient",
        subject_id=str(notice.pk),
        subject_label=notice.title,
        fields="name,address",
        reason=_("查看通知对象名单"),
        row_count=row_count,
    )


# --- Scheduled work: publishing what is due, reminders ---------------------------------------------------


def notices_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Publish scheduled notices whose time has come; remind the unread of notices whose reminder is due."""
    now = now or timezone.now()
    system = Actor.system("publicity")
    published = 0
    for notice in Notice.objects.filter(status=NoticeStatus.SCHEDULED, publish_at__lte=now).order_by("publish_at"):
        try:
            notice_publish(actor=system, notice=notice, now=now)
        except DomainError as exc:
            logger.warning("scheduled notice %s not published: %s", notice.pk, exc.message)
            continue
        published += 1
    reminded = 0
    for notice in Notice.objects.filter(
        status=NoticeStatus.PUBLISHED, remind_after_hours__isnull=False, reminded_at__isnull=True
    ):
        assert notice.published_at is not None  # noqa: S101 - published notices carry their time
        if notice.published_at + dt.timedelta(hours=notice.remind_after_hours or 0) <= now:
            reminded += notice_remind(notice=notice, now=now)
    return {"published": published, "reminded": reminded}


@transaction.atomic
def notice_remind(*, notice: Notice, now: dt.datetime | None = None) -> int:
    """Once per notice: an inbox reminder to each unread recipient with an account, and an SMS to the
    unread when the notice goes by SMS. Residents without an account are on their grid worker's list."""
    now = now or timezone.now()
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.reminded_at is not None or notice.status != NoticeStatus.PUBLISHED:
        return 0
    unread = Recipient.objects.filter(notice=notice, read_at__isnull=True, told_at__isnull=True)
    users = set(unread.filter(user__isnull=False).values_list("user_id", flat=True))
    users |= set(unread.filter(person__user__isnull=False).values_list("person__user_id", flat=True))
    unread.update(reminded_at=now)
    notice.reminded_at = now
    notice.save(update_fields=["reminded_at"])
    url = reverse("publicity:notice-read", kwargs={"notice_id": notice.pk})
    title = _("未读提醒：%(t)s") % {"t": notice.title}
    ids = {u for u in users if u is not None}
    transaction.on_commit(
        lambda: notify(
            recipient_ids=ids, kind="publicity.remind", title=title, url=url, dedupe_key=f"publicity.remind:{notice.pk}"
        )
    )
    if Channel.SMS in notice.channels:
        _sms_queue(notice, reminder=True)
    return len(ids)


# --- Channels beyond the inbox ------------------------------------------------------------------------


def _sms_queue(notice: Notice, *, reminder: bool) -> int:
    """A pending SMS delivery for each resident recipient with a phone (the unread, for a reminder). The
    unique constraint makes a second call a no-op: one person never gets the same message twice."""
    rows = Recipient.objects.filter(notice=notice, person__isnull=False).exclude(person__phone_bidx="")
    if reminder:
        rows = rows.filter(read_at__isnull=True, told_at__isnull=True)
    already = Delivery.objects.filter(notice=notice, channel=Channel.SMS, is_reminder=reminder).values("recipient_id")
    mark = Value(notice.pk, output_field=IntegerField())
    created = insert_select(
        Delivery,
        ["notice_id", "recipient_id", "channel", "is_reminder", "status", "attempts", "last_error", "provider_id",
         "created_at"],
        rows.exclude(pk__in=already).values_list(
            mark, "pk", Value(str(Channel.SMS)), Value(reminder), Value(str(DeliveryStatus.PENDING)), Value(0),
            Value(""), Value(""), Value(timezone.now()),
        ),
    )  # fmt: skip
    if created:
        from gongzhi.publicity import tasks

        transaction.on_commit(lambda: tasks.deliver_due.enqueue())
    return created


def sms_text(notice: Notice) -> str:
    text = f"【共治】{notice.title}：{body_text(notice.body)}"
    return text if len(text) <= sms.MAX_CHARS else text[: sms.MAX_CHARS - 1] + "…"


def deliver_due(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Send the SMS deliveries that are due, each claimed before sending so that two workers never send one
    twice; a refusal is tried again later (SMS_RETRY_DELAYS), then marked failed. Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    due = (
        Delivery.objects.filter(status=DeliveryStatus.PENDING, channel=Channel.SMS)
        .exclude(next_try_at__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    for pk in list(due):
        with transaction.atomic():
            delivery = (
                Delivery.objects.select_for_update(of=("self",))
                .select_related("notice", "recipient__person")
                .filter(pk=pk, status=DeliveryStatus.PENDING)
                .first()
            )
            if delivery is None or (delivery.next_try_at is not None and delivery.next_try_at > now):
                continue
            delivery.attempts += 1
            person = delivery.recipient.person
            try:
                if person is None or not person.phone:
                    raise sms.SmsError("no phone")
                delivery.provider_id = sms.backend().send(person.phone, sms_text(delivery.notice))[:60]
            except sms.SmsError as exc:
                delivery.last_error = str(exc)[:300]
                if delivery.attempts >= SMS_MAX_ATTEMPTS:
                    delivery.status = DeliveryStatus.FAILED
                    delivery.next_try_at = None
                else:
                    delivery.next_try_at = now + SMS_RETRY_DELAYS[delivery.attempts - 1]
            else:
                delivery.status = DeliveryStatus.SENT
                delivery.sent_at = now
                delivery.next_try_at = None
                sent += 1
            delivery.save(update_fields=["attempts", "provider_id", "last_error", "status", "sent_at", "next_try_at"])
    return sent


def _robot_post(notice: Notice) -> int:
    """The notice's title and first lines to the work groups of each community it reaches."""
    length = _community_path_length()
    paths = set(
        NoticeTally.objects.filter(notice=notice).exclude(community_path="").values_list("community_path", flat=True)
    )
    if len(notice.node.path) >= length:
        paths.add(notice.node.path[:length])
    communities = Node.objects.filter(kind=NodeKind.COMMUNITY, path__in=paths)
    text = body_text(notice.body)[:500]
    posted = 0
    for community in communities:
        posted += robot_post(
            community_id=community.pk,
            topic=Topic.PUBLICITY_NOTICE,
            title=notice.title,
            text=f"{text}\n{_('发送对象：%(t)s') % {'t': notice.target_label}}",
            dedupe_key=f"publicity.notice:{notice.pk}",
        )
    return posted


# --- Offline publicity activities ----------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityData:
    node: Node
    kind: str
    title: str
    held_on: dt.date
    place: str
    reach: int = 0
    description: str = ""
    campaign_id: int | None = None


@transaction.atomic
def activity_record(*, actor: Actor, data: ActivityData, photos: list[CleanPhoto] | None = None) -> PublicityActivity:
    """A banner put up, leaflets taken door to door, a lecture given: counted by the cockpit."""
    if not can_record_activity(actor, data.node):
        raise NotAllowed(_("您不能登记该区域的宣传活动。"))
    if data.kind not in ActivityKind.values:
        raise DomainError(_("请选择宣传形式。"), field="kind")
    title = " ".join(data.title.split())
    if len(title) < 2:
        raise DomainError(_("请填写宣传主题。"), field="title")
    if data.held_on > timezone.localdate():
        raise DomainError(_("日期不能晚于今天。"), field="held_on")
    if not 0 <= data.reach <= 1_000_000:
        raise DomainError(_("覆盖人数须在0至1,000,000之间。"), field="reach")
    photos = photos or []
    if len(photos) > MAX_PHOTOS:
        raise DomainError(_("照片最多 %(n)d 张。") % {"n": MAX_PHOTOS}, field="photos")
    activity = PublicityActivity.objects.create(
        node=data.node,
        kind=data.kind,
        title=title,
        held_on=data.held_on,
        place=" ".join(data.place.split()),
        reach=data.reach,
        description=data.description.strip(),
        campaign_id=data.campaign_id,
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.display_name or actor.username,
    )
    for photo in photos:
        ActivityPhoto.objects.create(activity=activity, image=photo.content, width=photo.width, height=photo.height)
    audit_record(actor=actor, action="publicity.activity_record", target=activity, label=title)
    return activity
