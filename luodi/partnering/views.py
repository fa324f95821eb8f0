"""Pages of partnering: the session page (offers and seeks, suggested counterparts, join),
a participant's agenda (answer, cancel, availability, outcome, calendar feed), the
organisers' page (engine proposals, scheduling, every meeting) and the feed.

A session, participant or meeting the user may not see is a 404 (rules.*_visible_to); an
action needs its permission on the object (403). Meeting actions answer htmx with the
meeting's row, and plain form posts (an in-app browser without scripts) with a redirect."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from luodi.accounts.request_user import request_user
from luodi.accounts.rules import AnyUser, org_ids
from luodi.catalog.models import Achievement, Organization
from luodi.catalog.rules import achievements_visible_to
from luodi.concurrency import Conflict, form_refusals
from luodi.engagements.rules import events_visible_to
from luodi.errors import add_errors
from luodi.htmx import is_htmx
from luodi.partnering import agenda, domain, outcomes, rules, setup
from luodi.partnering.choices import OCCUPYING, OPEN, MeetingState
from luodi.partnering.forms import (
    AcceptForm,
    AvailabilityForm,
    JoinForm,
    OutcomeForm,
    ProfileForm,
    ScheduleForm,
    SessionForm,
    SessionSettingsForm,
    WindowForm,
    slot_label,
)
from luodi.partnering.models import Meeting, Participant, PartneringSession, Window
from luodi.partnering.suggest import suggestions

STALE = gettext_lazy("Someone changed this meanwhile: reload the page.")


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _session(request: HttpRequest, pk: int) -> PartneringSession:
    return get_object_or_404(rules.sessions_visible_to(request.user).select_related("event"), pk=pk)


def _meeting(request: HttpRequest, pk: int, perm: str) -> Meeting:
    meeting = get_object_or_404(
        rules.meetings_visible_to(request.user).select_related(
            "session__event", "a__organization", "b__organization", "a__user", "b__user"
        ),
        pk=pk,
    )
    if not request.user.has_perm(perm, meeting):
        raise PermissionDenied
    return meeting


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


@require_safe
def for_event(request: HttpRequest, event_pk: int) -> HttpResponse:
    """The event's partnering page, or the form to start one (organisers)."""
    event = get_object_or_404(events_visible_to(request.user), pk=event_pk)
    session = PartneringSession.objects.filter(event=event).first()
    if session is not None:
        return redirect("partnering:session", session.pk)
    if not request.user.has_perm("partnering.add_session", event):
        raise Http404
    return redirect("partnering:create", event.pk)


def create(request: HttpRequest, event_pk: int) -> HttpResponse:
    event = get_object_or_404(events_visible_to(request.user), pk=event_pk)
    if not request.user.has_perm("partnering.add_session", event):
        raise PermissionDenied
    initial = {"date": timezone.localtime(event.starts_at).date(), "start": "14:00", "end": "17:00"}
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = domain.create_session(
                actor=request_user(request),
                event=event,
                windows=form.windows(),
                slot_minutes=form.cleaned_data["slot_minutes"],
                tables=form.cleaned_data["tables"],
                ip=_ip(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("partnering:session", session.pk)
    return render(request, "partnering/create.html", {"event": event, "form": form})


def session_page(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    user = request_user(request)
    seat = rules.seat_of(user, session)
    orgs = Organization.objects.filter(pk__in=org_ids(user))
    join_form = None
    if seat is None and user.has_perm("partnering.join", session):
        join_form = JoinForm(request.POST or None, organizations=orgs)
        if request.method == "POST" and join_form.is_valid():
            try:
                domain.join(
                    actor=user,
                    session=session,
                    organization=join_form.cleaned_data["organization"],
                    ip=_ip(request),
                )
            except ValidationError as exc:
                join_form.add_error(None, exc)
            else:
                return redirect("partnering:session", session.pk)
    elif request.method == "POST":
        raise PermissionDenied
    listed = (
        rules.participants_visible_to(user)
        .filter(session=session, is_published=True)
        .select_related("organization")
    )
    return render(
        request,
        "partnering/session.html",
        {
            "session": session,
            "event": session.event,
            "seat": seat,
            "join_form": join_form,
            "suggested": suggestions(user, seat) if seat else [],
            "listed": listed if seat or user.has_perm("partnering.organise", session) else [],
            "slots": [slot_label(t) for t in session.slots()],
            "organiser": user.has_perm("partnering.organise", session),
        },
    )


@require_POST
def request_meeting(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    session = _session(request, pk)
    user = request_user(request)
    seat = rules.seat_of(user, session)
    if seat is None:
        raise Http404
    other = get_object_or_404(
        rules.participants_visible_to(user).filter(session=session, is_published=True),
        pk=other_pk,
    )
    try:
        domain.propose(actor=user, a=seat, b=other, message=request.POST.get("message", ""))
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
        return redirect("partnering:session", session.pk)
    messages.success(request, _("Meeting requested: it is booked once they accept."))
    return redirect("partnering:agenda", session.pk)


def _rows(
    user: AnyUser, meetings: list[Meeting], seat: Participant | None
) -> list[dict[str, object]]:
    now = timezone.now()
    out: list[dict[str, object]] = []
    for m in meetings:
        held = m.state == MeetingState.HELD
        about = (
            list(
                achievements_visible_to(user)
                .filter(owner_id__in=[m.a.organization_id, m.b.organization_id])
                .order_by("pk")[:20]
            )
            if held and not (m.match_record_id and m.project_id)
            else []
        )
        choices: list[datetime] = []
        if seat is not None and m.state in OPEN:
            # The proposed slot first while both are free in it; a taken one is not offered.
            common = domain.common_slots(m.a, m.b)
            choices = sorted(common, key=lambda t: (t != m.starts_at, t))
        out.append(
            {
                "m": m,
                "other": m.other(seat) if seat is not None else None,
                "mine_accepted": seat is not None and m.accepted_by(seat),
                "accept_form": AcceptForm(
                    initial={
                        "starts_at": m.starts_at.isoformat() if m.starts_at else None,
                        "version": m.version,
                    },
                    slots=choices,
                )
                if choices
                else None,
                "past": m.starts_at is not None and m.starts_at <= now,
                "open": m.state in OPEN,
                "booked": m.state == MeetingState.BOOKED,
                "achievements": about,
                "can_project": user.has_perm("pipeline.add_project"),
            }
        )
    return out


def agenda_page(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    user = request_user(request)
    seat = rules.seat_of(user, session)
    if seat is None:
        raise Http404
    avail = AvailabilityForm(
        request.POST or None,
        slots=session.slots(),
        initial={
            "free": [t.isoformat() for t in seat.availability.values_list("starts_at", flat=True)]
        },
    )
    profile = ProfileForm(request.POST or None, instance=seat, prefix="p")
    if request.method == "POST":
        if "availability" in request.POST and avail.is_valid():
            domain.set_availability(
                actor=user, participant=seat, free=avail.slots(), ip=_ip(request)
            )
            messages.success(request, _("Your free slots are saved."))
            return redirect("partnering:agenda", session.pk)
        if "profile" in request.POST and profile.is_valid():
            with form_refusals(profile, conflict=STALE) as outcome:
                domain.update_profile(
                    actor=user,
                    participant=seat,
                    offer=profile.cleaned_data["offer"],
                    seek=profile.cleaned_data["seek"],
                    is_published=profile.cleaned_data["is_published"],
                    expected_version=profile.expected_version,
                    ip=_ip(request),
                )
            if outcome.ok:
                messages.success(request, _("Your offer and needs are saved."))
                return redirect("partnering:agenda", session.pk)
    meetings = list(agenda.meetings_of(seat))
    feed = request.build_absolute_uri(reverse("partnering:feed", args=[agenda.feed_token(seat)]))
    return render(
        request,
        "partnering/agenda.html",
        {
            "session": session,
            "event": session.event,
            "seat": seat,
            "rows": _rows(user, meetings, seat),
            "availability": avail,
            "profile": profile,
            "feed_url": feed,
        },
    )


def _answer(request: HttpRequest, meeting: Meeting, error: str = "") -> HttpResponse:
    """The meeting's row (htmx) or back to the page it was answered from."""
    seat = rules.seat_of(request.user, meeting.session)
    if is_htmx(request):
        meeting = Meeting.objects.select_related(
            "session__event", "a__organization", "b__organization", "a__user", "b__user"
        ).get(pk=meeting.pk)
        return render(
            request,
            "partnering/_meeting.html",
            {"row": _rows(request.user, [meeting], seat)[0], "error": error, "seat": seat},
        )
    if error:
        messages.error(request, error)
    if seat is None:
        return redirect("partnering:manage", meeting.session_id)
    return redirect("partnering:agenda", meeting.session_id)


@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, "partnering.answer_meeting")
    user = request_user(request)
    seat = rules.seat_of(user, meeting.session)
    side = seat if seat is not None and meeting.side_of(seat) else None
    if side is None and not user.has_perm("partnering.organise", meeting):
        raise PermissionDenied
    slots = [t for t in [meeting.starts_at] if t] + domain.common_slots(meeting.a, meeting.b)
    form = AcceptForm(request.POST, slots=list(dict.fromkeys(slots)))
    if not form.is_valid():
        return _answer(
            request, meeting, _("This time slot is no longer free for both sides: choose another.")
        )
    try:
        domain.accept(
            actor=user,
            meeting=meeting,
            side=side,
            starts_at=form.cleaned_data["starts_at"],
            expected_version=form.cleaned_data.get("version"),
            ip=_ip(request),
        )
    except Conflict:
        return _answer(request, meeting, _("The other side answered meanwhile: look again."))
    except ValidationError as exc:
        return _answer(request, meeting, " ".join(_errors(exc)))
    return _answer(request, meeting)


@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, "partnering.answer_meeting")
    try:
        domain.decline(actor=request_user(request), meeting=meeting, ip=_ip(request))
    except ValidationError as exc:
        return _answer(request, meeting, " ".join(_errors(exc)))
    return _answer(request, meeting)


@require_POST
def outcome(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, "partnering.record_outcome")
    sides = Participant.objects.filter(pk__in=[meeting.a_id, meeting.b_id])
    form = OutcomeForm(request.POST, sides=sides)
    if not form.is_valid():
        return _answer(request, meeting, _("Choose whether the meeting was held."))
    try:
        domain.record_outcome(
            actor=request_user(request),
            meeting=meeting,
            held=form.cleaned_data["held"],
            outcome=form.cleaned_data["outcome"] or "",
            note=form.cleaned_data["note"],
            no_show_of=form.cleaned_data["no_show_of"],
            ip=_ip(request),
        )
    except ValidationError as exc:
        return _answer(request, meeting, " ".join(_errors(exc)))
    return _answer(request, meeting)


@require_POST
def follow_up(request: HttpRequest, pk: int, to: str) -> HttpResponse:
    """A held meeting becomes a matchmaking record (`to=match`) or a project (`to=project`)."""
    if to not in ("match", "project"):
        raise Http404
    meeting = _meeting(request, pk, "partnering.record_outcome")
    user = request_user(request)
    if to == "project" and not user.has_perm("pipeline.add_project"):
        raise PermissionDenied
    owners = [meeting.a.organization_id, meeting.b.organization_id]
    chosen = request.POST.get("achievement", "")
    achievement = (
        Achievement.objects.filter(pk=int(chosen) if chosen.isdigit() else 0, owner_id__in=owners)
        .filter(pk__in=achievements_visible_to(user).values("pk"))
        .first()
    )
    write = outcomes.to_project if to == "project" else outcomes.to_match_record
    try:
        write(actor=user, meeting=meeting, achievement=achievement, ip=_ip(request))
    except ValidationError as exc:
        return _answer(request, meeting, " ".join(_errors(exc)))
    messages.success(request, _("Recorded."))
    return _answer(request, meeting)


def _organised(request: HttpRequest, pk: int) -> PartneringSession:
    session = _session(request, pk)
    if not request.user.has_perm("partnering.organise", session):
        raise Http404
    return session


def manage(request: HttpRequest, pk: int) -> HttpResponse:
    session = _organised(request, pk)
    user = request_user(request)
    people = session.participants.select_related("organization", "user")
    form = ScheduleForm(request.POST or None, participants=people)
    if request.method == "POST" and "propose" in request.POST:
        made = outcomes.propose_from_engine(actor=user, session=session, ip=_ip(request))
        messages.success(request, _("Meetings proposed: %(n)d.") % {"n": len(made)})
        return redirect("partnering:manage", session.pk)
    if request.method == "POST" and form.is_valid():
        try:
            domain.schedule(
                actor=user,
                a=form.cleaned_data["a"],
                b=form.cleaned_data["b"],
                starts_at=form.cleaned_data["starts_at"],
                ip=_ip(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Meeting booked."))
            return redirect("partnering:manage", session.pk)
    status = 400 if request.method == "POST" else 200
    return _render_manage(request, session, status=status, form=form)


def _render_manage(
    request: HttpRequest, session: PartneringSession, *, status: int = 200, **forms: object
) -> HttpResponse:
    user = request_user(request)
    people = session.participants.select_related("organization", "user")
    meetings = list(
        session.meetings.select_related(
            "session__event", "a__organization", "b__organization", "a__user", "b__user"
        )
    )
    return render(
        request,
        "partnering/manage.html",
        {
            "session": session,
            "event": session.event,
            "people": people,
            "rows": _rows(user, meetings, None),
            "form": forms.get("form") or ScheduleForm(participants=people),
            "settings_form": forms.get("settings_form") or SessionSettingsForm(instance=session),
            "window_form": forms.get("window_form") or WindowForm(),
            "window_error": forms.get("window_error"),
            "windows": list(session.windows.all()),
            "booked": sum(1 for m in meetings if m.state in OCCUPYING),
        },
        status=status,
    )


@require_POST
def session_settings(request: HttpRequest, pk: int) -> HttpResponse:
    session = _organised(request, pk)
    form = SessionSettingsForm(request.POST, instance=PartneringSession.objects.get(pk=pk))
    if form.is_valid():
        with form_refusals(form, conflict=STALE) as outcome:
            setup.update_session(
                actor=request_user(request),
                session=session,
                tables=form.cleaned_data["tables"],
                is_open=form.cleaned_data["is_open"],
                expected_version=form.expected_version,
                ip=_ip(request),
            )
        if outcome.ok:
            messages.success(request, _("Session settings saved."))
            return redirect("partnering:manage", session.pk)
    return _render_manage(request, session, status=400, settings_form=form)


@require_POST
def window_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = _organised(request, pk)
    form = WindowForm(request.POST)
    if form.is_valid():
        (start, end), *_rest = form.windows()
        try:
            setup.add_window(
                actor=request_user(request),
                session=session,
                starts_at=start,
                ends_at=end,
                ip=_ip(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Meeting window added."))
            return redirect("partnering:manage", session.pk)
    return _render_manage(request, session, status=400, window_form=form)


@require_POST
def window_remove(request: HttpRequest, pk: int, window_pk: int) -> HttpResponse:
    session = _organised(request, pk)
    window = get_object_or_404(Window, pk=window_pk, session=session)
    try:
        setup.remove_window(actor=request_user(request), window=window, ip=_ip(request))
    except ValidationError as exc:
        return _render_manage(request, session, status=400, window_error=" ".join(exc.messages))
    messages.success(request, _("Meeting window removed."))
    return redirect("partnering:manage", session.pk)


@login_not_required
@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A participant's agenda as iCalendar; the signed token in the URL is the only key."""
    seat = agenda.participant_for_token(token)
    if seat is None:
        raise Http404
    response = HttpResponse(agenda.agenda_ics(seat), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="partnering.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
