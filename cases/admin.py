from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from cases.models import Case


@admin.register(Case)
class CaseAdmin(GISModelAdmin):
    list_display = ["number", "title", "municipality", "body", "meeting_date", "status"]
    list_filter = ["municipality", "body", "status"]
    search_fields = ["number", "title"]
