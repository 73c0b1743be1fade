from django.contrib import admin

from priorities.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_nb", "name_nn", "name_en", "colour", "municipality", "position"]
    list_filter = ["municipality"]
    list_editable = ["position"]
