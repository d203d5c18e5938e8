"""Who may grant duties and see accounts. The only module that reads roles for accounts."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import ApiToken, Duty
from gongzhi.core.actors import Actor, any_subtree_q

# Duties are granted by the subdistrict officer, within their subdistrict; system roles (platform
# administrator, auditor) only by a superuser, never by an officer: separation of administration.
DUTY_ADMIN_ROLES = (Role.SUBDISTRICT_OFFICER,)
SYSTEM_ROLES = (Role.PLATFORM_ADMIN, Role.AUDITOR)


def visible_duties(actor: Actor) -> QuerySet[Duty]:
    if actor.is_system:
        return Duty.objects.all()
    paths = actor.paths(*DUTY_ADMIN_ROLES)
    if not paths:
        return Duty.objects.filter(user_id=actor.user_id) if actor.user_id else Duty.objects.none()
    return Duty.objects.filter(
        any_subtree_q("node__path", paths) | any_subtree_q("grid__org_path", paths) | Q(user_id=actor.user_id)
    )


def can_grant_duty(actor: Actor, *, role: str, node_path: str | None, grid_org_path: str | None) -> bool:
    if actor.is_system:
        return True
    if role in SYSTEM_ROLES:
        return actor.is_superuser
    place = node_path or grid_org_path
    return place is not None and any(place.startswith(p) for p in actor.paths(*DUTY_ADMIN_ROLES))


def visible_api_tokens(actor: Actor) -> QuerySet[ApiToken]:
    if actor.user_id is None:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=actor.user_id)


def can_view_audit(actor: Actor) -> bool:
    """The access log and audit trail are for auditors only, not platform administrators (三员分立)."""
    return actor.has_role(Role.AUDITOR)
