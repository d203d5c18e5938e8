"""Writes to accounts: granting and revoking duties, API tokens. Audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.choices import ROLE_SCOPE, Role, ScopeKind
from gongzhi.accounts.models import ApiToken, Duty, User
from gongzhi.accounts.permissions import can_grant_duty
from gongzhi.accounts.security import api_token_create
from gongzhi.core.actors import Actor
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.exceptions import DomainError, NotAllowed


def _check_scope(role: str, node: Any, grid: Any) -> None:
    kind, node_kinds = ROLE_SCOPE[role]
    label = Role(role).label
    if kind == ScopeKind.GRID and (grid is None or node is not None):
        raise DomainError(_("“%(role)s”的职责须指定一个网格。") % {"role": label}, field="grid")
    if kind == ScopeKind.NODE:
        if node is None or grid is not None:
            raise DomainError(_("“%(role)s”的职责须指定一个区域。") % {"role": label}, field="node")
        if node.kind not in node_kinds:
            raise DomainError(
                _("“%(role)s”的职责只能指定到：%(kinds)s。") % {"role": label, "kinds": "、".join(node_kinds)},
                field="node",
            )
    if kind == ScopeKind.NONE and (node is not None or grid is not None):
        raise DomainError(_("“%(role)s”是系统角色，不指定区域或网格。") % {"role": label}, field="node")


@transaction.atomic
def duty_grant(
    *,
    actor: Actor,
    user: User,
    role: str,
    node: Any = None,
    grid: Any = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    note: str = "",
) -> Duty:
    """Give a user a role over a node or grid for a period."""
    if role not in ROLE_SCOPE:
        raise DomainError(_("未知角色。"), field="role")
    _check_scope(role, node, grid)
    if not can_grant_duty(
        actor, role=role, node_path=getattr(node, "path", None), grid_org_path=getattr(grid, "org_path", None)
    ):
        raise NotAllowed(_("您不能在该范围授予此职责。"))
    starts_on = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_("终止日期不能早于起始日期。"), field="ends_on")
    overlapping = Duty.objects.filter(user=user, role=role, node=node, grid=grid, revoked_at__isnull=True).exclude(
        ends_on__lt=starts_on
    )
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=ends_on)
    if overlapping.exists():
        raise DomainError(_("该用户在此范围已有相同职责。"), field="role")
    duty = Duty.objects.create(
        user=user,
        role=role,
        node=node,
        grid=grid,
        starts_on=starts_on,
        ends_on=ends_on,
        granted_by_id=actor.user_id,
        note=note.strip(),
    )
    audit_record(
        actor=actor,
        action="accounts.duty_grant",
        target=duty,
        after=snapshot(duty),
        label=f"{user.username} {Role(role).label}",
    )
    return duty


@transaction.atomic
def duty_revoke(*, actor: Actor, duty: Duty) -> Duty:
    """End a duty now (the row stays as history)."""
    if not can_grant_duty(
        actor,
        role=duty.role,
        node_path=duty.node.path if duty.node else None,
        grid_org_path=duty.grid.org_path if duty.grid else None,
    ):
        raise NotAllowed(_("您不能撤销该职责。"))
    if duty.revoked_at is not None:
        raise DomainError(_("该职责已撤销。"))
    duty.revoked_at = timezone.now()
    duty.revoked_by_id = actor.user_id
    duty.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit_record(
        actor=actor,
        action="accounts.duty_revoke",
        target=duty,
        after=snapshot(duty, ["revoked_at"]),
        label=f"{duty.user.username} {duty.get_role_display()}",
    )
    return duty


def api_token_issue(*, actor: Actor, name: str, days: int | None = 365) -> tuple[ApiToken, str]:
    if actor.user_id is None:
        raise NotAllowed(_("请先登录。"))
    user = User.objects.get(pk=actor.user_id)
    record, token = api_token_create(user=user, name=name, days=days)
    audit_record(
        actor=actor,
        action="accounts.api_token_issue",
        target=record,
        label=record.name,
        after={"prefix": record.prefix, "expires_at": record.expires_at.isoformat() if record.expires_at else None},
    )
    return record, token


def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    if token.user_id != actor.user_id:
        raise NotAllowed(_("只能吊销自己的令牌。"))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    audit_record(actor=actor, action="accounts.api_token_revoke", target=token, label=token.name)
    return token
