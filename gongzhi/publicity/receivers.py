"""Public results of other modules, posted on the public boards (core.signals.result_published)."""

from __future__ import annotations

import html
from typing import Any

from django.dispatch import receiver

from gongzhi.core.signals import result_published
from gongzhi.publicity import services
from gongzhi.territory.models import Node


@receiver(result_published)
def post_result(sender: Any, *, node: Node, title: str, text: str, source: str, origin: str = "", **_: Any) -> None:
    # An honour campaign's vote is published on the honour roll, with citations, not as a bare count.
    if origin.startswith("publicity."):
        return
    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    services.public_post(node=node, title=title, body=body or f"<p>{html.escape(title)}</p>", source=source)
