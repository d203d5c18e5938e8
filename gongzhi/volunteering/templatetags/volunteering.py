from __future__ import annotations

from django import template

from gongzhi.volunteering.choices import Availability, Skill
from gongzhi.volunteering.hours import hours_text

register = template.Library()


@register.filter
def hours(minutes: int | None) -> str:
    """{{ record.minutes|hours }} → "1.5" (integers only, never floats)."""
    return "" if minutes is None else hours_text(int(minutes))


@register.filter
def stars(level: int | None) -> str:
    """★★☆☆☆ for level 2 of 5."""
    level = int(level or 0)
    return "★" * level + "☆" * (5 - level)


@register.filter
def signed(amount: int | None) -> str:
    return "" if amount is None else f"{int(amount):+d}"


@register.filter
def code4(code: str | None) -> str:
    """A pickup or verification code in groups of four, for reading aloud."""
    code = code or ""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@register.filter
def skill_labels(values: list[str] | None) -> str:
    """The labels of a volunteer's skills (stored as codes), joined for reading."""
    labels = dict(Skill.choices) | dict(Availability.choices)
    return "、".join(str(labels.get(v, v)) for v in values or [])
