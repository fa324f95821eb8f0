"""`{% credentials_link event %}` for the engagements event page (organisers only: the way
into session check-in, badges, certificates and CME credit), and
`{% ticket_certificate_link reg %}` for the registrant's public ticket page (their own
attendance certificate, once confirmed and checked in)."""

from __future__ import annotations

from typing import Any

from django import template

from luodi.engagements.models import RegistrationStatus

register = template.Library()


@register.inclusion_tag("credentials/_event_link.html", takes_context=True)
def credentials_link(context: dict[str, Any], event: Any) -> dict[str, Any]:
    user = context["request"].user
    return {"event": event, "manage": user.has_perm("credentials.manage", event)}


@register.inclusion_tag("credentials/_ticket_certificate.html")
def ticket_certificate_link(reg: Any) -> dict[str, Any]:
    return {
        "reg": reg,
        "ready": reg.status == RegistrationStatus.CONFIRMED and reg.checked_in_at is not None,
    }
