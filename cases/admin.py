from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from cases.models import Case, Consultation


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

    def has_delete_permission(self, request, obj=None):
        return False
