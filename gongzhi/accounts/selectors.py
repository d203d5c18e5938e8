from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gongzhi.accounts.choices import CHAIN_ROLES
from gongzhi.accounts.models import ApiToken, Duty
from gongzhi.accounts.permissions import can_view_audit, visible_api_tokens, visible_duties
from gongzhi.core.actors import Actor, subtree_q
from gongzhi.core.models import AccessLog, AuditEntry


def api_token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    return visible_api_tokens(actor).order_by("-created_at")


def api_token_get(*, actor: Actor, token_id: int) -> ApiToken:
    return get_object_or_404(visible_api_tokens(actor), pk=token_id)


def duty_list(*, actor: Actor, role: str = "", current_only: bool = True) -> QuerySet[Duty]:
    duties = visible_duties(actor).select_related("user", "node", "grid")
    if role:
        duties = duties.filter(role=role)
    if current_only:
        duties = duties.filter(Duty.current_q(timezone.localdate()))
    return duties.order_by("role", "user__username")


def duty_get(*, actor: Actor, duty_id: int) -> Duty:
    return get_object_or_404(visible_duties(actor).select_related("user", "node", "grid"), pk=duty_id)


def chain_duty_list(*, actor: Actor, compound: Any) -> QuerySet[Duty]:
    """Current duties of a compound's chain: on the compound, its grids and its buildings."""
    return (
        visible_duties(actor)
        .filter(Duty.current_q(timezone.localdate()), role__in=CHAIN_ROLES)
        .filter(subtree_q("node__path", compound.path) | Q(grid__compound=compound))
        .select_related("user", "node", "grid")
        .order_by("role", "user__username")
    )


def _ensure_auditor(actor: Actor) -> None:
    if not can_view_audit(actor):
        raise Http404


def access_log_list(*, actor: Actor, username: str = "", subject_id: str = "", action: str = "") -> QuerySet[AccessLog]:
    _ensure_auditor(actor)
    rows = AccessLog.objects.all()
    if username:
        rows = rows.filter(actor_name=username)
    if subject_id:
        rows = rows.filter(subject_id=subject_id)
    if action:
        rows = rows.filter(action=action)
    return rows.order_by("-at", "-id")


def audit_entry_list(*, actor: Actor, username: str = "", action_prefix: str = "") -> QuerySet[AuditEntry]:
    _ensure_auditor(actor)
    rows = AuditEntry.objects.all()
    if username:
        rows = rows.filter(actor_name=username)
    if action_prefix:
        rows = rows.filter(action__startswith=action_prefix)
    return rows.order_by("-at", "-id")
