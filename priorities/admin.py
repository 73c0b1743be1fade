from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from priorities.models import (
    AnswerTemplate,
    Category,
    Export,
    Priority,
    PriorityReply,
    PriorityStatusChange,
)


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


class StatusChangeAdmin(admin.ModelAdmin):
    """A kind of input's status changes: on the record, so read-only here."""

    list_display = ["record", "status", "actor_role", "case_number", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["record", "actor"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReplyAdmin(admin.ModelAdmin):
    """A kind of input's replies from elected members: on the record, so what was said is
    read-only here; a moderator may hide one with a reason (or on the record's page)."""

    list_display = ["record", "role", "name", "party", "elected_body", "visibility", "created_at"]
    list_filter = ["role", "visibility"]
    fields = [
        "record",
        "parent",
        "role",
        "name",
        "party",
        "elected_body",
        "text",
        "created_at",
        "visibility",
        "hidden_reason",
    ]
    readonly_fields = [
        "record",
        "parent",
        "role",
        "name",
        "party",
        "elected_body",
        "text",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "municipality", "status"]
    list_filter = ["municipality", "status"]


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    """The log of exports, with whether personal data was included."""

    list_display = [
        "created_at",
        "user",
        "municipality",
        "format",
        "include_personal_data",
        "rows",
        "state",
    ]
    list_filter = ["format", "include_personal_data", "state"]
    readonly_fields = [f.name for f in Export._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PriorityStatusChange)
class PriorityStatusChangeAdmin(StatusChangeAdmin):
    pass


@admin.register(PriorityReply)
class PriorityReplyAdmin(ReplyAdmin):
    pass
