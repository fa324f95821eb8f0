from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi.accounts import audit
from luodi.accounts.models import AccountApplication, User
from luodi.accounts.ratelimit import over_limit
from luodi.onboarding import domain as applications
from luodi.onboarding.forms import ApplicationForm, DecisionForm

APPLY_LIMIT_PER_HOUR = 5


def _throttled(request: HttpRequest) -> bool:
    return over_limit(request, "apply", limit=APPLY_LIMIT_PER_HOUR, window=3600)


@login_not_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    # Bound on every POST, even an empty one: the throttle adds its error to the form.
    form = ApplicationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if _throttled(request):
            form.add_error(None, _("Too many applications from your address; try again later."))
            return render(request, "accounts/apply.html", {"form": form}, status=429)
        if form.is_valid():
            # The same page whether or not the address already has an account.
            applications.submit_application(
                data=form.cleaned_data,
                ip=audit.client_ip(request),
                base_url=request.build_absolute_uri("/")[:-1],
            )
            return render(request, "accounts/apply_done.html")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/apply.html", {"form": form}, status=status)


def application_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("accounts.decide_application"):
        raise PermissionDenied
    pending = AccountApplication.objects.filter(status=AccountApplication.Status.PENDING)
    decided = AccountApplication.objects.exclude(
        status=AccountApplication.Status.PENDING
    ).select_related("organization")[:50]
    forms = [(a, DecisionForm(prefix=f"a{a.pk}")) for a in pending]
    return render(request, "accounts/applications.html", {"forms": forms, "decided": decided})


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("accounts.decide_application"):
        raise PermissionDenied
    actor = request.user
    assert isinstance(actor, User)
    application = get_object_or_404(
        AccountApplication, pk=pk, status=AccountApplication.Status.PENDING
    )
    form = DecisionForm(request.POST, prefix=f"a{pk}")
    if not form.is_valid():
        pending = AccountApplication.objects.filter(status=AccountApplication.Status.PENDING)
        forms = [(a, form if a.pk == pk else DecisionForm(prefix=f"a{a.pk}")) for a in pending]
        return render(
            request, "accounts/applications.html", {"forms": forms, "decided": []}, status=400
        )
    ip = audit.client_ip(request)
    if form.cleaned_data["decision"] == "approve":
        user = applications.approve_application(
            actor=actor,
            application=application,
            organization=form.cleaned_data["organization"],
            base_url=request.build_absolute_uri("/")[:-1],
            ip=ip,
        )
        messages.success(
            request,
            _("Approved: account %(username)s created and emailed.")
            % {"username": user.get_username()},
        )
    else:
        applications.reject_application(
            actor=actor, application=application, note=form.cleaned_data["note"], ip=ip
        )
        messages.success(request, _("Rejected; the applicant was told why."))
    return redirect("applications")
