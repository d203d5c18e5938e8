from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from gongzhi.accounts.actors import actor_for_user
from gongzhi.accounts.models import User
from gongzhi.core.actors import Actor


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


class ActorMiddleware:
    """Attach ``request.actor``, built lazily once per request (pages that never look pay nothing)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        def build() -> Actor:
            user = request.user
            is_verified = bool(getattr(user, "is_verified", lambda: False)())
            return actor_for_user(
                user if isinstance(user, User) else None, ip_address=client_ip(request), is_verified=is_verified
            )

        request.actor = SimpleLazyObject(build)  # type: ignore[attr-defined]
        return self.get_response(request)
