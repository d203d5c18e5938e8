"""Per-address rate limits on POSTs (failed logins, the resident's report form, Open311 requests): a
fixed-window counter in the shared cache.

The key holds the scope, the client address and the window's number, so a new window starts from nothing
without anything being reset. The limits are per address and generous (settings GONGZHI_RATE_*): an office
or a compound's NAT is one address. The caller says how the address is read (accounts.security.client_ip,
which believes only trusted proxies), so the kernel does not import an app.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

SETTINGS = {
    "login": "GONGZHI_RATE_LOGIN",
    "report": "GONGZHI_RATE_REPORT",
    "open311": "GONGZHI_RATE_OPEN311",
}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window ends


@functools.cache
def rate_parse(value: str) -> tuple[int, int]:
    """ "30/60" → (30, 60): at most 30 POSTs per address in each 60-second window. Parsed once per value."""
    try:
        count, seconds = (int(part) for part in value.split("/"))
    except ValueError as exc:
        raise ImproperlyConfigured(f"rate limit {value!r} is not count/seconds, e.g. 30/60") from exc
    if count < 1 or seconds < 1:
        raise ImproperlyConfigured(f"rate limit {value!r} needs a count and seconds of at least 1")
    return count, seconds


def _window(scope: str, address: str) -> tuple[str, int, int, int]:
    """The counter's key for this address's current window, the limit, the window's length and the seconds left."""
    limit, seconds = rate_parse(getattr(settings, SETTINGS[scope]))
    now = time.time()
    window = int(now // seconds)
    retry_after = max(math.ceil((window + 1) * seconds - now), 1)
    return f"ratelimit:{scope}:{seconds}:{window}:{address or '-'}", limit, seconds, retry_after


def rate_check(scope: str, address: str) -> Verdict:
    """Count one request from this address against its window for the scope, and say whether it may go on."""
    key, limit, seconds, retry_after = _window(scope, address)
    cache.add(key, 0, timeout=seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this request opens the window again
        cache.set(key, 1, timeout=seconds + 1)
        count = 1
    return Verdict(allowed=count <= limit, retry_after=retry_after)


def rate_peek(scope: str, address: str) -> Verdict:
    """Whether this address may go on, without counting: for limits that count only some outcomes (the login
    counts its failures, rate_check after the fact)."""
    key, limit, _seconds, retry_after = _window(scope, address)
    return Verdict(allowed=(cache.get(key) or 0) < limit, retry_after=retry_after)


def too_many_page(request: HttpRequest, verdict: Verdict) -> HttpResponse:
    response = render(request, "429.html", {"retry_after": verdict.retry_after}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def limit_posts(
    scope: str, address_of: Callable[[HttpRequest], str]
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A view decorator: POSTs over the scope's limit get the 429 page before the view runs (nothing is
    written); GETs are never counted."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                verdict = rate_check(scope, address_of(request))
                if not verdict.allowed:
                    return too_many_page(request, verdict)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
