from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from luodi.accounts.models import ApiToken, AuditEntry, Membership, User


@admin.register(User)
class LuodiUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Luodi", {"fields": ("role", "display_name")}))  # type: ignore[misc]
    list_display = ("username", "email", "role", "is_active", "is_superuser")
    list_filter = ("role", "is_active", "is_superuser")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role")
    raw_id_fields = ("user", "organization")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at")
    readonly_fields = ("prefix", "digest")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_label", "verb", "target_repr", "ip")
    list_filter = ("verb",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # the log is append-only

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
