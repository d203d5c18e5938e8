from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponseForbidden
from django.utils.http import url_has_allowed_host_and_scheme

from gongzhi.core.actors import Actor
from gongzhi.core.exceptions import DomainError, NotAllowed


class ActorRequest(HttpRequest):
    """The request type views receive: ActorMiddleware has attached the Actor."""

    actor: Actor


class ApiRequest(HttpRequest):
    """The request type API operations receive: the auth classes resolved the caller to an Actor."""

    auth: Actor


def safe_next(request: HttpRequest, default: str) -> str:
    """The ?next= / POST next target when it stays on this site, else ``default`` (no open redirects)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def add_domain_error(form: Any, exc: DomainError) -> None:
    """Show a service's refusal on the form: beside the field it names, else above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def action_attempt(
    request: HttpRequest, act: Callable[[], object], done: str | None = None
) -> HttpResponseForbidden | None:
    """Run the one write of a page's POST action. Done: a success message (``done``, else what ``act``
    returned); a refusal of the rule: its message above the page, nothing written; a refusal of the person:
    403 with the reason. None means "redirect back to the page"."""
    try:
        result = act()
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:  # InvalidTransition too
        messages.error(request, exc.message)
    else:
        messages.success(request, done if done is not None else str(result))
    return None
