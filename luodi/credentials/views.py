"""Organiser pages of an event: the credentials hub, session check-in, badge sheets and
certificates. Each view: the event with its permission check (`_event`), the form, the domain
write, a redirect or a download; an invalid POST re-renders with the errors. CME pages are in
views_cme.py, the public verification page and the registrant's own certificate in public.py."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi import downloads
from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.credentials import documents, domain, queries, rules
from luodi.credentials.forms import (
    BadgeForm,
    IssueForm,
    LanguageForm,
    RevokeForm,
    SessionCheckInForm,
    languages,
)
from luodi.credentials.models import Certificate, CmeActivity, SessionAttendance
from luodi.engagements.models import Event
from luodi.engagements.rules import events_visible_to


def actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def ip(request: HttpRequest) -> str | None:
    return audit.client_ip(request)


def event_for_organiser(request: HttpRequest, pk: int) -> Event:
    """The event, if the user may see it (else 404) and organises it (else 403)."""
    event = get_object_or_404(events_visible_to(request.user).select_related("organizer"), pk=pk)
    if not request.user.has_perm("credentials.manage", event):
        raise PermissionDenied
    return event


def verify_url(request: HttpRequest) -> object:
    def url(serial: str) -> str:
        return request.build_absolute_uri(reverse("credentials:verify", args=[serial]))

    return url


def hub(request: HttpRequest, event_pk: int) -> HttpResponse:
    event = event_for_organiser(request, event_pk)
    return render(
        request,
        "credentials/hub.html",
        {
            "event": event,
            "confirmed": queries.confirmed(event).count(),
            "checked_in": queries.attendance_eligible(event).count(),
            "certificates": Certificate.objects.filter(event=event).count(),
            "activities": CmeActivity.objects.filter(event=event).count(),
        },
    )


@require_http_methods(["GET", "POST"])
def session_checkin(request: HttpRequest, event_pk: int) -> HttpResponse:
    """Check-in at a session's door: choose the session once, then scan or type each code
    (a phone's scanner app yields the code or the ticket URL, both are read)."""
    event = event_for_organiser(request, event_pk)
    initial = {"session": request.GET.get("session")} if request.GET.get("session") else None
    form = SessionCheckInForm(request.POST or None, initial=initial, event=event)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            session = form.cleaned_data["session"]
            try:
                attendance, created = domain.check_in_session(
                    actor=actor(request),
                    session=session,
                    code=form.cleaned_data["code"],
                    ip=ip(request),
                )
            except domain.CheckInRefused as exc:
                form.add_error("code", exc.message)
                status = 404 if exc.reason in ("unknown_code", "other_event") else 409
            else:
                name = attendance.registration.name
                if created:
                    messages.success(request, _("%(name)s checked in.") % {"name": name})
                else:
                    messages.info(request, _("%(name)s had already checked in.") % {"name": name})
                return redirect(f"{request.path}?session={session.pk}")
    chosen = form["session"].value()
    recent = (
        SessionAttendance.objects.filter(session_id=chosen, session__event=event)
        .select_related("registration")
        .order_by("-checked_in_at", "-id")
        if str(chosen or "").isdigit()
        else SessionAttendance.objects.none()
    )
    return render(
        request,
        "credentials/session_checkin.html",
        {
            "event": event,
            "form": form,
            "recent": list(recent[:20]),
            "present": recent.count(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def badges(request: HttpRequest, event_pk: int) -> HttpResponse | FileResponse:
    """Choose which badges, then download one PDF; the badges in it are marked printed."""
    event = event_for_organiser(request, event_pk)
    # Bound on every POST: "all badges" is a POST with nothing ticked.
    form = BadgeForm(request.POST if request.method == "POST" else None, event=event)
    if request.method == "POST" and form.is_valid():
        category = form.cleaned_data["category"]
        regs = list(
            queries.badge_registrations(
                event,
                category_id=category.pk if category is not None else None,
                only_unprinted=form.cleaned_data["only_unprinted"],
            )
        )
        content = documents.badge_sheet(event, regs)
        domain.mark_badges_printed(
            actor=actor(request), event=event, registrations=regs, ip=ip(request)
        )
        name = f"badges-{event.pk}-{documents.stamp()}.pdf"
        return downloads.attachment(io.BytesIO(content), name, "application/pdf")
    everyone = queries.confirmed(event)
    return render(
        request,
        "credentials/badges.html",
        {
            "event": event,
            "form": form,
            "total": everyone.count(),
            "unprinted": everyone.filter(badge_print__isnull=True).count(),
        },
        status=400 if form.is_bound else 200,
    )


def certificates(request: HttpRequest, event_pk: int) -> HttpResponse:
    event = event_for_organiser(request, event_pk)
    issued = list(
        rules.certificates_visible_to(request.user)
        .filter(event=event)
        .order_by("kind", "name", "id")
    )
    return render(
        request,
        "credentials/certificates.html",
        {
            "event": event,
            "issued": issued,
            "issue_form": IssueForm(),
            "language_form": LanguageForm(request.GET or None),
            "lang": request.GET.get("lang", "both"),
            "eligible_attendance": queries.attendance_eligible(event).count(),
            "eligible_presentation": len(queries.presenters(event)),
        },
    )


@require_POST
def issue(request: HttpRequest, event_pk: int) -> HttpResponse:
    event = event_for_organiser(request, event_pk)
    form = IssueForm(request.POST)
    if form.is_valid():
        n = domain.issue_certificates(
            actor=actor(request), event=event, kinds=form.cleaned_data["kinds"], ip=ip(request)
        )
        messages.success(request, _("%(n)s certificates issued.") % {"n": n})
    else:
        messages.error(request, _("Choose which certificates to issue."))
    return redirect("credentials:certificates", event_pk=event.pk)


def _certificate(request: HttpRequest, pk: int) -> Certificate:
    certificate = get_object_or_404(Certificate.objects.select_related("event__organizer"), pk=pk)
    event_for_organiser(request, certificate.event_id)
    return certificate


def certificate_pdf(request: HttpRequest, pk: int) -> FileResponse:
    certificate = _certificate(request, pk)
    content = documents.certificates_pdf(
        [certificate], languages(request.GET.get("lang")), verify_url(request)
    )
    return downloads.attachment(
        io.BytesIO(content), documents.certificate_filename(certificate), "application/pdf"
    )


def certificates_zip(request: HttpRequest, event_pk: int) -> FileResponse:
    event = event_for_organiser(request, event_pk)
    issued = (
        rules.certificates_visible_to(request.user)
        .filter(event=event, revoked_at__isnull=True)
        .select_related("event__organizer")
    )
    content = documents.certificates_zip(
        issued, languages(request.GET.get("lang")), verify_url(request)
    )
    return downloads.attachment(
        io.BytesIO(content), f"certificates-{event.pk}.zip", "application/zip"
    )


@require_POST
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _certificate(request, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            domain.revoke_certificate(
                actor=actor(request),
                certificate=certificate,
                reason=form.cleaned_data["reason"],
                ip=ip(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Certificate revoked."))
    else:
        messages.error(request, _("Give the reason for revoking."))
    return redirect("credentials:certificates", event_pk=certificate.event_id)
