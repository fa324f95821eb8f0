from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi.accounts import audit, domain, rules
from luodi.accounts.forms import AuditFilterForm, TokenForm
from luodi.accounts.models import User
from luodi.web.htmx import is_htmx


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # LoginRequiredMiddleware guarantees it
    return request.user


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = domain.create_api_token(
            actor=user, name=form.cleaned_data["name"], ip=audit.client_ip(request)
        )
        form = TokenForm()
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": rules.tokens_visible_to(user),
        "memberships": user.memberships.select_related("organization"),
    }
    template = "accounts/_tokens.html" if is_htmx(request) else "accounts/profile.html"
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, template, context, status=status)


@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    user = _user(request)
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
