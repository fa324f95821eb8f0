"""`{% assessment_result achievement %}`: the latest summarised assessment of an achievement,
for the catalog's achievement page (which sits below assessments and must not import it).

The result is shown only to whoever may see the achievement's dossier
(`rules.may_see_result`, the catalog's field-level policy); staff also get the button to
open an assessment (or to the one under way). Individual scores and reviewers are never
shown here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from luodi.assessments.choices import Status
from luodi.assessments.models import Assessment
from luodi.assessments.rules import may_see_result
from luodi.catalog.choices import OrganizationKind
from luodi.catalog.models import Achievement

register = template.Library()


@register.filter
def kind_labels(codes: Iterable[str] | None) -> list[str]:
    labels = dict(OrganizationKind.choices)
    return [str(labels.get(code, code)) for code in codes or ()]


@register.inclusion_tag("assessments/_result.html", takes_context=True)
def assessment_result(context: template.Context, achievement: Achievement) -> dict[str, Any]:
    user = context["request"].user
    can_open = bool(user.has_perm("assessments.manage"))
    shown = can_open or may_see_result(user, achievement)
    rounds = list(Assessment.objects.filter(achievement=achievement).order_by("-round"))
    done = [a for a in rounds if a.status == Status.SUMMARISED]
    current = done[0] if done and shown else None
    return {
        "achievement": achievement,
        "current": current,
        "history": len(done) - 1 if current else 0,
        "kinds": kind_labels(current.suggested_kinds) if current else [],
        "can_open": can_open,
        "under_way": next((a for a in rounds if a.status != Status.SUMMARISED), None)
        if can_open
        else None,
    }
