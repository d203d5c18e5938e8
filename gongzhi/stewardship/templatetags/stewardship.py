"""Template filters of the evaluation pages: points are stored in tenths and shown in 分."""

from __future__ import annotations

from django import template

from gongzhi.stewardship.standings import points_text

register = template.Library()


@register.filter
def points(tenths: int | None) -> str:
    """20 → "2.0"."""
    return points_text(tenths)
