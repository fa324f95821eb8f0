"""Pages of two-factor sign-in: the code step after the password, enrolment (QR code and a
confirmation code) and new backup codes. The rules live in two_factor.py."""

from __future__ import annotations

from base64 import b32encode

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from luodi.accounts import audit, two_factor
from luodi.accounts.auth import set_language_cookie
from luodi.accounts.forms import CodeForm
from luodi.accounts.request_user import request_user


def _safe_next(request: HttpRequest, url: str, default: str = "/") -> str:
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and allowed else default


@login_not_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """Second step of signing in: the password was right, now the code."""
    found = two_factor.pending(request)
    if found is None:
        two_factor.end(request)
        return redirect("login")
    user, data = found
    credentials = {"username": user.get_username()}
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if not AxesProxyHandler.is_allowed(request, credentials):
            two_factor.end(request)
            return get_lockout_response(request, None, credentials)
        if form.is_valid():
            device = two_factor.verify(user, form.cleaned_data["code"])
            if device is not None:
                next_url = data["next"]
                two_factor.end(request)
                login(request, user, backend=data["backend"])
                otp_login(request, device)
                response = redirect(_safe_next(request, next_url))
                if user.language:
                    set_language_cookie(response, user.language)
                return response
            # Counted like a wrong password: the same lockout (axes) and an audit entry.
            user_login_failed.send(
                sender=__name__, credentials={**credentials, "factor": "otp"}, request=request
            )
            if getattr(request, "axes_locked_out", False):
                two_factor.end(request)
                return get_lockout_response(request, None, credentials)
            if not two_factor.count_failure(request, data):
                return redirect("login")
            form.add_error("code", _("That code is not right, or it has expired."))
    status = 400 if form.errors else 200
    return render(request, "registration/login_code.html", {"form": form}, status=status)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the key), confirm with a code.
    Confirming replaces an earlier app; the backup codes are shown once, here."""
    user = request_user(request)
    if two_factor.has_device(user) and not two_factor.session_verified(request):
        # Replacing an app needs the current one first (this session never proved it).
        logout(request)
        return redirect(f"{reverse('login')}?next={reverse('two-factor-setup')}")
    device = two_factor.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_enrolment(
            user=user, device=device, code=form.cleaned_data["code"], ip=audit.client_ip(request)
        )
        if codes is not None:
            # This session has just proven the new device.
            otp_login(request, device)
            next_url = _safe_next(request, request.GET.get("next", ""), default="")
            return render(
                request,
                "accounts/two_factor_codes.html",
                {"codes": codes, "next": next_url, "enrolled": True},
            )
        form.add_error("code", _("That code is not right; check the app and try again."))
    key = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "enrolled": two_factor.has_device(user),
        "required": two_factor.applies_to(user),
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
        "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        "backup_left": two_factor.backup_codes_left(user),
    }
    status = 400 if form.errors else 200
    return render(request, "accounts/two_factor_setup.html", context, status=status)


@never_cache
@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes (the old ones stop working); only with an app already enrolled."""
    user = request_user(request)
    if not two_factor.has_device(user):
        return redirect("two-factor-setup")
    codes = two_factor.new_backup_codes(user=user, ip=audit.client_ip(request))
    return render(
        request, "accounts/two_factor_codes.html", {"codes": codes, "next": "", "enrolled": False}
    )
