from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from areas.models import Area, AreaType, Council, CouncilKind, CouncilMembership, Municipality
from areas.services import area_subdivide


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(AreaType)
class AreaTypeAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_nb", "name_nn", "name_en"]
    prepopulated_fields = {"slug": ["name_nb"]}


@admin.register(Area)
class AreaAdmin(GISModelAdmin):
    list_display = ["name", "code", "type", "municipality", "valid_from", "valid_to"]
    list_filter = ["type", "municipality"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]
    readonly_fields = ["updated_at", "source"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "geom" in form.changed_data:
            area_subdivide(area_ids=[obj.pk])

    gis_widget_kwargs = {"attrs": {"default_zoom": 6, "default_lon": 15, "default_lat": 65}}


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
