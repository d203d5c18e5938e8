from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from gongzhi.accounts.models import Duty, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "is_active", "is_staff", "last_login")
    search_fields = ("username", "full_name")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("共治", {"fields": ("full_name",)}),
    )


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin):
    """Read-only: duties are granted and revoked on the duty pages, through audited services."""

    list_display = ("user", "role", "node", "grid", "starts_on", "ends_on")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name")
    raw_id_fields = ("user", "node", "grid", "granted_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
