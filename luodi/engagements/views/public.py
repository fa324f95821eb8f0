"""Public pages (no account): published events with their registration form, the ticket
with its QR code, and the news page. Nothing here ever lists or hints at other registrants."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from luodi.accounts import audit
from luodi.accounts.ratelimit import over_limit
from luodi.engagements import feeds, rules
from luodi.engagements.domain import events as domain
from luodi.engagements.domain import news
from luodi.engagements.domain import registration_options as options
from luodi.engagements.models import Event, Registration
from luodi.engagements.registration_forms import PublicRegistrationForm


def _throttled(request: HttpRequest) -> bool:
    """More than LUODI_REGISTRATION_RATE_LIMIT (default 10) attempts from this address within
    LUODI_REGISTRATION_RATE_WINDOW seconds (default an hour)."""
    return over_limit(
        request,
        "register",
        limit=getattr(settings, "LUODI_REGISTRATION_RATE_LIMIT", 10),
        window=getattr(settings, "LUODI_REGISTRATION_RATE_WINDOW", 3600),
    )


def _public_event(pk: int) -> Event:
    return get_object_or_404(rules.public_events().select_related("organizer"), pk=pk)


@login_not_required
@require_http_methods(["GET", "POST"])
def event_page(request: HttpRequest, pk: int) -> HttpResponse:
    event = _public_event(pk)
    notice = options.notice(event)
    form = PublicRegistrationForm(request.POST or None, event=event, notice=notice)
    status = 200
    if request.method == "POST":
        if _throttled(request):
            return render(
                request,
                "engagements/public/event.html",
                {**_context(event), "form": form, "notice": notice, "throttled": True},
                status=429,
            )
        if form.is_valid():
            try:
                contact = form.contact()
                reg = domain.register(
                    event=event,
                    name=contact["name"],
                    email=contact["email"],
                    organization_name=contact["organization_name"],
                    position=contact["position"],
                    phone=contact["phone"],
                    options=form.options(),
                    ip=audit.client_ip(request),
                )
            except options.RegistrationRefused as exc:
                # Checked again under the event's lock: e.g. the category filled up meanwhile.
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            except domain.AlreadyRegistered:
                form.add_error(
                    "email",
                    _(
                        "This email address is already registered for "
                        "this event. Look for the confirmation in your "
                        "inbox."
                    ),
                )
            except domain.RegistrationClosed:
                form.add_error(None, _("Registration for this event is closed."))
            else:
                base = request.build_absolute_uri("/").rstrip("/")
                transaction.on_commit(lambda: domain.send_confirmation(reg, base_url=base))
                return redirect(feeds.ticket_path(reg))
        status = 400
    return render(
        request,
        "engagements/public/event.html",
        {**_context(event), "form": form, "notice": notice},
        status=status,
    )


def _context(event: Event) -> dict[str, object]:
    from luodi.catalog.choices import Disclosure, ReviewStatus

    # Only published, fully public achievements appear on the public page.
    lineup = event.achievements.filter(
        disclosure=Disclosure.PUBLIC, status=ReviewStatus.PUBLISHED, archived_at__isnull=True
    ).select_related("owner")
    return {
        "lineup": list(lineup),
        "event": event,
        "co_organizers": list(event.co_organizers.all()),
        "sessions": list(event.sessions.prefetch_related("speaker_links__speaker")),
    }


def _ticket(pk: int, code: str) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("event", "category"), event_id=pk, code=code.upper()
    )


@login_not_required
@never_cache
def ticket(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """The registrant's own confirmation: reachable only with the secret code."""
    reg = _ticket(pk, code)
    response = render(request, "engagements/public/ticket.html", {"reg": reg, "event": reg.event})
    response["X-Robots-Tag"] = "noindex"
    return response


@login_not_required
def ticket_qr(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """The code as a QR image (SVG, made on the server: no script needed)."""
    reg = _ticket(pk, code)
    out = io.BytesIO()
    segno.make(reg.code, error="m").save(out, kind="svg", scale=6, border=2, title=f"{reg.code}")
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_not_required
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    event = _public_event(pk)
    base = request.build_absolute_uri("/").rstrip("/")
    response = HttpResponse(
        feeds.event_ics(event, base_url=base), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


@login_not_required
def event_index(request: HttpRequest) -> HttpResponse:
    from django.utils import timezone

    qs = rules.public_events().filter(ends_at__gte=timezone.now()).select_related("organizer")
    return render(
        request, "engagements/public/events.html", {"events": list(qs.order_by("starts_at")[:50])}
    )


def _lang(request: HttpRequest) -> str:
    return "en" if (getattr(request, "LANGUAGE_CODE", "") or "").startswith("en") else "zh"


@login_not_required
def news_index(request: HttpRequest) -> HttpResponse:
    """Published posts, each in the reader's language when that version is published, else
    in the published one (marked)."""
    page = Paginator(rules.public_news(), 20).get_page(request.GET.get("page"))
    lang = _lang(request)
    items = [(p, shown) for p in page if (shown := news.shown(p, lang)) is not None]
    return render(request, "engagements/public/news_list.html", {"page": page, "items": items})


@login_not_required
def news_post(request: HttpRequest, pk: int) -> HttpResponse:
    """A post in the reader's language if that version is published; otherwise the published
    version with a note saying the other language is not available. Staff previewing an
    unpublished post see the version of their language, whatever its state."""
    post = get_object_or_404(rules.news_visible_to(request.user), pk=pk)
    lang = _lang(request)
    preview = not post.is_public(lang) and not post.is_public("zh" if lang == "en" else "en")
    shown = news.shown(post, lang, preview=preview)
    return render(
        request,
        "engagements/public/news_post.html",
        {"post": post, "shown": shown, "preview": preview, "lang": lang},
    )
