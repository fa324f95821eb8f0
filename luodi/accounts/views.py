from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi.accounts import audit, domain, rules, two_factor
from luodi.accounts.forms import AuditFilterForm, TokenForm
from luodi.accounts.ratelimit import claim_slot, over_limit
from luodi.accounts.request_user import request_user
from luodi.htmx import is_htmx


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = domain.create_api_token(
            actor=user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            days=form.cleaned_data["days"],
            ip=audit.client_ip(request),
        )
        form = TokenForm()
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": rules.tokens_visible_to(user),
        "now": timezone.now(),
        "memberships": user.memberships.select_related("organization"),
        "two_factor_on": two_factor.has_device(user),
        "two_factor_required": two_factor.applies_to(user),
    }
    template = "accounts/_tokens.html" if is_htmx(request) else "accounts/profile.html"
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, template, context, status=status)


@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    user = request_user(request)
    token = get_object_or_404(rules.tokens_visible_to(user), pk=token_id)
    domain.revoke_api_token(actor=user, token=token, ip=audit.client_ip(request))
    messages.success(request, _("Token revoked."))
    return redirect("profile")


def audit_log(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("accounts.view_auditentry"):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    qs = rules.audit_visible_to(request.user).select_related("target_type")
    if request.GET:
        qs = form.filter(qs)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    template = "accounts/_audit_rows.html" if is_htmx(request) else "accounts/audit_log.html"
    return render(request, template, {"form": form, "page": page})


class RateLimitedPasswordReset(auth_views.PasswordResetView):
    """Django's reset form, limited per client address (an open form that sends mail) and
    per account address (nobody's inbox is flooded). Over the address limit the form says
    so; over the account limit it answers exactly as when it sends, whether or not the
    address belongs to an account, and sends nothing."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if over_limit(
            request,
            "password-reset",
            limit=settings.LUODI_PASSWORD_RESET_ADDRESS_LIMIT,
            window=3600,
        ):
            form = self.get_form()
            form.add_error(None, _("Too many requests from your address; try again later."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        account = hashlib.sha256(email.encode()).hexdigest()  # no addresses in the cache
        if claim_slot(
            f"password-reset-account:{account}",
            limit=settings.LUODI_PASSWORD_RESET_ACCOUNT_LIMIT,
            window=3600,
        ):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())
