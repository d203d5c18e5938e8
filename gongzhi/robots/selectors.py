"""Reads of the robots."""

from __future__ import annotations

from collections.abc import Iterable

from gongzhi.robots.models import RobotChannel


def communities_subscribed(*, topic: str, community_ids: Iterable[int]) -> set[int]:
    """Which of these communities have an active channel for the topic: a poster with nobody listening
    need not compose its message."""
    rows = RobotChannel.objects.filter(community_id__in=set(community_ids), is_active=True)
    return {community_id for community_id, topics in rows.values_list("community_id", "topics") if topic in topics}
