from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from cases.models import Case, CaseAreaAdjustment, FrozenDigest


@admin.register(Case)
class CaseAdmin(GISModelAdmin):
    list_display = ["number", "title", "municipality", "body", "meeting_date", "status"]
    list_filter = ["municipality", "body", "status"]
    search_fields = ["number", "title"]


@admin.register(FrozenDigest)
class FrozenDigestAdmin(admin.ModelAdmin):
    """Frozen digests can be looked at, never changed (the database refuses it anyway)."""

    list_display = ["case", "version", "frozen_at", "until"]
    readonly_fields = [f.name for f in FrozenDigest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseAreaAdjustment)
class CaseAreaAdjustmentAdmin(admin.ModelAdmin):
    list_display = ["case", "area", "action", "reason", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
