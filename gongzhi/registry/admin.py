"""Admin for reference data and a read-only, masked view of the registry.

The platform administrator configures the system but is not a reader of personal data (三员分立): the
registry pages here show masked columns only, and changes go through the registry's own pages and services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongzhi.registry.models import CareTag, Dwelling, Household, Person


@admin.register(CareTag)
class CareTagAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_sensitive", "is_active", "sort_order")
    list_editable = ("is_active", "sort_order")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Dwelling)
class DwellingAdmin(ReadOnlyAdmin):
    list_display = ("id", "unit", "room", "floor", "kind", "exclusive_area_dm2", "grid")
    list_filter = ("kind",)
    list_select_related = ("unit", "grid")


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ("number", "dwelling", "grid", "is_active", "registered_on")
    list_select_related = ("dwelling", "grid")
    search_fields = ("number",)


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ("id", "masked_name", "id_type", "id_masked", "phone_masked", "status", "grid")
    list_filter = ("status", "id_type")
    list_select_related = ("grid",)
    fields = ("masked_name", "id_type", "id_masked", "phone_masked", "status", "grid")
    readonly_fields = fields

    @admin.display(description="姓名")
    def masked_name(self, person: Person) -> str:
        from gongzhi.core.pinyin import mask_name

        return mask_name(person.name)
