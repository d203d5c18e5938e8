from __future__ import annotations

from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from gongzhi.territory.models import CodeRecord, Grid, Node


@admin.register(Node)
class NodeAdmin(TreeAdmin):
    form = movenodeform_factory(Node, exclude=("grid",))
    list_display = ("name", "kind", "code", "management_mode", "is_old_compound", "is_single_building")
    list_filter = ("kind", "management_mode", "is_old_compound", "is_single_building")
    search_fields = ("name", "code")


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "community", "compound", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code")
    raw_id_fields = ("community", "compound")
    readonly_fields = ("code", "org_path", "min_lon", "min_lat", "max_lon", "max_lat")


@admin.register(CodeRecord)
class CodeRecordAdmin(admin.ModelAdmin):
    list_display = ("value", "scheme", "node", "grid", "valid_from", "valid_to")
    list_filter = ("scheme",)
    search_fields = ("value",)
    raw_id_fields = ("node", "grid")
