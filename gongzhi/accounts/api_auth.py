"""API authentication: the browser's session (with CSRF) or a bearer token for machine clients.

Both resolve to the same Actor a page request gets, so the API sees exactly what the pages see.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import SimpleRateThrottle

from gongzhi.accounts.actors import token_actor
from gongzhi.accounts.models import User
from gongzhi.accounts.security import api_token_user_id, client_ip, needs_two_factor
from gongzhi.core.actors import Actor


class SessionActorAuth(APIKeyCookie):
    """Django's session cookie; CSRF is checked on unsafe methods. Staff who need TOTP must have passed it."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a session cookie there is no session for a forged request to ride on, and the CSRF check
        # would refuse a bearer-token client (it sends no cookie) before TokenActorAuth is asked.
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        user = request.user
        if not isinstance(user, User) or not user.is_active:
            return None
        actor: Actor = request.actor  # type: ignore[attr-defined]
        if needs_two_factor(actor) and not actor.is_verified:
            return None
        return actor


class TokenActorAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        user_id = api_token_user_id(token)
        if user_id is None:
            return None
        actor = token_actor(user_id, ip_address=client_ip(request))
        if not actor.is_authenticated:
            return None  # the token's user was deactivated
        request.actor = actor  # type: ignore[attr-defined]
        return actor


class ActorRateThrottle(SimpleRateThrottle):
    """Requests per user (or per address before authentication), shared across threads via the cache."""

    scope = "actor"

    def get_cache_key(self, request: HttpRequest) -> str:
        actor: Any = getattr(request, "auth", None)
        ident = f"u{actor.user_id}" if isinstance(actor, Actor) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": hashlib.sha256(str(ident).encode()).hexdigest()}
