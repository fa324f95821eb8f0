"""What follows a visit, meeting or event, the same for all three: participants present,
outcomes (cooperation intentions, commitments, decisions) and follow-ups with owners."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi.engagements import rules
from luodi.engagements.domain import records
from luodi.engagements.forms import FollowUpForm, OutcomeForm, ParticipantForm
from luodi.engagements.models import Event, FollowUp, Meeting, Visit
from luodi.engagements.views.common import (
    actor,
    confirm_page,
    confirmed,
    ip,
    require,
    visible,
)

Renderer = Callable[..., HttpResponse]


def _renderers() -> dict[str, Renderer]:
    from luodi.engagements.views import events, meetings, visits

    return {
        "visit": visits.render_detail,
        "meeting": meetings.render_detail,
        "event": events.render_detail,
    }


def _record(request: HttpRequest, kind: str, pk: int) -> Visit | Meeting | Event:
    qs: dict[str, Any] = {
        "visit": rules.visits_visible_to,
        "meeting": rules.meetings_visible_to,
        "event": rules.events_visible_to,
    }
    if kind not in qs:
        raise Http404
    obj: Visit | Meeting | Event = visible(qs[kind](request.user), pk)
    require(request, f"engagements.change_{kind}", obj)
    return obj


def _done(request: HttpRequest, kind: str, obj: Any, anchor: str) -> HttpResponse:
    return redirect(f"{obj_url(kind, obj.pk)}#{anchor}")


def obj_url(kind: str, pk: int) -> str:
    from django.urls import reverse

    return reverse(f"engagements:{kind}", args=[pk])


@require_POST
def add_participant(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    obj = _record(request, kind, pk)
    if isinstance(obj, Event):
        raise Http404
    form = ParticipantForm(request.POST, user=request.user, record=obj)
    if not form.is_valid():
        return _renderers()[kind](request, obj, participant_form=form, status=400)
    data = {k: v for k, v in form.cleaned_data.items() if k != "allow_duplicate"}
    records.add_participant(actor=actor(request), record=obj, ip=ip(request), **data)
    return _done(request, kind, obj, "participants")


@require_http_methods(["GET", "POST"])
def remove_participant(request: HttpRequest, kind: str, pk: int, person_pk: int) -> HttpResponse:
    obj = _record(request, kind, pk)
    if isinstance(obj, Event):
        raise Http404
    person = get_object_or_404(obj.participants.all(), pk=person_pk)
    if not confirmed(request):
        return confirm_page(
            request,
            question=_("Remove %(name)s from the participants?") % {"name": person.name},
            detail=_("Their attendance record for “%(record)s” goes with them.")
            % {"record": str(obj)},
            button=_("Remove the participant"),
            back=f"{obj_url(kind, obj.pk)}#participants",
        )
    records.remove_participant(actor=actor(request), participant=person, ip=ip(request))
    messages.success(request, _("%(name)s removed.") % {"name": person.name})
    return _done(request, kind, obj, "participants")


@require_POST
def presence(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    obj = _record(request, kind, pk)
    if isinstance(obj, Event):
        raise Http404
    ids = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
    records.set_presence(actor=actor(request), record=obj, present_ids=ids, ip=ip(request))
    messages.success(request, _("Attendance recorded."))
    return _done(request, kind, obj, "participants")


@require_POST
def add_outcome(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    obj = _record(request, kind, pk)
    form = OutcomeForm(
        request.POST, user=request.user, visit=obj if isinstance(obj, Visit) else None
    )
    if not form.is_valid():
        return _renderers()[kind](request, obj, outcome_form=form, status=400)
    records.add_outcome(actor=actor(request), record=obj, ip=ip(request), **form.cleaned_data)
    messages.success(request, _("Outcome recorded."))
    return _done(request, kind, obj, "outcomes")


@require_POST
def add_follow_up(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    obj = _record(request, kind, pk)
    form = FollowUpForm(
        request.POST, user=request.user, visit=obj if isinstance(obj, Visit) else None
    )
    if not form.is_valid():
        return _renderers()[kind](request, obj, follow_up_form=form, status=400)
    try:
        records.add_follow_up(actor=actor(request), record=obj, ip=ip(request), **form.cleaned_data)
    except ValidationError as exc:  # the pipeline refuses this owner for the project
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return _renderers()[kind](request, obj, follow_up_form=form, status=400)
    messages.success(request, _("Follow-up added."))
    return _done(request, kind, obj, "follow-ups")


@require_POST
def toggle_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(
        FollowUp.objects.select_related("visit", "meeting", "event", "task"), pk=pk
    )
    kind = "visit" if task.visit_id else "meeting" if task.meeting_id else "event"
    parent = task.visit or task.meeting or task.event
    assert parent is not None
    obj = _record(request, kind, parent.pk)
    records.toggle_follow_up(actor=actor(request), follow_up=task, ip=ip(request))
    return _done(request, kind, obj, "follow-ups")
