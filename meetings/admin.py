from django.contrib import admin, messages
from django.contrib.gis.admin import GISModelAdmin
from django.core.exceptions import PermissionDenied, ValidationError

from meetings import services
from meetings.models import Meeting, MeetingInput, MeetingInputStatusChange, MeetingPhoto
from priorities.admin import StatusChangeAdmin


class ReadOnlyRecordAdmin(GISModelAdmin):
    """On the record: the database refuses changes, so the admin shows it read-only."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyRecordAdmin):
    list_display = ["title", "type", "municipality", "starts_at", "cancelled_at", "hidden_at"]
    list_filter = ["type", "municipality"]
    search_fields = ["title", "place_name"]
    # Only hiding is done here (a moderator of the meeting's municipality, with a reason,
    # once): everything else is read-only.
    readonly_fields = [
        field.name
        for field in (*Meeting._meta.fields, *Meeting._meta.many_to_many)
        if field.editable and field.name != "hidden_reason"
    ] + ["created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.hidden_at:
            return [*self.readonly_fields, "hidden_reason"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("hidden_reason", "")
        if not reason or obj.hidden_at:
            return
        try:
            services.meeting_hide(
                moderator=request.user, meeting=Meeting.objects.get(pk=obj.pk), reason=reason
            )
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))


class PhotoInline(admin.TabularInline):
    model = MeetingPhoto
    extra = 0
    readonly_fields = ["image", "alt_text", "width", "height", "sha256", "uploaded_at"]
    can_delete = False


@admin.register(MeetingInput)
class MeetingInputAdmin(ReadOnlyRecordAdmin):
    list_display = ["reference", "title", "meeting", "status", "created_at"]
    list_filter = ["status", "municipality"]
    search_fields = ["reference", "title"]
    readonly_fields = [
        field.name
        for field in (*MeetingInput._meta.fields, *MeetingInput._meta.many_to_many)
        if field.editable
    ] + ["created_at"]
    inlines = [PhotoInline]


@admin.register(MeetingInputStatusChange)
class MeetingInputStatusChangeAdmin(StatusChangeAdmin):
    pass
