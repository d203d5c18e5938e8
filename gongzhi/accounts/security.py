"""Login hardening (MLPS level 3, GB/T 22239-2019 §8.1.4.1): lockout after repeated failures, idle
timeout, and a second factor (TOTP) for staff who can reveal personal data."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from gongzhi.accounts import actor_cache
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


class LockoutReason(StrEnum):
    ACCOUNT = "account"
    ADDRESS = "address"


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or, behind a proxy named in GONGZHI_TRUSTED_PROXIES (nginx on
    the same machine is 127.0.0.1), the nearest address in X-Forwarded-For that is not a trusted proxy.

    Without this every login behind nginx would come from 127.0.0.1 and share one address throttle.
    Only trusted proxies are believed: a client can write any X-Forwarded-For it likes.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
    trusted = settings.GONGZHI_TRUSTED_PROXIES
    if remote not in trusted:
        return remote
    forwarded = [a.strip() for a in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if a.strip()]
    for address in reversed(forwarded):
        if address not in trusted:
            return address[:45]
    return remote


@dataclass(frozen=True)
class Lockout:
    reason: LockoutReason
    until: dt.datetime


def lockout_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.GONGZHI_LOCKOUT_MINUTES)


def address_throttle_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.GONGZHI_ADDRESS_THROTTLE_MINUTES)


def _locked_until(failures: QuerySet[LoginFailure], *, limit: int, window: dt.timedelta) -> dt.datetime | None:
    recent = list(failures.filter(at__gte=timezone.now() - window).order_by("-at").values_list("at", flat=True)[:limit])
    if len(recent) < limit:
        return None
    # Locked until the window has passed over the oldest of the last `limit` failures.
    return recent[-1] + window


def login_lockout(*, username: str, ip_address: str) -> Lockout | None:
    """A lockout in force for this account, or a throttle on this address, if any.

    The two limits are separate on purpose: a subdistrict office or a housing estate sends every user's
    login from one shared address, so five typos by one person lock that person's account only. The
    address is throttled at a much higher count (GONGZHI_ADDRESS_THROTTLE_FAILURES, default 50), which
    stops guessing across many accounts without stopping an office's ordinary mistakes.
    """
    account = _locked_until(
        LoginFailure.objects.filter(username=username.lower()),
        limit=settings.GONGZHI_LOCKOUT_FAILURES,
        window=lockout_window(),
    )
    if account is not None:
        return Lockout(reason=LockoutReason.ACCOUNT, until=account)
    if not ip_address:
        return None
    address = _locked_until(
        LoginFailure.objects.filter(ip_address=ip_address),
        limit=settings.GONGZHI_ADDRESS_THROTTLE_FAILURES,
        window=address_throttle_window(),
    )
    if address is not None:
        return Lockout(reason=LockoutReason.ADDRESS, until=address)
    return None


def login_failure_record(*, username: str, ip_address: str) -> None:
    LoginFailure.objects.create(username=username.lower()[:150], ip_address=ip_address)


def login_failures_left(*, username: str) -> int:
    """How many more wrong passwords this account may take before it is locked."""
    since = timezone.now() - lockout_window()
    failed = LoginFailure.objects.filter(username=username.lower(), at__gte=since).count()
    return max(settings.GONGZHI_LOCKOUT_FAILURES - failed, 0)


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


def api_token_user_id(token: str) -> int | None:
    """The id of a live token's user, without loading the user; the token's row is cached (actor_cache).

    Whether the user is still active is the Actor's to say: an inactive user's Actor is anonymous.
    """
    digest = token_digest(token)

    def load() -> dict[str, Any] | None:
        row = (
            ApiToken.objects.filter(digest=digest, revoked_at__isnull=True)
            .values("pk", "user_id", "expires_at", "last_used_at")
            .first()
        )
        return dict(row) if row is not None else None

    found = actor_cache.cached_token(digest, load)
    now = timezone.now()
    if found is None or (found["expires_at"] and found["expires_at"] <= now):
        return None
    if _note_use(found["pk"], found["last_used_at"], now):
        actor_cache.note_token_use(digest, now)
    return int(found["user_id"])


def _note_use(token_id: int, last_used_at: dt.datetime | None, now: dt.datetime) -> bool:
    if last_used_at is None or now - last_used_at > dt.timedelta(minutes=5):
        # Written at most every few minutes: a hot API path should not write on every request.
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        return True
    return False
