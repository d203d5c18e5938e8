"""Categories, routing rules and the calendar are configuration an administrator may edit; cases and
their events are read-only here (every change of a case goes through the transition service)."""

from __future__ import annotations

from django.contrib import admin

from gongzhi.cases.models import Case, CaseCategory, RoutingRule, WorkCalendarDay
from gongzhi.registry.admin import ReadOnlyAdmin


@admin.register(CaseCategory)
class CaseCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "time_limit_amount", "time_limit_unit", "handler_kind", "is_public")
    list_filter = ("handler_kind", "time_limit_unit", "is_public", "is_active")
    search_fields = ("code", "name")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("place", "category", "handler_kind", "handler_label")
    raw_id_fields = ("place", "handler_node")


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    list_display = ("day", "is_working", "note")


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("id", "category", "status", "handler_label", "deadline_at", "rework_count", "rating")
    list_filter = ("status", "channel", "handler_kind")
    fields = ("category", "status", "channel", "handler_label", "deadline_at", "rework_count", "rating")
