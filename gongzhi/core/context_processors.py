from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from gongzhi.core.navigation import nav_for
from gongzhi.core.notifications import unread_count


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page shell needs: the actor and the navigation, both read lazily."""
    actor = getattr(request, "actor", None)
    return {
        "actor": actor,
        "nav_items": SimpleLazyObject(lambda: nav_for(actor) if actor is not None else []),
        "unread_notifications": SimpleLazyObject(
            lambda: unread_count(actor=actor) if actor is not None and actor.is_authenticated else 0
        ),
    }
