from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongzhi.stewardship.models import (
    Committee,
    CommitteeCandidate,
    CommitteeMember,
    CommitteeTerm,
    Contract,
    Manager,
    ManagerStaff,
)


@admin.register(Manager)
class ManagerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "credit_code", "contact_name", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "credit_code"]
    readonly_fields = ["credit_code"]  # entered through the page, where its check character is verified


@admin.register(ManagerStaff)
class ManagerStaffAdmin(admin.ModelAdmin):
    list_display = ["manager", "user", "title", "starts_on", "ends_on"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["compound", "manager", "starts_on", "ends_on", "terminated_on", "fee_fen_per_m2", "service_grade"]
    readonly_fields = ["manager", "compound", "starts_on"]  # changes go through the services (mode follows)


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "compound"]


class CandidateInline(admin.TabularInline):
    """Read-only: candidates are the election's, opened and applied on the compound page."""

    model = CommitteeCandidate
    fields = ["person", "question", "elected"]
    readonly_fields = ["person", "question", "elected"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CommitteeTerm)
class CommitteeTermAdmin(admin.ModelAdmin):
    list_display = ["committee", "number", "starts_on", "ends_on", "filed_on"]
    inlines = [CandidateInline]


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(admin.ModelAdmin):
    list_display = ["term", "person", "position", "joined_on", "left_on"]
