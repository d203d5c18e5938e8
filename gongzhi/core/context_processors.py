from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page shell (navigation) needs: the actor, read lazily."""
    return {"actor": getattr(request, "actor", None)}
