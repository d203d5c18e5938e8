"""Polls in the admin are read-only and show no count: the result lives in PollResult, which is written
at closing and not registered here, and ballots are not registered at all. An administrator (a superuser
too) learns a result where everyone else does, on the poll page after publication (docs/votes.md)."""

from __future__ import annotations

from django.contrib import admin

from gongzhi.registry.admin import ReadOnlyAdmin
from gongzhi.votes.models import OwnersRules, Poll


@admin.register(Poll)
class PollAdmin(ReadOnlyAdmin):
    list_display = ("title", "status", "electorate", "is_secret", "opens_at", "closes_at", "roll_size")
    list_filter = ("status", "electorate", "is_secret")
    search_fields = ("title",)
    fields = (
        "title",
        "description",
        "scope",
        "electorate",
        "is_secret",
        "status",
        "notice_days",
        "announced_at",
        "opens_at",
        "closes_at",
        "opened_at",
        "closed_at",
        "published_at",
        "roll_size",
        "source",
    )


@admin.register(OwnersRules)
class OwnersRulesAdmin(ReadOnlyAdmin):
    list_display = ("compound", "notice_days", "follow_majority", "updated_at")
    list_select_related = ("compound",)
