from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from areas.models import Area, AreaType, Municipality
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
