"""Staff may use a signed-in session only once it passed the second factor.

A staff member without a device is sent to enrolment (signing in with only the password is
how they get there); one with a device whose session never passed it (signed in before
enrolling elsewhere, or through a path that skipped the code) is signed out and asked to
sign in again. The API decides for itself (luodi/api.py answers 403 JSON), and the few pages
needed to finish enrolling or to leave stay open.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from luodi.accounts import two_factor

_OPEN_PREFIXES = ("/api/", "/static/", "/healthz", "/i18n/")


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        path = request.path_info
        if two_factor.satisfied(request) or path.startswith(_OPEN_PREFIXES):
            return self.get_response(request)
        if two_factor.has_device(request.user):  # type: ignore[arg-type]
            # Never enrolment here: a new app must not replace the one this session skipped.
            logout(request)
            return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        if path in {reverse("two-factor-setup"), reverse("logout")}:
            return self.get_response(request)
        return self._to_enrolment(request)

    @staticmethod
    def _to_enrolment(request: HttpRequest) -> HttpResponse:
        url = reverse("two-factor-setup")
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            # htmx would swap the enrolment page into a fragment; make it navigate.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
