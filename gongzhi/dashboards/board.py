"""The cockpit's headline as a whole: headline's own sections (registry, campaigns, cases) and the other
modules' (sections.py), in the order the page, the big screen and the monthly report show them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from gongzhi.core.actors import Actor
from gongzhi.dashboards import headline, sections
from gongzhi.dashboards.headline import Period, Section
from gongzhi.dashboards.selectors import Focus

SectionFn = Callable[[Actor, Focus, Period], Section]
SECTIONS: list[SectionFn] = [
    headline.registry_section,
    headline.campaigns_section,
    headline.cases_section,
    *sections.SECTIONS,
]


def headline_sections(*, actor: Actor, focus: Focus, today: dt.date) -> list[Section]:
    """The sections as of ``today``: this month to date. For a past month's report, pass its last day."""
    period = Period.of(today)
    return [section(actor, focus, period) for section in SECTIONS]
