"""Organisations in the admin for corrections of names and dates; members are restricted data and are
kept on the party pages (scoped and access-logged), never listed here."""

from django.contrib import admin

from gongzhi.party.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "founded_on", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    filter_horizontal = ["territory"]
    raw_id_fields = ["parent", "manager"]
