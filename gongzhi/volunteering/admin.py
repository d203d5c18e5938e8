"""Read-only admin views of volunteering. Every change goes through the services (pages, API, commands), so the
ledger and its cached balances can never be edited here; volunteers appear by number, not by name (三员分立)."""

from __future__ import annotations

from django.contrib import admin

from gongzhi.registry.admin import ReadOnlyAdmin
from gongzhi.volunteering.models import Activity, PointsEntry, PointsRule, ShopItem, Team, Volunteer


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyAdmin):
    list_display = ("number", "status", "certified_minutes", "points_balance", "consent_version", "created_at")
    list_filter = ("status",)
    search_fields = ("number",)
    fields = list_display


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "volunteer", "kind", "amount", "balance_after", "occurred_on", "actor_name", "key")
    list_filter = ("kind",)
    list_select_related = ("volunteer",)
    search_fields = ("volunteer__number", "key")


@admin.register(PointsRule)
class PointsRuleAdmin(ReadOnlyAdmin):
    list_display = ("starts_on", "points_per_hour", "daily_cap", "monthly_cap", "note")


@admin.register(ShopItem)
class ShopItemAdmin(ReadOnlyAdmin):
    list_display = ("name", "node", "points_price", "stock", "limit_per_person", "is_active")
    list_select_related = ("node",)


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "node", "is_active")
    list_select_related = ("node",)


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ("title", "starts_at", "node", "slots", "status")
    list_filter = ("status",)
    list_select_related = ("node",)
