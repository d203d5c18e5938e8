from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class ByteOrderCharField(models.CharField):
    """A path column that sorts in byte order on every database.

    Subtree filters are written as ranges (path <= x < path + "~"), which is only correct when "~" sorts
    after every path character; ICU collations sort punctuation first. SQLite compares bytes already.
    """

    def db_parameters(self, connection):  # type: ignore[no-untyped-def]
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


class AppendOnlyQuerySet(models.QuerySet):
    """History tables are appended to, never edited: corrections are new rows."""

    def update(self, **kwargs: object) -> int:
        raise TypeError(f"{self.model.__name__} is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{self.model.__name__} is append-only.")

    def prune_below(self, row_id: int) -> int:
        """The one way rows leave: the oldest, in id order, past their retention period (audit.logs_prune picks
        ``row_id`` and enforces the minimum; on PostgreSQL a trigger refuses rows younger than 180 days)."""
        deleted, _by_model = models.QuerySet.delete(self.filter(id__lt=row_id))
        return deleted


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} is append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{type(self).__name__} is append-only.")


class ChainedLogModel(AppendOnlyModel):
    """A log whose rows are hash-chained in id order (MLPS level 3: records protected against tampering).

    ``row_hash`` is SHA-256 over ``prev_hash`` and the canonical form of ``CHAINED_FIELDS`` (gongzhi/core/chain.py).
    Rows are written only by chain.chain_append, under the chain's lock; ``at`` is set there, not by
    auto_now_add, which would change it after the hash was taken.
    """

    CHAINED_FIELDS: ClassVar[tuple[str, ...]] = ()

    at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    row_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.row_hash:
            raise TypeError(f"{type(self).__name__} rows are written through gongzhi.core.chain.chain_append.")
        super().save(*args, **kwargs)


class AuditEntry(ChainedLogModel):
    """An administrative change: who did what to which record, before and after, no personal data in clear."""

    CHAINED_FIELDS = (
        "at",
        "actor_id",
        "actor_name",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "before",
        "after",
        "ip_address",
    )

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=40)
    target_label = models.CharField(max_length=200, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    ip_address = models.CharField(max_length=45, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_type}#{self.target_id}"


class AccessLog(ChainedLogModel):
    """A look at or export of personal data: who, whose, what, why, when, from where (PIPL Art. 51).

    Kept at least GONGZHI_ACCESS_LOG_RETENTION_DAYS (≥ 180: Cybersecurity Law Art. 21); read only by
    auditors, never by platform administrators (separation of system and audit administration).
    """

    CHAINED_FIELDS = (
        "at",
        "actor_id",
        "actor_name",
        "action",
        "subject_type",
        "subject_id",
        "subject_label",
        "fields",
        "row_count",
        "reason",
        "ip_address",
    )

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=20)  # reveal, export, print
    subject_type = models.CharField(max_length=60)
    subject_id = models.CharField(max_length=40, blank=True)
    subject_label = models.CharField(max_length=200, blank=True)  # masked, e.g. 张*
    fields = models.CharField(max_length=200, blank=True)
    row_count = models.PositiveIntegerField(default=1)
    reason = models.CharField(max_length=300)
    ip_address = models.CharField(max_length=45, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "个人信息访问日志"
        verbose_name_plural = "个人信息访问日志"
        indexes = [models.Index(fields=["subject_type", "subject_id"]), models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.subject_type}#{self.subject_id}"


class ScheduledRun(models.Model):
    """One firing of a scheduled job. The unique (job, slot) row is taken before the task is enqueued, so
    restarts, two schedulers or clock skew never fire a slot twice, and missed slots are visible."""

    job = models.CharField(max_length=60)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-slot"]
        verbose_name = "定时任务执行记录"
        verbose_name_plural = "定时任务执行记录"
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once_per_slot")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """An in-app notice to one user (reminders, escalations, results). ``dedupe_key`` makes a repeated
    job send a notice at most once."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_dedupe"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title
