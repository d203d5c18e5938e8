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
    # Revocation takes effect at once, whatever the planned end date; the row stays as history.
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("撤销人")
    )

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

    @staticmethod
    def current_q(on: dt.date) -> Q:
        """Duties in force on a day: started, not ended, not revoked."""
        return Q(revoked_at__isnull=True, starts_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on))

    def __str__(self) -> str:
        target = self.node or self.grid or ""
        return f"{self.get_role_display()} {target}".strip()

    def is_current(self, on: dt.date) -> bool:
        return self.revoked_at is None and self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)


class LoginFailure(models.Model):
    """A failed login, counted per account and per address for the lockout (MLPS: limit failed attempts)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.CharField(max_length=45, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")

    def __str__(self) -> str:
        return f"{self.username}@{self.ip_address} {self.at:%Y-%m-%d %H:%M}"


class ApiToken(TimeStampedModel):
    """A bearer token for a machine client. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户"))
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
