import re

from django import forms
from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.datafiles import FileTooLargeError, UnsafeFileError
from areas.forms import AreaImportForm
from areas.importers import AreaImportError, ImportOptions, import_areas, uploaded_file
from areas.models import Area, AreaType, Municipality
from areas.services import area_geometry_changed
from core.identity import emblem_from_upload


class MunicipalityForm(forms.ModelForm):
    """The coat of arms is checked and re-encoded (core.identity) before it is stored."""

    class Meta:
        model = Municipality
        fields = [
            "code",
            "name",
            "answer_days",
            "answer_body",
            "report_threshold",
            "emblem",
            "accent_colour",
        ]

    def clean_emblem(self):
        emblem = self.cleaned_data.get("emblem")
        if isinstance(emblem, UploadedFile):
            return emblem_from_upload(emblem)
        return emblem


# The server's temporary copy of an upload (areas.importers.uploaded_file) as the
# importer's messages name it ("upload holds several datasets", "Could not read upload:").
_TEMPORARY_NAME = re.compile(r"^upload\b|(?<=read )upload\b|(?<= in )upload\b")


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    form = MunicipalityForm
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    fieldsets = [
        (None, {"fields": ["code", "name"]}),
        (
            gettext_lazy("Answers and moderation"),
            {"fields": ["answer_days", "answer_body", "report_threshold"]},
        ),
        (gettext_lazy("Look"), {"fields": ["emblem", "accent_colour"]}),
    ]


@admin.register(AreaType)
class AreaTypeAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_nb", "name_nn", "name_en"]
    prepopulated_fields = {"slug": ["name_nb"]}


@admin.register(Area)
class AreaAdmin(GISModelAdmin):
    change_list_template = "admin/areas/area/change_list.html"

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="areas_area_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a file and import it with the same core as ``manage.py import_areas``."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AreaImportForm(request.POST or None, request.FILES or None)
        report = error = None
        status = 200
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            with uploaded_file(upload) as path:
                try:
                    report = import_areas(
                        ImportOptions(
                            path=path,
                            type_slug=data["type_slug"],
                            code_field=data["code_field"],
                            name_field=data["name_field"],
                            layer=data["layer"] or None,
                            municipality=data["municipality"] or None,
                            srid=data["srid"],
                            valid_from=data["valid_from"],
                            dry_run=data["dry_run"],
                            source_label=upload.name,
                        )
                    )
                except (UnsafeFileError, FileTooLargeError) as exc:
                    error = exc.user_message()
                    status = 413 if isinstance(exc, FileTooLargeError) else 400
                except AreaImportError as exc:
                    # The translated message where there is one; else the importer's own
                    # (for the command line), with the server's temporary copy of the
                    # upload ("/tmp/…/upload") named by the file the person chose.
                    if exc.user is not None:
                        error = exc.user
                    else:
                        error = _TEMPORARY_NAME.sub(
                            upload.name.replace("\\", "/"), str(exc).replace(str(path), "upload")
                        )
                    status = 400
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import areas"),
            "form": form,
            "report": report,
            "error": error,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/areas/area/import.html", context, status=status)

    list_display = ["name", "code", "type", "municipality", "valid_from", "valid_to"]
    list_filter = ["type", "municipality"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]
    readonly_fields = ["updated_at", "source"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "geom" in form.changed_data:
            area_geometry_changed(area=obj)

    gis_widget_kwargs = {"attrs": {"default_zoom": 6, "default_lon": 15, "default_lat": 65}}
