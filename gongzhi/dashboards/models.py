"""The cockpit's stored aggregates; nothing here is a source of truth, every row can be recomputed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ByteOrderCharField


class Figure(models.Model):
    """One figure of one place on one day.

    ``path`` is the place's node, cut at compound depth (a grid's row carries its compound's path, or its
    community's when the grid lies in no compound); ``grid_id`` is the grid, 0 for what lies in no grid
    (a building nobody put in a grid, a compound's committee). A subtree is one range over ``path``.
    A flow (cases reported) is what happened that day; a stock (households) is the state at the end of
    that day, or at the last refresh for today.
    """

    day = models.DateField()
    key = models.CharField(max_length=40)
    path = ByteOrderCharField(max_length=255)
    grid_id = models.PositiveIntegerField(default=0)
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "day", "path", "grid_id"], name="figure_one_per_place"),
        ]
        indexes = [models.Index(fields=["key", "grid_id", "day"], name="figure_by_grid")]

    def __str__(self) -> str:
        return f"{self.day} {self.key} {self.path}/{self.grid_id}={self.value}"


class FigureMonth(models.Model):
    """A flow figure summed over a calendar month (``month`` is its first day), per place and grid: what the
    twelve-month charts read, so that they sum a few rows per place instead of thirty. Written from the
    Figure rows of the month whenever those change (services.roll_up)."""

    month = models.DateField()
    key = models.CharField(max_length=40)
    path = ByteOrderCharField(max_length=255)
    grid_id = models.PositiveIntegerField(default=0)
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "month", "path", "grid_id"], name="figure_month_one_per_place"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.key} {self.path}/{self.grid_id}={self.value}"


class SourceMark(models.Model):
    """How far a source's aggregates are current: its high-water mark (the last event id folded in) and
    the day of its last stock snapshot."""

    source = models.CharField(max_length=40, unique=True)
    mark = models.BigIntegerField(default=0)
    stock_day = models.DateField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.source}@{self.mark}"


class RecomputeRun(models.Model):
    """One recompute of the aggregates from the raw tables, and the drift it found against what the
    incremental refresh had stored (the differences are fixed in the same run)."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    drift_count = models.PositiveIntegerField(default=0)
    # The first differences, as [{"key", "day", "path", "grid_id", "stored", "computed"}].
    drift = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("聚合核对")
        verbose_name_plural = _("聚合核对")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} drift={self.drift_count}"


class MonthlyReport(models.Model):
    """The month's report of a node (the subdistrict or a community): a PDF and an Excel, kept."""

    month = models.DateField(_("月份"))  # the first day of the month
    node_id = models.PositiveIntegerField()
    node_path = ByteOrderCharField(max_length=255)
    node_name = models.CharField(_("范围"), max_length=100)
    pdf = models.BinaryField()
    xlsx = models.BinaryField()
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    created_by = models.CharField(_("生成人"), max_length=150)

    class Meta:
        ordering = ["-month", "node_path"]
        constraints = [models.UniqueConstraint(fields=["month", "node_id"], name="report_one_per_month")]
        verbose_name = _("月报")
        verbose_name_plural = _("月报")

    def __str__(self) -> str:
        return f"{self.node_name} {self.month:%Y-%m}"
