"""亮身份 for pages of other apps (core.badges): only members with a current consent, whoever looks; and
党员服务 on the volunteering activities an organisation tagged (public: it names no member)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from gongzhi.party.selectors import badge_person_ids, party_households
from gongzhi.party.serving import party_activity_ids


def person_badges(person_ids: Iterable[int]) -> dict[int, list[str]]:
    return {pk: [_("共产党员")] for pk in badge_person_ids(person_ids)}


def household_badges(household_ids: Iterable[int]) -> dict[int, list[str]]:
    return {pk: [_("党员户")] for pk in party_households(household_ids)}


def activity_badges(activity_ids: Iterable[int]) -> dict[int, list[str]]:
    return {pk: [_("党员服务")] for pk in party_activity_ids(activity_ids)}
