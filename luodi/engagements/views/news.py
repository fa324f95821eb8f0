"""News posts for staff: choose what a draft reports, edit and approve each language, publish
the approved ones, withdraw."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi import concurrency
from luodi.concurrency import Conflict
from luodi.engagements import rules
from luodi.engagements.domain import news
from luodi.engagements.models import Event, NewsPost, PostStatus, Visit
from luodi.engagements.news_forms import NewsDraftForm, NewsPostForm
from luodi.engagements.views.common import actor, ip, require, visible
from luodi.text import join_items


def _post(request: HttpRequest, pk: int) -> NewsPost:
    require(request, "engagements.manage_news")
    return visible(rules.news_visible_to(request.user), pk)


def news_list(request: HttpRequest) -> HttpResponse:
    require(request, "engagements.manage_news")
    qs = rules.news_visible_to(request.user).select_related("visit", "event")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "engagements/news_list.html", {"page": page})


def news_draft_page(request: HttpRequest, record: Visit | Event, back: str) -> HttpResponse:
    """Choose what the draft reports beyond who, when and where, then write it (from a visit
    or an event page)."""
    form = NewsDraftForm(request.POST if request.method == "POST" else None, record=record)
    if request.method == "POST" and form.is_valid():
        include = news.Include(
            outcomes=list(form.cleaned_data["outcomes"]),
            follow_ups=list(form.cleaned_data["follow_ups"]),
            summary=form.cleaned_data["summary"],
        )
        source: dict[str, Any] = (
            {"visit": record} if isinstance(record, Visit) else {"event": record}
        )
        post = news.draft_from(actor=actor(request), include=include, ip=ip(request), **source)
        messages.success(
            request, _("News draft written. Read each version, approve it, then publish.")
        )
        return redirect("engagements:news-edit", pk=post.pk)
    return render(
        request,
        "engagements/news_draft.html",
        {"form": form, "record": record, "back": back},
        status=400 if request.method == "POST" else 200,
    )


def _render(
    request: HttpRequest, form: NewsPostForm, post: NewsPost, status: int, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "engagements/news_edit.html",
        {
            "form": form,
            "post": post,
            "langs": [
                {
                    "code": lang,
                    "title": form[f"title_{lang}"],
                    "body": form[f"body_{lang}"],
                    "approve": form[f"approve_{lang}"],
                    "state": post.state(lang),
                    "state_label": getattr(post, f"get_{lang}_state_display")(),
                    "approved_by": getattr(post, f"{lang}_approved_by"),
                    "approved_at": getattr(post, f"{lang}_approved_at"),
                }
                for lang in news.LANGUAGES
            ],
            "too_early": news.too_early(post),
            **extra,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def news_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the text and what the person approves; "publish" also publishes the approved
    versions. All or nothing: a refused publish saves nothing, so the form shows it again."""
    post = _post(request, pk)
    # Read before validation, which writes the submitted values onto the instance.
    before = {n: getattr(post, n) for n in news.TEXT_FIELDS}
    form = NewsPostForm(request.POST or None, instance=post)
    if request.method != "POST" or not form.is_valid():
        if request.method == "POST":
            post.refresh_from_db()
        return _render(request, form, post, 400 if request.method == "POST" else 200)
    try:
        public = news.save_post(
            actor=actor(request),
            post=form.save(commit=False),
            before=before,
            approve=form.approvals(),
            publish_now=bool(request.POST.get("publish")),
            expected_version=form.expected_version,
            ip=ip(request),
        )
    except Conflict as exc:
        fresh = NewsPost.objects.get(pk=post.pk)
        current = NewsPostForm(instance=fresh)
        conflict = concurrency.refuse(form, current, exc, fresh)
        return _render(request, form, fresh, 409, conflict=conflict)
    except news.PublishRefused as exc:
        post.refresh_from_db()
        form.add_error(None, str(exc))
        return _render(request, form, post, 400)
    if public is not None:
        names = {"zh": _("Chinese"), "en": _("English")}
        messages.success(
            request,
            _("Published on the public news page: %(languages)s.")
            % {"languages": join_items([str(names[lang]) for lang in public])},
        )
        return redirect("engagements_public:news", pk=post.pk)
    messages.success(request, _("Saved."))
    return redirect("engagements:news-edit", pk=post.pk)


@require_POST
def news_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post(request, pk)
    if post.status == PostStatus.PUBLISHED:
        news.unpublish(actor=actor(request), post=post, ip=ip(request))
        messages.success(request, _("Withdrawn from the public news page."))
    return redirect("engagements:news-edit", pk=post.pk)
