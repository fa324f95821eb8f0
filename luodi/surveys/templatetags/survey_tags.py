"""`{% survey_link event %}` on the event page: the organisers' way to the event's survey (or
to create it); nothing for anyone else. `{% survey_ticket_link registration %}` on the public
ticket page: the attendee's own answer link while the survey takes answers."""

from __future__ import annotations

from typing import Any

from django import template

from luodi.engagements.models import Event, Registration
from luodi.surveys import tokens
from luodi.surveys.models import Invitation, Survey

register = template.Library()


@register.inclusion_tag("surveys/_event_link.html", takes_context=True)
def survey_link(context: template.Context, event: Event) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if (
        user is None
        or not user.is_authenticated
        or not user.has_perm("surveys.manage_survey", event)
    ):
        return {"event": event, "survey": None, "can_start": False}
    survey = Survey.objects.filter(event=event).first()
    return {"event": event, "survey": survey, "can_start": survey is None}


@register.inclusion_tag("surveys/_ticket_link.html")
def survey_ticket_link(registration: Registration) -> dict[str, Any]:
    invitation = (
        Invitation.objects.select_related("survey").filter(registration=registration).first()
    )
    if invitation is None or not invitation.survey.is_open():
        return {"path": ""}
    return {"path": tokens.answer_path(invitation.pk)}
