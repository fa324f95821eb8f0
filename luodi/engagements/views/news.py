"""News posts for staff: list, edit, publish."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi.engagements import rules
from luodi.engagements.domain import news, records
from luodi.engagements.forms import NewsPostForm
from luodi.engagements.models import NewsPost, PostStatus
from luodi.engagements.views.common import actor, ip, require, visible


def _post(request: HttpRequest, pk: int) -> NewsPost:
    require(request, "engagements.manage_news")
    return visible(rules.news_visible_to(request.user), pk)


def news_list(request: HttpRequest) -> HttpResponse:
    require(request, "engagements.manage_news")
    qs = rules.news_visible_to(request.user).select_related("visit", "event")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "engagements/news_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def news_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post(request, pk)
    form = NewsPostForm(request.POST or None, instance=post)
    if request.method == "POST" and form.is_valid():
        fields = list(form.Meta.fields)
        before = {n: getattr(post, n) for n in fields}
        records.save(
            actor=actor(request),
            instance=form.save(commit=False),
            fields=fields,
            before=before,
            ip=ip(request),
        )
        if request.POST.get("publish"):
            news.publish(actor=actor(request), post=post, ip=ip(request))
            messages.success(request, _("Published on the public news page."))
            return redirect("engagements_public:news", pk=post.pk)
        messages.success(request, _("Saved."))
        return redirect("engagements:news-edit", pk=post.pk)
    return render(
        request,
        "engagements/news_edit.html",
        {"form": form, "post": post},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def news_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post(request, pk)
    if post.status == PostStatus.PUBLISHED:
        news.unpublish(actor=actor(request), post=post, ip=ip(request))
        messages.success(request, _("Withdrawn from the public news page."))
    return redirect("engagements:news-edit", pk=post.pk)
