from __future__ import annotations

from django.contrib import admin

from gongzhi.consultation.models import ConsultationRules, ModerationAction
from gongzhi.registry.admin import ReadOnlyAdmin


@admin.register(ConsultationRules)
class ConsultationRulesAdmin(admin.ModelAdmin):
    list_display = ("node", "support_threshold", "updated_at")
    list_select_related = ("node",)


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "subject", "reason", "moderator")
    list_select_related = ("moderator",)
