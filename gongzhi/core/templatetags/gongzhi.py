from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (pagination keeps the filters)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return str(query.urlencode())


@register.filter
def area_m2(dm2: int | None) -> str:
    """Exclusive area held in 0.01 m² as a decimal string, without floats."""
    if dm2 is None:
        return ""
    return f"{dm2 // 100}.{dm2 % 100:02d}"


@register.filter
def lookup(mapping: dict[Any, Any] | None, key: Any) -> Any:
    """{{ labels|lookup:person.org_path }}"""
    return (mapping or {}).get(key, "")


@register.inclusion_tag("includes/badges.html")
def person_badges(person_id: int | None) -> dict[str, Any]:
    """Badges other apps lend to one person (core.badges), e.g. 亮身份 on a volunteer profile."""
    from gongzhi.core.badges import person_badges as lookup

    return {"labels": lookup([person_id]).get(person_id, []) if person_id else []}


@register.inclusion_tag("includes/badges.html")
def activity_badges(activity_id: int | None) -> dict[str, Any]:
    """Badges other apps lend to one volunteering activity (core.badges), e.g. 党员服务."""
    from gongzhi.core.badges import activity_badges as lookup

    return {"labels": lookup([activity_id]).get(activity_id, []) if activity_id else []}
