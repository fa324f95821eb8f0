"""Django's admin behind Luodi's sign-in: its own password-only login form would skip the
second factor, so it hands over to /accounts/login/, and only a session that passed the
second factor (where one is required) may use the admin."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from luodi.accounts import two_factor


class LuodiAdminSite(AdminSite):
    @method_decorator(never_cache)
    @login_not_required
    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and two_factor.satisfied(request)
