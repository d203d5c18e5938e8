from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from gongzhi.accounts.actors import request_actor
from gongzhi.accounts.models import User
from gongzhi.accounts.security import client_ip, needs_two_factor
from gongzhi.core.actors import Actor


class ActorMiddleware:
    """Attach ``request.actor``, resolved lazily (pages that never look pay nothing) and cached across requests."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        def build() -> Actor:
            user = request.user
            is_verified = bool(getattr(user, "is_verified", lambda: False)())
            return request_actor(
                user if isinstance(user, User) else None, ip_address=client_ip(request), is_verified=is_verified
            )

        request.actor = SimpleLazyObject(build)  # type: ignore[attr-defined]
        return self.get_response(request)


# Paths a signed-in user may reach before the second factor: the factor pages themselves, logout, assets.
TWO_FACTOR_OPEN_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/i18n/", "/healthz")
LAST_SEEN_KEY = "gongzhi_last_seen"
# The session is written at most this often for the idle clock, not on every request.
LAST_SEEN_RESOLUTION_SECONDS = 60


class SessionSecurityMiddleware:
    """Idle timeout (MLPS: automatic logout) and the second factor for staff who can reveal personal data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > settings.GONGZHI_IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
                messages.info(
                    request, _("您已超过%(n)d分钟未操作，请重新登录。") % {"n": settings.GONGZHI_IDLE_TIMEOUT_MINUTES}
                )
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now
            response = self._second_factor(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _second_factor(self, request: HttpRequest) -> HttpResponse | None:
        actor: Actor = request.actor  # type: ignore[attr-defined]
        if actor.is_verified or not needs_two_factor(actor):
            return None
        if request.path.startswith(TWO_FACTOR_OPEN_PREFIXES) or request.path.startswith("/api/"):
            return None
        return redirect(f"{reverse('accounts:two-factor')}?next={request.get_full_path()}")
