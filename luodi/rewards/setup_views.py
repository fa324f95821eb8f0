"""Pages that set rewards up: an institution's policy (its versions, and the form adding
one) and an achievement's contributor shares. Same rule as every reward page: staff and
members of the institution (of the achievement's owner); 404 for anyone else."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.concurrency import CONFLICT_MESSAGE, Conflict, form_refusals
from luodi.rewards import policies, rules
from luodi.rewards.forms import PolicyForm, ShareFormSet, share_initial, to_percent
from luodi.rewards.views import institution_for, kept


@require_http_methods(["GET", "POST"])
def policy_page(request: HttpRequest, institution_pk: int) -> HttpResponse:
    institution = institution_for(request, institution_pk)
    versions = list(policies.policies_of(institution))
    today = timezone.localdate()
    current = policies.policy_in_force(institution, today)
    initial: dict[str, Any] = {"version": len(versions), "effective_from": today}
    if current is not None:
        initial.update(
            team=to_percent(current.team_bp),
            main=to_percent(current.main_bp),
            institution=to_percent(current.institution_bp),
            department=to_percent(current.department_bp),
            department_name=current.department_name,
            notice_days=current.notice_days,
        )
    data = request.POST if request.method == "POST" else None
    form = PolicyForm(data, initial=initial)
    status = 400 if data is not None else 200
    if data is not None and form.is_valid():
        with form_refusals(form) as outcome:
            policies.add_policy(
                actor=request_user(request),
                institution=institution,
                values=form.values(),
                expected_version=form.cleaned_data.get("version"),
                ip=audit.client_ip(request),
            )
        if outcome.ok:
            messages.success(request, _("Policy saved."))
            return redirect("rewards:policy", institution_pk=institution.pk)
        status = outcome.status
    context = {
        "institution": institution,
        "versions": versions,
        "current": current,
        "form": form,
    }
    return render(request, "rewards/policy.html", context, status=status)


@require_http_methods(["GET", "POST"])
def team_page(request: HttpRequest, achievement_pk: int) -> HttpResponse:
    achievement = get_object_or_404(
        rules.achievements_kept_by(request.user).select_related("owner"), pk=achievement_pk
    )
    kept(request, achievement)
    team = policies.team_of(achievement)
    shares = policies.shares_of(achievement)
    people = policies.candidates(achievement)
    data = request.POST if request.method == "POST" else None
    # Bound, the rows are compared with blank ones: a row left as loaded still counts.
    initial = share_initial(shares) if data is None else None
    formset = ShareFormSet(data, initial=initial, form_kwargs={"people": people}, prefix="shares")
    version = team.version if team is not None else 0
    status = 400 if data is not None else 200
    errors: list[str] = []
    if data is not None and formset.is_valid():
        rows = [
            policies.ShareRow(
                person=f.cleaned_data["person"],
                share_bp=int((f.cleaned_data["share"] * 100).to_integral_value()),
                is_main=bool(f.cleaned_data.get("is_main")),
            )
            for f in formset.forms
            if f.cleaned_data.get("person") is not None
        ]
        try:
            sent = int(data.get("version", ""))
        except ValueError:
            sent = None
        try:
            policies.save_shares(
                actor=request_user(request),
                achievement=achievement,
                rows=rows,
                expected_version=sent,
                ip=audit.client_ip(request),
            )
        except Conflict:
            errors.append(str(CONFLICT_MESSAGE))
            status = 409
        except ValidationError as exc:
            errors.extend(exc.messages)
        else:
            messages.success(request, _("Contributor shares saved."))
            return redirect("rewards:team", achievement_pk=achievement.pk)
    inventors = set(achievement.inventors.values_list("pk", flat=True))
    context = {
        "achievement": achievement,
        "formset": formset,
        "version": version,
        "errors": errors,
        "inventors": [p for p in people if p.pk in inventors],
        "has_people": people.exists(),
    }
    return render(request, "rewards/team.html", context, status=status)
