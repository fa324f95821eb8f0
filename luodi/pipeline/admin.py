"""Admin: read-mostly views for support. Writes belong to the domain functions, so the
stage history is read-only here and projects are never deleted (archive them instead)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from luodi.pipeline.models import Agreement, Project, StageTransition, Task


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("title", "stage", "stage_entered_at", "owner", "staff", "is_demo")
    list_filter = ("stage", "is_demo")
    search_fields = ("title",)
    list_select_related = ("owner", "staff")


@admin.register(StageTransition)
class StageTransitionAdmin(ReadOnlyAdmin):
    list_display = ("project", "from_stage", "to_stage", "actor_label", "created_at")
    list_filter = ("to_stage",)
    list_select_related = ("project",)


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "status", "project", "signed_on")
    list_filter = ("kind", "status")
    list_select_related = ("project",)


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("title", "owner", "due_date", "status", "reminded_at")
    list_filter = ("status",)
    list_select_related = ("owner",)
