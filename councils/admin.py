from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from councils.models import (
    Consultation,
    Council,
    CouncilKind,
    CouncilMembership,
    Submission,
    SubmissionAttachment,
    SubmissionReply,
    SubmissionStatusChange,
    SubmissionTemplate,
)
from priorities.admin import ReplyAdmin, StatusChangeAdmin


class CouncilMembershipInline(admin.TabularInline):
    model = CouncilMembership
    extra = 1
    raw_id_fields = ["user"]


@admin.register(CouncilKind)
class CouncilKindAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_nb", "name_nn", "name_en"]


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality", "is_formal", "organisation_number"]
    list_filter = ["kind", "municipality", "is_formal"]
    search_fields = ["name", "organisation_number"]
    filter_horizontal = ["areas"]
    inlines = [CouncilMembershipInline]


@admin.register(SubmissionTemplate)
class SubmissionTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality"]
    list_filter = ["municipality"]


class AttachmentInline(admin.TabularInline):
    model = SubmissionAttachment
    extra = 0
    readonly_fields = ["file", "name", "size", "sha256", "uploaded_at"]
    can_delete = False


@admin.register(Submission)
class SubmissionAdmin(GISModelAdmin):
    list_display = [
        "reference",
        "title",
        "council",
        "kind",
        "status",
        "late",
        "withdrawn_at",
        "created_at",
    ]
    list_filter = ["kind", "status", "late", "council__municipality"]
    search_fields = ["reference", "title"]
    # On the record: the database refuses changes to what was filed (see Submission), so
    # the admin shows it read-only; answers go through the status loop, withdrawals through
    # the council's page; councils file submissions there too.
    readonly_fields = [
        field.name
        for field in (*Submission._meta.fields, *Submission._meta.many_to_many)
        if field.editable
    ] + ["created_at"]
    inlines = [AttachmentInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


@admin.register(SubmissionStatusChange)
class SubmissionStatusChangeAdmin(StatusChangeAdmin):
    pass


@admin.register(SubmissionReply)
class SubmissionReplyAdmin(ReplyAdmin):
    pass
