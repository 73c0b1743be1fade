from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from priorities.models import Category, Priority, StatusChange


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_nb", "name_nn", "name_en", "colour", "municipality", "position"]
    list_filter = ["municipality"]
    list_editable = ["position"]


@admin.register(Priority)
class PriorityAdmin(GISModelAdmin):
    list_display = [
        "reference",
        "title",
        "category",
        "status",
        "visibility",
        "support_count",
        "created_at",
    ]
    list_filter = ["status", "visibility", "category", "municipality"]
    search_fields = ["reference", "title"]
    readonly_fields = [
        "reference",
        "support_count",
        "created_at",
        "status",
        "status_changed_at",
        "first_answered_at",
    ]
    raw_id_fields = ["author", "areas"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["priority", "status", "actor_role", "case_number", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["priority", "actor"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
