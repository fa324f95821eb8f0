"""`{% partnering_link event %}` on the event page: the way to its one-to-one meetings, or
for organisers the way to start them; nothing for anyone else."""

from __future__ import annotations

from typing import Any

from django import template

from luodi.engagements.models import Event
from luodi.partnering.models import PartneringSession
from luodi.partnering.rules import sessions_visible_to

register = template.Library()


@register.inclusion_tag("partnering/_event_link.html", takes_context=True)
def partnering_link(context: template.Context, event: Event) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"event": event, "session": None, "can_start": False}
    session = sessions_visible_to(user).filter(event=event).first()
    exists = session is not None or PartneringSession.objects.filter(event=event).exists()
    return {
        "event": event,
        "session": session,
        "can_start": not exists and user.has_perm("partnering.add_session", event),
    }
