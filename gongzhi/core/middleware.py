from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from gongzhi.core import dbrouter


class LanguageMiddleware:
    """Chinese unless the user chose another language with the switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; staff on English-language
    machines would then get an English UI they never asked for, so the browser is not consulted.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class ReplicaRoutingMiddleware:
    """Marks the request for the database router (core/dbrouter.py); installed only with a replica.

    Its cost on a request that is not replica-eligible is a context variable set and reset; an eligible GET
    adds one cache read (the client's last write), an unsafe request one cache write.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.window = settings.GONGZHI_READ_YOUR_WRITES_SECONDS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = dbrouter.RequestRouting()
        token = dbrouter.current.set(state)
        try:
            response = self.get_response(request)
        finally:
            dbrouter.current.reset(token)
        if state.wrote or request.method not in dbrouter.SAFE_METHODS:
            self._remember_write(request)
        return response

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> None:
        match = request.resolver_match
        state = dbrouter.current.get()
        if match is None or state is None:
            return
        if not dbrouter.route_is_replica_eligible(
            method=request.method or "", namespace=match.namespace, view_name=match.view_name
        ):
            return
        # The session and the user were read before this point, from the primary.
        user_id, address = _client(request)
        last_write_at = cache.get(dbrouter.read_key(user_id=user_id, address=address))
        state.eligible = not dbrouter.within_write_window(
            last_write_at=last_write_at, now=time.time(), window_seconds=self.window
        )

    def _remember_write(self, request: HttpRequest) -> None:
        user_id, address = _client(request)
        keys = dbrouter.write_keys(user_id=user_id, address=address)
        cache.set_many(dict.fromkeys(keys, time.time()), timeout=self.window)


def _client(request: HttpRequest) -> tuple[int | None, str]:
    """The client's user id and address, from its actor (accounts.ActorMiddleware; an API token client's
    actor replaces it in the view, so after the view it names the token's user)."""
    actor = getattr(request, "actor", None)
    return getattr(actor, "user_id", None), str(getattr(actor, "ip_address", ""))
