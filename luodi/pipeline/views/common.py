"""Helpers shared by the pipeline views."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from luodi.pipeline.models import Agreement, Project
from luodi.pipeline.rules import agreements_visible_to, projects_visible_to


def get_project(request: HttpRequest, pk: int, perm: str = "") -> Project:
    """The project if the user may see it (404 otherwise, so existence is never confirmed),
    and, with `perm`, may do that to it (403)."""
    project = get_object_or_404(projects_visible_to(request.user), pk=pk)
    if perm and not request.user.has_perm(perm, project):
        raise PermissionDenied
    return project


def get_agreement(request: HttpRequest, pk: int, perm: str = "") -> Agreement:
    agreement = get_object_or_404(
        agreements_visible_to(request.user).select_related("project"), pk=pk
    )
    if perm and not request.user.has_perm(perm, agreement.project):
        raise PermissionDenied
    return agreement


def require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied
