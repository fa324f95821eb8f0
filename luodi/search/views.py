"""The search page: full page on a normal GET, the results fragment for htmx (as you type),
and a compact list for the search box in the top bar (`box=1`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from luodi.htmx import is_htmx
from luodi.search import service
from luodi.search.kinds import KINDS

PAGE_LIMIT = 50
BOX_LIMIT = 8


@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    box = request.GET.get("box") == "1"
    kind = request.GET.get("kind", "")
    kind = kind if kind in KINDS else ""
    may_include_archived = request.user.has_perm("search.include_archived")
    include_archived = may_include_archived and request.GET.get("archived") == "1"
    results = service.search(
        request.user,
        request.GET.get("q", ""),
        [kind] if kind else None,
        limit=BOX_LIMIT if box else PAGE_LIMIT,
        include_archived=include_archived,
    )
    context = {
        "results": results,
        "kind": kind,
        "include_archived": include_archived,
        "may_include_archived": may_include_archived,
        "max_length": service.MAX_QUERY_LENGTH,
    }
    if box:
        # Empty when there is nothing to show, so the drop-down (CSS :empty) stays closed.
        html = render_to_string("search/_box_results.html", context, request).strip()
        return HttpResponse(html)
    if is_htmx(request):
        return render(request, "search/_results.html", {**context, "oob": True})
    return render(request, "search/page.html", context)
