"""Helpers shared by the engagement views: the acting user, the visible object, status."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from luodi.accounts import audit
from luodi.accounts.models import User

M = TypeVar("M", bound=Model)


def actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def ip(request: HttpRequest) -> str | None:
    return audit.client_ip(request)


def visible(qs: QuerySet[M], pk: int) -> M:
    """The object if the user may see it; 404 otherwise, so existence is never confirmed."""
    return get_object_or_404(qs, pk=pk)


def require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied
