"""`{% challenge_from_need need %}`: the "Make a challenge of this need" link on a clinical
need's page, shown to those who may post a challenge for that need's organization."""

from __future__ import annotations

from typing import Any

from django import template

from luodi.catalog.models import ClinicalNeed
from luodi.challenges import rules

register = template.Library()


@register.inclusion_tag("challenges/_from_need.html", takes_context=True)
def challenge_from_need(context: dict[str, Any], need: ClinicalNeed) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    allowed = (
        user is not None
        and user.has_perm("challenges.add_challenge")
        and rules.needs_convertible_by(user).filter(pk=need.pk).exists()
    )
    return {"need": need, "allowed": allowed}
