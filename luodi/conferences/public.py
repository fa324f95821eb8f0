"""Public pages (no account): the call for abstracts with its form, the submitter's private
page (a signed link), the published programme and each session's .ics file. Only accepted
abstracts placed in the programme of a published event ever show here."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from luodi import ics
from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.accounts.ratelimit import over_limit
from luodi.conferences import domain, queries, rules
from luodi.conferences.forms import SubmissionForm
from luodi.conferences.models import Conference
from luodi.engagements.models import Session
from luodi.errors import add_errors


def _public(event_pk: int) -> Conference:
    return get_object_or_404(rules.public_conferences().select_related("event"), event_id=event_pk)


def _throttled(request: HttpRequest) -> bool:
    return over_limit(
        request,
        "abstract",
        limit=getattr(settings, "LUODI_REGISTRATION_RATE_LIMIT", 10),
        window=getattr(settings, "LUODI_REGISTRATION_RATE_WINDOW", 3600),
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def call(request: HttpRequest, event_pk: int) -> HttpResponse:
    conf = _public(event_pk)
    form = SubmissionForm(request.POST or None, conference=conf)
    context = {"conf": conf, "event": conf.event, "form": form, "open": conf.call_is_open()}
    if request.method != "POST":
        return render(request, "conferences/public/call.html", context)
    if _throttled(request):
        return render(
            request, "conferences/public/call.html", {**context, "throttled": True}, status=429
        )
    if form.is_valid():
        user = request.user if isinstance(request.user, User) else None
        data = form.cleaned_data
        try:
            abstract = domain.submit_abstract(
                conference=conf,
                title=data["title"],
                body=data["body"],
                topic=data.get("topic", ""),
                preference=data["preference"],
                contact_email=data["contact_email"],
                authors=form.authors(),
                submitter=user,
                ip=audit.client_ip(request),
            )
        except domain.CallClosed:
            form.add_error(None, _("The call for abstracts is closed."))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            base = request.build_absolute_uri("/").rstrip("/")
            transaction.on_commit(lambda: domain.send_submission_mail(abstract, base_url=base))
            return redirect(domain.follow_path(abstract) + "?new=1")
    return render(request, "conferences/public/call.html", context, status=400)


@login_not_required
@never_cache
def follow(request: HttpRequest, token: str) -> HttpResponse:
    """The submitter's own page: status, decision, and the slot once placed."""
    abstract = domain.abstract_for_token(token)
    if abstract is None:
        raise Http404
    response = render(
        request,
        "conferences/public/follow.html",
        {
            "abstract": abstract,
            "event": abstract.conference.event,
            "authors": list(abstract.authors.all()),
            "new": request.GET.get("new") == "1",
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@login_not_required
def programme(request: HttpRequest, event_pk: int) -> HttpResponse:
    conf = _public(event_pk)
    return render(
        request,
        "conferences/public/programme.html",
        {
            "conf": conf,
            "event": conf.event,
            "days": queries.public_programme(conf),
            "open": conf.call_is_open(),
        },
    )


def _public_session(pk: int) -> Session:
    session = get_object_or_404(
        Session.objects.select_related("event").prefetch_related(queries.SPEAKERS), pk=pk
    )
    conf = _public(session.event_id)
    shown = {s.pk for day in queries.public_programme(conf) for s in day[1]}
    if session.pk not in shown:
        raise Http404
    return session


@login_not_required
def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    session = _public_session(pk)
    event = session.event
    base = request.build_absolute_uri("/").rstrip("/")
    speakers = "、".join(sp.name for sp in session.speaker_list)
    item = ics.CalEvent(
        uid=f"session-{session.pk}@luodi",
        summary=session.title,
        start=session.starts_at,
        end=session.ends_at,
        description="\n".join(filter(None, [speakers, event.title])),
        location=", ".join(filter(None, [session.room, event.venue, event.address])),
        url=base + reverse("conferences:programme", args=[event.pk]) + f"#session-{session.pk}",
    )
    response = HttpResponse(
        ics.calendar([item], name=event.title), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response
