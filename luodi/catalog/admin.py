from django.contrib import admin

from luodi.catalog.models import Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name_zh", "name_en", "kind", "is_demo", "archived_at")
    list_filter = ("kind", "is_demo")
    search_fields = ("name_zh", "name_en")
