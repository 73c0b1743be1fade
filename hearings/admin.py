from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from hearings.models import (
    Hearing,
    HearingAnswer,
    HearingAnswerAttachment,
    HearingAnswerStatusChange,
    HearingDocument,
)
from priorities.admin import StatusChangeAdmin


class DocumentInline(admin.TabularInline):
    model = HearingDocument
    extra = 0
    readonly_fields = ["file", "name", "size", "sha256", "uploaded_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Hearing)
class HearingAdmin(admin.ModelAdmin):
    """Hearings are opened from the case's work page; here they are read (the database
    refuses changes to what was put out, but a later deadline)."""

    list_display = ["title", "case", "opens_on", "closes_on", "audience", "publication"]
    list_filter = ["audience", "publication", "case__municipality"]
    search_fields = ["title", "case__number"]
    readonly_fields = [
        field.name
        for field in (*Hearing._meta.fields, *Hearing._meta.many_to_many)
        if field.editable and field.name != "closes_on"
    ] + ["created_at"]
    inlines = [DocumentInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AnswerAttachmentInline(admin.TabularInline):
    model = HearingAnswerAttachment
    extra = 0
    readonly_fields = ["file", "name", "size", "sha256", "uploaded_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(HearingAnswer)
class HearingAnswerAdmin(GISModelAdmin):
    """Answers are on the record: read here; moderated and answered on their own page."""

    list_display = ["reference", "hearing", "respondent", "status", "visibility", "late"]
    list_filter = ["respondent", "status", "visibility", "late", "municipality"]
    search_fields = ["reference", "organisation_name", "organisation_number"]
    readonly_fields = [
        field.name
        for field in (*HearingAnswer._meta.fields, *HearingAnswer._meta.many_to_many)
        if field.editable
    ] + ["created_at"]
    inlines = [AnswerAttachmentInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HearingAnswerStatusChange)
class HearingAnswerStatusChangeAdmin(StatusChangeAdmin):
    pass
