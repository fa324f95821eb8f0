"""Event pages for organizers: list, edit, agenda with conflict detection, publication,
registrations with check-in (search or code), attendee export, outcomes, news draft."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi import sheets
from luodi.catalog.rules import achievements_visible_to
from luodi.engagements import rules
from luodi.engagements.domain import events as domain
from luodi.engagements.forms import (
    CheckInForm,
    EventForm,
    EventOutcomesForm,
    FollowUpForm,
    OutcomeForm,
    PullMatchesForm,
    SessionForm,
)
from luodi.engagements.models import (
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
    SessionSpeaker,
)
from luodi.engagements.queries import agenda_conflicts
from luodi.engagements.views import news as news_views
from luodi.engagements.views import registration_options as options_views
from luodi.engagements.views.common import (
    actor,
    confirm_page,
    confirmed,
    edit_page,
    ip,
    list_page,
    require,
    visible,
)
from luodi.pipeline.rules import agreements_visible_to

# The speakers of each session in their protocol order (Session.speaker_list).
SPEAKERS = Prefetch(
    "speaker_links",
    queryset=SessionSpeaker.objects.select_related("speaker").order_by("position", "id"),
)


def _event(request: HttpRequest, pk: int) -> Event:
    return visible(rules.events_visible_to(request.user).select_related("organizer"), pk)


def event_list(request: HttpRequest) -> HttpResponse:
    qs = (
        rules.events_visible_to(request.user)
        .select_related("organizer")
        .prefetch_related("co_organizers")
    )
    return list_page(request, qs, "engagements/event_list.html")


@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    event = _event(request, pk) if pk else None
    require(request, "engagements.change_event" if event else "engagements.add_engagement", event)
    form = EventForm(request.POST or None, instance=event, user=request.user)
    return edit_page(request, form, event, _("Event"), "engagements:event")


def render_detail(
    request: HttpRequest, event: Event, status: int = 200, **forms: Any
) -> HttpResponse:
    sessions = list(event.sessions.prefetch_related(SPEAKERS))
    conflicts = agenda_conflicts(sessions)
    can_edit = request.user.has_perm("engagements.change_event", event)
    counts = {
        row["status"]: row["n"]
        for row in event.registrations.values("status").annotate(n=Count("id"))
    }
    return render(
        request,
        "engagements/event_detail.html",
        {
            "event": event,
            "agenda": [(s, conflicts.get(s.pk, [])) for s in sessions],
            "co_organizers": list(event.co_organizers.all()),
            # Only agreements the user may open (a public visitor sees none).
            "agreements": list(agreements_visible_to(request.user).filter(events=event)),
            "lineup": list(
                event.achievements.filter(
                    pk__in=achievements_visible_to(request.user).values("pk")
                ).select_related("owner")
            ),
            "invitees": list(event.invitees.all()),
            "pull_form": forms.get("pull_form")
            or (PullMatchesForm(user=request.user) if can_edit else None),
            "outcomes": list(event.outcomes.select_related("counterpart")),
            "follow_ups": list(event.followups.select_related("owner")),
            "counts": counts,
            "checked_in": event.registrations.filter(checked_in_at__isnull=False).count()
            if can_edit
            else 0,
            "can_edit": can_edit,
            "can_news": request.user.has_perm("engagements.manage_news"),
            "session_form": forms.get("session_form") or SessionForm(event=event),
            "outcomes_form": forms.get("outcomes_form")
            or EventOutcomesForm(initial={"outcome_notes": event.outcome_notes}),
            "outcome_form": forms.get("outcome_form") or OutcomeForm(user=request.user),
            "follow_up_form": forms.get("follow_up_form") or FollowUpForm(user=request.user),
        },
        status=status,
    )


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, _event(request, pk))


def _managed(request: HttpRequest, pk: int) -> Event:
    event = _event(request, pk)
    require(request, "engagements.change_event", event)
    return event


@require_POST
def session_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed(request, pk)
    form = SessionForm(request.POST, event=event)
    if form.is_valid():
        data = form.cleaned_data
        try:
            domain.add_session(
                actor=actor(request),
                event=event,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                room=data["room"],
                title_zh=data["title_zh"],
                title_en=data["title_en"],
                speaker_names=data["speakers"],
                ip=ip(request),
            )
        except domain.AgendaConflict as exc:
            for c in exc.conflicts:
                form.add_error("room" if c.kind == "room" else "speakers", c.message)
        else:
            return redirect(f"{_url(event)}#agenda")
    return render_detail(request, event, session_form=form, status=400)


def _url(event: Event) -> str:
    from django.urls import reverse

    return reverse("engagements:event", args=[event.pk])


@require_http_methods(["GET", "POST"])
def session_remove(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    event = _managed(request, pk)
    session = get_object_or_404(event.sessions, pk=session_pk)
    if not confirmed(request):
        return confirm_page(
            request,
            question=_("Remove “%(session)s” from the agenda?") % {"session": session.title},
            detail=_("Its time, room and speaker order are removed with it."),
            button=_("Remove the session"),
            back=f"{_url(event)}#agenda",
        )
    domain.remove_session(actor=actor(request), session=session, ip=ip(request))
    return redirect(f"{_url(event)}#agenda")


@require_POST
def speaker_move(request: HttpRequest, pk: int, session_pk: int, speaker_pk: int) -> HttpResponse:
    """Move a speaker up or down: the order of speakers follows protocol, set by hand."""
    event = _managed(request, pk)
    session = get_object_or_404(event.sessions, pk=session_pk)
    try:
        domain.move_speaker(
            actor=actor(request),
            session=session,
            speaker_id=speaker_pk,
            up=request.POST.get("dir") == "up",
            ip=ip(request),
        )
    except SessionSpeaker.DoesNotExist:
        raise Http404 from None
    return redirect(f"{_url(event)}#agenda")


@require_POST
def set_status(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed(request, pk)
    status = request.POST.get("status", "")
    if status in EventStatus.values:
        domain.set_status(actor=actor(request), event=event, status=status, ip=ip(request))
        messages.success(
            request, _("Status changed to %(status)s.") % {"status": event.get_status_display()}
        )
    return redirect("engagements:event", pk=event.pk)


@require_POST
def record_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed(request, pk)
    form = EventOutcomesForm(request.POST)
    if not form.is_valid():
        return render_detail(request, event, outcomes_form=form, status=400)
    domain.record_outcomes(
        actor=actor(request),
        event=event,
        outcomes=form.cleaned_data["outcome_notes"],
        ip=ip(request),
    )
    messages.success(request, _("Outcomes saved."))
    return redirect(f"{_url(event)}#outcomes")


def _registrations(request: HttpRequest, event: Event) -> Any:
    require(request, "engagements.manage_registrations", event)
    return rules.registrations_visible_to(request.user).filter(event=event)


@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """Check-in at the door: by the code from the confirmation (typed, pasted or scanned from
    the QR code), or by searching name, email or organization."""
    event = _event(request, pk)
    regs = _registrations(request, event)
    form = CheckInForm(request.POST or request.GET or None)
    found: list[Registration] = []
    status = 200
    if request.method == "POST" and request.POST.get("registration"):
        reg = get_object_or_404(regs, pk=request.POST["registration"])
        _do_check_in(request, reg)
        return redirect(f"{request.path}?q={request.POST.get('q', '')}")
    if form.is_bound and form.is_valid():
        code, q = form.cleaned_data["code"], form.cleaned_data["q"].strip()
        if code:
            reg = regs.filter(code=code).first()
            if reg is None:
                form.add_error("code", _("No registration with this code for this event."))
                status = 404
            elif request.method == "POST":
                _do_check_in(request, reg)
                return redirect(request.path)
            else:
                found = [reg]
        elif q:
            found = list(
                regs.filter(
                    Q(name__icontains=q) | Q(email__icontains=q) | Q(organization_name__icontains=q)
                )[:50]
            )
    return render(
        request,
        "engagements/checkin.html",
        {
            "event": event,
            "form": form,
            "found": found,
            "checked_in": regs.filter(checked_in_at__isnull=False).count(),
            "confirmed": regs.filter(status=RegistrationStatus.CONFIRMED).count(),
        },
        status=status,
    )


def _do_check_in(request: HttpRequest, reg: Registration) -> None:
    if reg.status != RegistrationStatus.CONFIRMED:
        messages.error(
            request,
            _("%(name)s is not confirmed (%(status)s).")
            % {"name": reg.name, "status": reg.get_status_display()},
        )
    elif domain.check_in(actor=actor(request), registration=reg, ip=ip(request)):
        messages.success(request, _("%(name)s checked in.") % {"name": reg.name})
    else:
        messages.info(
            request,
            _("%(name)s had already checked in at %(time)s.")
            % {
                "name": reg.name,
                "time": timezone.localtime(reg.checked_in_at).strftime("%H:%M")
                if reg.checked_in_at
                else "",
            },
        )


def registrations(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    regs = options_views.registrations_for_page(event, _registrations(request, event))
    fmt = request.GET.get("export")
    if fmt in {"csv", "xlsx"}:
        return _export(request, event, list(regs), fmt)
    page = Paginator(regs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "engagements/registrations.html",
        {
            "event": event,
            "page": page,
            # Invoice details, answers and consent only as the personal-data rule allows.
            "rows": options_views.shown(request, event, page),
            "personal_open": rules.registration_personal_data_open(request.user, event),
            "can_options": request.user.has_perm("engagements.manage_registration_options", event),
        },
    )


@require_http_methods(["GET", "POST"])
def cancel_registration(request: HttpRequest, pk: int, reg_pk: int) -> HttpResponse:
    event = _event(request, pk)
    reg = get_object_or_404(_registrations(request, event), pk=reg_pk)
    if not confirmed(request):
        return confirm_page(
            request,
            question=_("Cancel the registration of %(name)s?") % {"name": reg.name},
            detail=_("Their place goes to the first person on the waiting list, if any."),
            button=_("Cancel the registration"),
            back=reverse("engagements:registrations", args=[event.pk]),
        )
    promoted = domain.cancel_registration(actor=actor(request), registration=reg, ip=ip(request))
    if promoted is not None:
        # The person who moves up gets the confirmation (with the calendar file) now.
        base = request.build_absolute_uri("/").rstrip("/")
        transaction.on_commit(lambda: domain.send_confirmation(promoted, base_url=base))
        messages.info(
            request, _("%(name)s moves up from the waiting list.") % {"name": promoted.name}
        )
    return redirect("engagements:registrations", pk=event.pk)


def _export(request: HttpRequest, event: Event, regs: list[Registration], fmt: str) -> HttpResponse:
    from luodi.accounts import audit

    header = [
        _("full name"),
        _("email"),
        _("organization"),
        _("title / position"),
        _("phone"),
        _("status"),
        _("registration code"),
        _("registered"),
        _("checked in"),
    ]
    rows = [
        [
            r.name,
            r.email,
            r.organization_name,
            r.position,
            r.phone,
            str(r.get_status_display()),
            r.code,
            timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(r.checked_in_at).strftime("%Y-%m-%d %H:%M")
            if r.checked_in_at
            else "",
        ]
        for r in regs
    ]
    extra_header, extra_rows = options_views.export_columns(request, event, regs)
    header += extra_header
    rows = [row + extra for row, extra in zip(rows, extra_rows, strict=True)]
    audit.record(
        actor=actor(request),
        verb="event.export_attendees",
        target=event,
        changes={"format": fmt, "rows": len(rows)},
        ip=ip(request),
    )
    sheet = sheets.Sheet("attendees", rows, header)
    return sheets.download(fmt, f"event-{event.pk}-attendees", [sheet])


@require_POST
def pull_matches(request: HttpRequest, pk: int) -> HttpResponse:
    """A roadshow's or matchmaking session's lineup from match results."""
    event = _managed(request, pk)
    form = PullMatchesForm(request.POST, user=request.user)
    if not form.is_valid():
        return render_detail(request, event, pull_form=form, status=400)
    n_achievements, n_invitees = domain.pull_from_matches(
        actor=actor(request),
        event=event,
        matches=list(form.cleaned_data["records"]),
        ip=ip(request),
    )
    messages.success(
        request,
        _("Added %(a)d achievements and %(i)d invited organizations.")
        % {"a": n_achievements, "i": n_invitees},
    )
    return redirect(f"{_url(event)}#lineup")


@require_http_methods(["GET", "POST"])
def news_draft(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    require(request, "engagements.manage_news")
    return news_views.news_draft_page(request, event, back=_url(event))
