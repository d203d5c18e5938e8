"""Campaigns in the admin are read-only: every write goes through the services (snapshot, tallies, audit).
Visits, checks and snapshot rows hold personal answers and are not registered."""

from __future__ import annotations

from django.contrib import admin

from gongzhi.campaigns.models import Campaign
from gongzhi.registry.admin import ReadOnlyAdmin


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "status", "starts_on", "ends_on", "retention_ends_on", "purged_at")
    list_filter = ("status", "kind")
    search_fields = ("title",)
    fields = (
        "title",
        "kind",
        "purpose",
        "status",
        "starts_on",
        "ends_on",
        "retention_ends_on",
        "opened_at",
        "closed_at",
        "purged_at",
    )
