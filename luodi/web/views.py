from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from luodi.ops import health


@login_not_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "web/landing.html")
    from luodi.catalog.queries import home_counts
    from luodi.insights.views import dashboard_context

    context = {"counts": home_counts(request.user), **dashboard_context(request)}
    return render(request, "insights/home.html", context)


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Readiness for load balancers: 200 when this process can serve searches, else 503 with
    the failed checks (luodi/ops/health.py)."""
    ready, checks = health.readiness()
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)


@login_not_required
@require_safe
@never_cache
def healthz_live(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. No dependency is asked."""
    return JsonResponse({"live": True})
