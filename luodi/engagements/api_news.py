"""News posts in the engagements API (staff): write a draft from a visit or an event, edit and
approve each language, publish the approved ones. The same form and domain as the pages, so
a version goes public only after a person approved it, here as there."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from luodi.accounts.request_user import request_user
from luodi.concurrency import Conflict, conflict_error, differing, expected_from
from luodi.control_chars import InputSchema
from luodi.engagements import rules
from luodi.engagements.api import _invalid, _ip, router
from luodi.engagements.domain import news
from luodi.engagements.models import Event, NewsPost, Visit
from luodi.engagements.news_forms import NewsDraftForm, NewsPostForm
from luodi.errors import ApiError, Pagination, found, require_perm


class NewsDraftIn(InputSchema):
    """What the draft reports beyond who, when and where. Left out, `outcome_ids` means the
    cooperation intentions; follow-ups and the summary only when listed or set."""

    outcome_ids: list[int] | None = None
    follow_up_ids: list[int] = []
    include_summary: bool = False


class NewsLanguageOut(Schema):
    state: str = Field(description="draft, approved (by a person) or published")
    title: str
    body: str
    approved_by_id: int | None
    approved_at: datetime | None


class NewsOut(Schema):
    id: int
    status: str = Field(description="published when at least one language is published")
    published_at: datetime | None
    visit_id: int | None
    event_id: int | None
    version: int
    zh: NewsLanguageOut
    en: NewsLanguageOut

    @staticmethod
    def resolve_zh(obj: NewsPost) -> dict[str, Any]:
        return _language(obj, "zh")

    @staticmethod
    def resolve_en(obj: NewsPost) -> dict[str, Any]:
        return _language(obj, "en")


def _language(post: NewsPost, lang: str) -> dict[str, Any]:
    return {
        "state": post.state(lang),
        "title": getattr(post, f"title_{lang}"),
        "body": getattr(post, f"body_{lang}"),
        "approved_by_id": getattr(post, f"{lang}_approved_by_id"),
        "approved_at": getattr(post, f"{lang}_approved_at"),
    }


class NewsIn(InputSchema):
    """The whole text of both versions and what the caller approves. An approved version
    whose text changes stays approved only if `approve_…` is still true (the caller read the
    new text); false sends it back to draft and off the public page."""

    title_zh: str = Field(default="", max_length=255)
    body_zh: str = ""
    title_en: str = Field(default="", max_length=255)
    body_en: str = ""
    approve_zh: bool = False
    approve_en: bool = False
    version: int | None = Field(default=None, description="as loaded; or send If-Match")


def _posts(request: HttpRequest) -> QuerySet[NewsPost]:
    require_perm(request, "engagements.manage_news")
    return rules.news_visible_to(request.user)


@router.get("/news", response=list[NewsOut])
@paginate(Pagination)
def list_news(request: HttpRequest) -> QuerySet[NewsPost]:
    return _posts(request)


@router.get("/news/{post_id}", response=NewsOut)
def get_news(request: HttpRequest, post_id: int) -> NewsPost:
    return found(_posts(request), post_id)


def _draft(request: HttpRequest, record: Visit | Event, payload: NewsDraftIn) -> NewsPost:
    require_perm(request, "engagements.manage_news")
    data: dict[str, Any] = {
        "follow_ups": payload.follow_up_ids,
        "summary": payload.include_summary,
    }
    form = NewsDraftForm(data, record=record)
    data["outcomes"] = (
        payload.outcome_ids if payload.outcome_ids is not None else form.fields["outcomes"].initial
    )
    form = NewsDraftForm(data, record=record)
    if not form.is_valid():
        raise _invalid(form)
    include = news.Include(
        outcomes=list(form.cleaned_data["outcomes"]),
        follow_ups=list(form.cleaned_data["follow_ups"]),
        summary=form.cleaned_data["summary"],
    )
    source: dict[str, Any] = {"visit": record} if isinstance(record, Visit) else {"event": record}
    return news.draft_from(actor=request_user(request), include=include, ip=_ip(request), **source)


@router.post("/visits/{visit_id}/news", response={201: NewsOut})
def draft_from_visit(request: HttpRequest, visit_id: int, payload: NewsDraftIn) -> Status[Any]:
    """Write a draft about a visit; both languages start as unreviewed drafts."""
    visit = found(rules.visits_visible_to(request.user), visit_id)
    return Status(201, _draft(request, visit, payload))


@router.post("/events/{event_id}/news", response={201: NewsOut})
def draft_from_event(request: HttpRequest, event_id: int, payload: NewsDraftIn) -> Status[Any]:
    """Write a draft about an event; both languages start as unreviewed drafts."""
    event = found(rules.events_visible_to(request.user), event_id)
    return Status(201, _draft(request, event, payload))


@router.put("/news/{post_id}", response=NewsOut)
def update_news(request: HttpRequest, post_id: int, payload: NewsIn) -> NewsPost:
    """Save both versions and the caller's approvals; 409 when someone saved meanwhile."""
    post = found(_posts(request), post_id)
    sent = payload.dict()
    expected = expected_from(request, sent)
    before = {n: getattr(post, n) for n in news.TEXT_FIELDS}
    form = NewsPostForm(sent, instance=post)
    if not form.is_valid():
        raise _invalid(form)
    try:
        news.save_post(
            actor=request_user(request),
            post=form.save(commit=False),
            before=before,
            approve=form.approvals(),
            expected_version=expected,
            ip=_ip(request),
        )
    except Conflict as exc:
        now = NewsPostForm(instance=NewsPost.objects.get(pk=post.pk))
        raise conflict_error(exc, differing(form, now, names=news.TEXT_FIELDS)) from None
    return found(_posts(request), post.pk)


@router.post("/news/{post_id}/publish", response=NewsOut)
def publish_news(request: HttpRequest, post_id: int) -> NewsPost:
    """Publish the approved languages; 409 when none is approved or the visit is still to
    come. Unapproved languages stay unpublished."""
    post = found(_posts(request), post_id)
    try:
        news.publish(actor=request_user(request), post=post, ip=_ip(request))
    except news.PublishRefused as exc:
        raise ApiError(409, "conflict", str(exc)) from None
    return found(_posts(request), post.pk)


@router.post("/news/{post_id}/unpublish", response=NewsOut)
def unpublish_news(request: HttpRequest, post_id: int) -> NewsPost:
    """Withdraw every language from the public page (they stay approved)."""
    post = found(_posts(request), post_id)
    news.unpublish(actor=request_user(request), post=post, ip=_ip(request))
    return found(_posts(request), post.pk)
