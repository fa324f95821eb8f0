"""Meeting pages: a lighter record (date, participants, organizations, minutes, decisions,
tasks)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from luodi.engagements import rules
from luodi.engagements.forms import FollowUpForm, MeetingForm, OutcomeForm, ParticipantForm
from luodi.engagements.models import Meeting
from luodi.engagements.views.common import edit_page, list_page, require, visible


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    return visible(rules.meetings_visible_to(request.user).select_related("visit"), pk)


def meeting_list(request: HttpRequest) -> HttpResponse:
    qs = rules.meetings_visible_to(request.user).prefetch_related("organizations")
    return list_page(request, qs, "engagements/meeting_list.html")


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    meeting = _meeting(request, pk) if pk else None
    require(
        request, "engagements.change_meeting" if meeting else "engagements.add_engagement", meeting
    )
    initial = {"visit": request.GET.get("visit")} if not meeting else None
    form = MeetingForm(request.POST or None, instance=meeting, user=request.user, initial=initial)
    return edit_page(request, form, meeting, _("Meeting"), "engagements:meeting")


def render_detail(
    request: HttpRequest, meeting: Meeting, status: int = 200, **forms: Any
) -> HttpResponse:
    return render(
        request,
        "engagements/meeting_detail.html",
        {
            "meeting": meeting,
            "organizations": list(meeting.organizations.all()),
            "participants": list(meeting.participants.select_related("organization")),
            "outcomes": list(meeting.outcomes.select_related("counterpart")),
            "follow_ups": list(meeting.followups.select_related("owner")),
            "can_edit": request.user.has_perm("engagements.change_meeting", meeting),
            "participant_form": forms.get("participant_form") or ParticipantForm(user=request.user),
            "outcome_form": forms.get("outcome_form") or OutcomeForm(user=request.user),
            "follow_up_form": forms.get("follow_up_form") or FollowUpForm(user=request.user),
        },
        status=status,
    )


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, _meeting(request, pk))
