from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0


@admin.register(User)
class NabolagetUserAdmin(UserAdmin):
    inlines = [RoleGrantInline]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("Nabolaget", {"fields": ["language", "notify_by_email"]}),
        ("Privacy", {"fields": ["closed_at", "inactivity_notice_at"]}),
    ]
    readonly_fields = ["closed_at", "inactivity_notice_at"]
    list_filter = [*UserAdmin.list_filter, "closed_at"]
