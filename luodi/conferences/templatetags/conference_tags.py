"""`{% conference_link event %}` for the engagements event page: the organisers' way into the
call for abstracts and timetable (or its setup), the programme for everybody else."""

from __future__ import annotations

from typing import Any

from django import template

from luodi.conferences.models import Conference
from luodi.engagements.models import EventKind, EventStatus

register = template.Library()


@register.inclusion_tag("conferences/_event_link.html", takes_context=True)
def conference_link(context: dict[str, Any], event: Any) -> dict[str, Any]:
    user = context["request"].user
    conf = Conference.objects.filter(event=event).first()
    return {
        "event": event,
        "conf": conf,
        "manage": conf is not None and user.has_perm("conferences.manage_conference", conf),
        "public": event.status == EventStatus.PUBLISHED,
        "can_setup": event.kind == EventKind.CONFERENCE
        and user.has_perm("engagements.change_event", event),
    }


@register.inclusion_tag("conferences/_public_links.html")
def conference_public_links(event: Any) -> dict[str, Any]:
    """On the public event page: the call for abstracts while it is open, and the programme
    (the public pages show accepted, placed abstracts only)."""
    conf = Conference.objects.filter(event=event).first()
    return {
        "event": event,
        "conf": conf,
        "call_open": conf is not None and conf.call_is_open(),
        "public": event.status == EventStatus.PUBLISHED,
    }
