from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from cases.models import Case, CaseAreaAdjustment, Consultation, FrozenDigest


@admin.register(Case)
class CaseAdmin(GISModelAdmin):
    list_display = ["number", "title", "municipality", "body", "meeting_date", "status"]
    list_filter = ["municipality", "body", "status"]
    search_fields = ["number", "title"]


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["case", "deadline", "created_at"]
    filter_horizontal = ["councils"]
    raw_id_fields = ["case", "created_by"]

    def get_readonly_fields(self, request, obj=None):
        """What was asked is on the record; only the deadline can be moved (later)."""
        if obj is None:
            return []
        return ["case", "councils", "summary", "questions", "created_by", "created_at"]

    def has_delete_permission(self, request, obj=None):
        return False


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
