"""Template filters of 三会一课 for the shared party pages (the organisation page links its meetings)."""

from __future__ import annotations

from django import template

from gongzhi.party.choices import MEETING_KINDS
from gongzhi.party.models import Organisation

register = template.Library()


@register.filter
def holds_meetings(organisation: Organisation) -> bool:
    """Branches and groups hold 三会一课 of their own (choices.MEETING_KINDS); committees above them do not."""
    return organisation.is_active and organisation.kind in MEETING_KINDS
