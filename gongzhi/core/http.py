from __future__ import annotations

from django.http import HttpRequest

from gongzhi.core.actors import Actor


class ActorRequest(HttpRequest):
    """The request type views receive: ActorMiddleware has attached the Actor."""

    actor: Actor
