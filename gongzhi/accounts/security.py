"""Login hardening (MLPS level 3, GB/T 22239-2019 §8.1.4.1): lockout after repeated failures, idle
timeout, and a second factor (TOTP) for staff who can reveal personal data."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import ApiToken, LoginFailure, User
from gongzhi.core.actors import Actor

# Roles whose holders can reveal personal data or administer the system: they need a second factor.
TWO_FACTOR_ROLES = (
    Role.SUBDISTRICT_OFFICER,
    Role.COMMUNITY_WORKER,
    Role.GRID_HEAD,
    Role.GRID_WORKER,
    Role.PLATFORM_ADMIN,
    Role.AUDITOR,
)


@dataclass(frozen=True)
class Lockout:
    until: dt.datetime


def lockout_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.GONGZHI_LOCKOUT_MINUTES)


def login_lockout(*, username: str, ip_address: str) -> Lockout | None:
    """A lockout in force for this account or this address, if any."""
    since = timezone.now() - lockout_window()
    limit = settings.GONGZHI_LOCKOUT_FAILURES
    failures = LoginFailure.objects.filter(at__gte=since)
    for q in (Q(username=username.lower()), Q(ip_address=ip_address)):
        recent = list(failures.filter(q).order_by("-at").values_list("at", flat=True)[:limit])
        if len(recent) >= limit:
            # Locked until the window has passed over the oldest of the last `limit` failures.
            return Lockout(until=recent[-1] + lockout_window())
    return None


def login_failure_record(*, username: str, ip_address: str) -> None:
    LoginFailure.objects.create(username=username.lower()[:150], ip_address=ip_address)


def login_success_record(*, username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()


def needs_two_factor(actor: Actor) -> bool:
    return settings.GONGZHI_REQUIRE_2FA and (actor.has_role(*TWO_FACTOR_ROLES) or actor.is_superuser)


# --- API tokens -------------------------------------------------------------------------------------

TOKEN_PREFIX = "gz_"  # noqa: S105 - a visible marker, not a secret


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, user: User, name: str, days: int | None = 365) -> tuple[ApiToken, str]:
    """A new token; the clear token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(days=days) if days else None
    record = ApiToken.objects.create(
        user=user, name=name.strip() or "token", prefix=token[:10], digest=token_digest(token), expires_at=expires_at
    )
    return record, token


def api_token_user(token: str) -> User | None:
    # The user's person comes in the same query: actor_for_user reads it next, on every API call.
    tokens = ApiToken.objects.filter(digest=token_digest(token), revoked_at__isnull=True)
    record = tokens.select_related("user", "user__person").first()
    now = timezone.now()
    if record is None or not record.user.is_active or (record.expires_at and record.expires_at <= now):
        return None
    if record.last_used_at is None or now - record.last_used_at > dt.timedelta(minutes=5):
        # Written at most every few minutes: a hot API path should not write on every request.
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user
