"""Pages for organisers (settings, rooms, abstracts, decisions, the timetable) and reviewers
(their assigned abstracts). Each view: the visible object with its permission check, the
form, the domain write, a redirect; an invalid POST re-renders with the errors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.concurrency import form_refusals
from luodi.conferences import domain, queries, rules
from luodi.conferences.choices import ACCEPTED
from luodi.conferences.forms import (
    AssignForm,
    ConferenceForm,
    DecisionForm,
    PlaceForm,
    ReviewForm,
    RoomForm,
)
from luodi.conferences.models import Abstract, AbstractReview, Conference
from luodi.engagements.domain.events import AgendaConflict
from luodi.engagements.rules import events_visible_to

STALE_ABSTRACT = gettext_lazy("Not saved: someone else changed this abstract. Reload it.")


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _ip(request: HttpRequest) -> str | None:
    return audit.client_ip(request)


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _managed(request: HttpRequest, pk: int) -> Conference:
    conf = get_object_or_404(
        rules.conferences_visible_to(request.user).select_related("event__organizer"), pk=pk
    )
    if not request.user.has_perm("conferences.manage_conference", conf):
        raise PermissionDenied
    return conf


def _abstract(request: HttpRequest, pk: int) -> Abstract:
    return get_object_or_404(
        rules.abstracts_visible_to(request.user)
        .select_related("conference__event", "room", "session")
        .prefetch_related(queries.AUTHORS),
        pk=pk,
    )


def _manage_abstract(request: HttpRequest, pk: int) -> Abstract:
    abstract = _abstract(request, pk)
    if not request.user.has_perm("conferences.manage_conference", abstract.conference):
        raise PermissionDenied
    return abstract


def conference_list(request: HttpRequest) -> HttpResponse:
    confs = rules.organized_conferences(request.user).select_related("event")
    mine = (
        rules.reviews_visible_to(request.user)
        .filter(reviewer_id=request.user.pk)
        .select_related("abstract__conference__event")
    )
    return render(
        request,
        "conferences/list.html",
        {"conferences": list(confs), "reviews": list(mine)},
    )


@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest, event_pk: int) -> HttpResponse:
    """Create or change the conference settings of an event."""
    event = get_object_or_404(events_visible_to(request.user), pk=event_pk)
    if not request.user.has_perm("engagements.change_event", event):
        raise PermissionDenied
    conf = Conference.objects.filter(event=event).first()
    form = ConferenceForm(request.POST or None, instance=conf)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            values = {n: form.cleaned_data[n] for n in domain.CONFERENCE_FIELDS}
            stale = _("Not saved: someone else changed these settings.")
            with form_refusals(form, conflict=stale) as outcome:
                saved = domain.save_conference(
                    actor=_actor(request),
                    event=event,
                    values=values,
                    expected_version=form.expected_version,
                    ip=_ip(request),
                )
            if outcome.ok:
                messages.success(request, _("Saved."))
                return redirect("conferences:dashboard", pk=saved.pk)
            status = outcome.status
    return render(
        request,
        "conferences/setup.html",
        {"form": form, "event": event, "conf": conf},
        status=status,
    )


def _dashboard(
    request: HttpRequest, conf: Conference, status: int = 200, **forms: Any
) -> HttpResponse:
    abstracts = queries.with_review_summary(conf.abstracts.select_related("room", "session"))
    return render(
        request,
        "conferences/dashboard.html",
        {
            "conf": conf,
            "event": conf.event,
            "abstracts": list(abstracts),
            "rooms": list(conf.rooms.all()),
            "room_form": forms.get("room_form") or RoomForm(),
        },
        status=status,
    )


def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    return _dashboard(request, _managed(request, pk))


@require_POST
def room_add(request: HttpRequest, pk: int) -> HttpResponse:
    conf = _managed(request, pk)
    form = RoomForm(request.POST)
    if form.is_valid():
        try:
            domain.add_room(
                actor=_actor(request),
                conference=conf,
                name=form.cleaned_data["name"],
                capacity=form.cleaned_data["capacity"],
                ip=_ip(request),
            )
        except ValidationError as exc:
            form.add_error("name", exc.message_dict.get("name", exc.messages))
        else:
            return redirect("conferences:dashboard", pk=conf.pk)
    return _dashboard(request, conf, status=400, room_form=form)


def _render_abstract(
    request: HttpRequest, abstract: Abstract, status: int = 200, **forms: Any
) -> HttpResponse:
    manage = request.user.has_perm("conferences.manage_conference", abstract.conference)
    reviews = rules.reviews_visible_to(request.user).filter(abstract=abstract)
    own = reviews.filter(reviewer_id=request.user.pk).first()
    return render(
        request,
        "conferences/abstract.html",
        {
            "abstract": abstract,
            "conf": abstract.conference,
            "manage": manage,
            "show_authors": rules.may_see_authors(request.user, abstract),
            "reviews": list(reviews.select_related("reviewer")),
            "own": own,
            "review_form": forms.get("review_form")
            or (ReviewForm(initial={"score": own.score, "comment": own.comment}) if own else None),
            "assign_form": forms.get("assign_form") or AssignForm(),
            "decision_form": forms.get("decision_form")
            or DecisionForm(initial={"version": abstract.version}),
        },
        status=status,
    )


def abstract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_abstract(request, _abstract(request, pk))


@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    abstract = _manage_abstract(request, pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            domain.assign_reviewer(
                actor=_actor(request),
                abstract=abstract,
                reviewer=form.cleaned_data["reviewer"],
                base_url=_base(request),
                ip=_ip(request),
            )
        except domain.AlreadyAssigned:
            form.add_error("reviewer", _("Already assigned to this abstract."))
        except ValidationError as exc:
            form.add_error("reviewer", exc.messages)
        else:
            return redirect("conferences:abstract", pk=abstract.pk)
    return _render_abstract(request, abstract, status=400, assign_form=form)


@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    abstract = _abstract(request, pk)
    own = get_object_or_404(AbstractReview, abstract=abstract, reviewer_id=request.user.pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            domain.submit_review(
                actor=_actor(request),
                review=own,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                ip=_ip(request),
            )
        except ValidationError as exc:
            form.add_error("score", exc.messages)
        else:
            messages.success(request, _("Review saved."))
            return redirect("conferences:abstract", pk=abstract.pk)
    return _render_abstract(request, abstract, status=400, review_form=form)


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    abstract = _manage_abstract(request, pk)
    form = DecisionForm(request.POST)
    status = 400
    if form.is_valid():
        with form_refusals(form, conflict=STALE_ABSTRACT) as outcome:
            domain.decide(
                actor=_actor(request),
                abstract=abstract,
                decision=form.cleaned_data["decision"],
                expected_version=form.cleaned_data["version"],
                base_url=_base(request),
                ip=_ip(request),
            )
        if outcome.ok:
            messages.success(request, _("Decision saved."))
            return redirect("conferences:abstract", pk=abstract.pk)
        status = outcome.status
    return _render_abstract(request, abstract, status=status, decision_form=form)


def _render_timetable(
    request: HttpRequest,
    conf: Conference,
    status: int = 200,
    failed: tuple[int, PlaceForm] | None = None,
) -> HttpResponse:
    sessions = queries.programme_sessions(conf)
    conflicts = queries.conflicts(sessions)
    for s in sessions:  # shown in the grid's cell of the session
        setattr(s, "problems", conflicts.get(s.pk, []))  # noqa: B010
    waiting = list(
        conf.abstracts.filter(status__in=ACCEPTED, session__isnull=True).prefetch_related(
            queries.AUTHORS
        )
    )
    placed = list(
        conf.abstracts.filter(session__isnull=False)
        .select_related("session", "room")
        .prefetch_related(queries.AUTHORS)
    )
    rows = []
    for a in [*waiting, *placed]:
        if failed is not None and failed[0] == a.pk:
            rows.append((a, failed[1]))
        else:
            initial: dict[str, object] = {"version": a.version}
            if a.session is not None:
                initial |= {"room": a.room_id, "slot": queries.slot_value(a.session.starts_at)}
            rows.append((a, PlaceForm(initial=initial, conference=conf, prefix=f"a{a.pk}")))
    return render(
        request,
        "conferences/timetable.html",
        {
            "conf": conf,
            "event": conf.event,
            "rooms": list(conf.rooms.all()),
            "days": queries.grid(conf, sessions),
            "rows": rows,
            "n_waiting": len(waiting),
        },
        status=status,
    )


def timetable(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_timetable(request, _managed(request, pk))


@require_POST
def place(request: HttpRequest, pk: int) -> HttpResponse:
    """Place (or move) an accepted abstract: room + slot from the selects, or from a drop."""
    abstract = _manage_abstract(request, pk)
    conf = abstract.conference
    form = PlaceForm(request.POST, conference=conf, prefix=f"a{abstract.pk}")
    status = 400
    if form.is_valid():
        try:
            with form_refusals(form, conflict=STALE_ABSTRACT) as outcome:
                domain.place(
                    actor=_actor(request),
                    abstract=abstract,
                    room=form.cleaned_data["room"],
                    starts_at=form.cleaned_data["slot"],
                    expected_version=form.cleaned_data["version"],
                    ip=_ip(request),
                )
        except AgendaConflict as exc:  # the room or a speaker is taken: beside those fields
            for c in exc.conflicts:
                form.add_error("room" if c.kind == "room" else "slot", c.message)
            status = 409
        else:
            status = outcome.status
        if not form.errors:
            messages.success(request, _("Placed in the programme."))
            return redirect(
                reverse("conferences:timetable", args=[conf.pk]) + f"#abstract-{abstract.pk}"
            )
    return _render_timetable(request, conf, status=status, failed=(abstract.pk, form))


@require_POST
def unplace(request: HttpRequest, pk: int) -> HttpResponse:
    abstract = _manage_abstract(request, pk)
    domain.unplace(actor=_actor(request), abstract=abstract, ip=_ip(request))
    return redirect("conferences:timetable", pk=abstract.conference_id)


def event_link(request: HttpRequest, event_pk: int) -> HttpResponse:
    """From an event page: its conference dashboard, or the setup when there is none yet."""
    event = get_object_or_404(events_visible_to(request.user), pk=event_pk)
    conf = Conference.objects.filter(event=event).first()
    if conf is not None and request.user.has_perm("conferences.manage_conference", conf):
        return redirect("conferences:dashboard", pk=conf.pk)
    if conf is None and request.user.has_perm("engagements.change_event", event):
        return redirect("conferences:setup", event_pk=event.pk)
    if conf is not None:
        return redirect("conferences:programme", event_pk=event.pk)
    raise PermissionDenied
