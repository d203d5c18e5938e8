from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.choices import Role
from gongzhi.core.models import TimeStampedModel


class User(AbstractUser):
    """A login. Residents' accounts link to their registry Person (registry.Person.user)."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username


class Duty(TimeStampedModel):
    """A role held by a user over a territory node or a grid for a period (职责)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="duties", verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    node = models.ForeignKey(
        "territory.Node",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duties",
        verbose_name=_("区域"),
    )
    grid = models.ForeignKey(
        "territory.Grid",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duties",
        verbose_name=_("网格"),
    )
    starts_on = models.DateField(_("起始日期"), default=dt.date.today)
    ends_on = models.DateField(_("终止日期"), null=True, blank=True)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("授予人")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["role", "id"]
        verbose_name = _("职责")
        verbose_name_plural = _("职责")
        constraints = [
            models.CheckConstraint(
                condition=~(Q(node__isnull=False) & Q(grid__isnull=False)), name="duty_node_or_grid"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="duty_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["user", "ends_on"]), models.Index(fields=["node", "role"])]

    def __str__(self) -> str:
        target = self.node or self.grid or ""
        return f"{self.get_role_display()} {target}".strip()

    def is_current(self, on: dt.date) -> bool:
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)
