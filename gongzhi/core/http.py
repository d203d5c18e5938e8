from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from gongzhi.core.actors import Actor
from gongzhi.core.exceptions import DomainError


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
