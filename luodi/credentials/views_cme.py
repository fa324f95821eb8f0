"""Organiser pages of continuing medical education (CME) credit: an event's activities
(create, edit), who earned them and who did not (the sessions they missed), awarding
(idempotent), revoking one credit with its reason, and the XLSX list for filing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi import sheets
from luodi.concurrency import form_refusals
from luodi.credentials import domain, export, queries, rules
from luodi.credentials.forms import ActivityForm, RevokeForm
from luodi.credentials.models import CmeActivity
from luodi.credentials.views import actor, event_for_organiser, ip


def _activity(request: HttpRequest, pk: int) -> CmeActivity:
    activity = get_object_or_404(
        rules.activities_visible_to(request.user).select_related("event"), pk=pk
    )
    event_for_organiser(request, activity.event_id)
    return activity


def _save(request: HttpRequest, form: ActivityForm, activity: CmeActivity | None) -> int | None:
    """Save a valid form through the domain; None when saved, else the status to answer."""
    event = activity.event if activity is not None else form.event  # type: ignore[attr-defined]
    values = {n: form.cleaned_data[n] for n in domain.ACTIVITY_FIELDS}
    stale = _("Not saved: someone else changed this activity meanwhile.")
    with form_refusals(form, conflict=stale) as outcome:
        saved = domain.save_activity(
            actor=actor(request),
            event=event,
            values=values,
            sessions=form.cleaned_data["required_sessions"],
            activity=activity,
            expected_version=form.expected_version,
            ip=ip(request),
        )
    if not outcome.ok:
        return outcome.status
    form.instance = saved
    return None


@require_http_methods(["GET", "POST"])
def activities(request: HttpRequest, event_pk: int) -> HttpResponse:
    event = event_for_organiser(request, event_pk)
    form = ActivityForm(request.POST or None, event=event)
    form.event = event  # type: ignore[attr-defined]
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            failed = _save(request, form, None)
            if failed is None:
                messages.success(request, _("Saved."))
                return redirect("credentials:cme-activity", pk=form.instance.pk)
            status = failed
    return render(
        request,
        "credentials/cme_list.html",
        {
            "event": event,
            "activities": list(
                queries.activities_of(event, rules.activities_visible_to(request.user))
            ),
            "form": form,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    """An activity: eligible vs not (with the sessions missed), credits awarded, the award
    action and the edit form."""
    act = _activity(request, pk)
    form = ActivityForm(request.POST or None, instance=act, event=act.event)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            failed = _save(request, form, act)
            if failed is None:
                messages.success(request, _("Saved."))
                return redirect("credentials:cme-activity", pk=act.pk)
            status = failed
    rows = queries.eligibility(act)
    return render(
        request,
        "credentials/cme_activity.html",
        {
            "event": act.event,
            "activity": act,
            "required": list(act.required_sessions.order_by("starts_at", "id")),
            "rows": rows,
            "eligible": sum(r.eligible for r in rows),
            "to_award": sum(r.eligible and r.credit is None for r in rows),
            "form": form,
            "revoke_form": RevokeForm(),
        },
        status=status,
    )


@require_POST
def award(request: HttpRequest, pk: int) -> HttpResponse:
    act = _activity(request, pk)
    n = domain.award(actor=actor(request), activity=act, ip=ip(request))
    messages.success(request, _("Credits awarded to %(n)s people.") % {"n": n})
    return redirect("credentials:cme-activity", pk=act.pk)


@require_POST
def revoke_credit(request: HttpRequest, pk: int) -> HttpResponse:
    credit = get_object_or_404(
        rules.credits_visible_to(request.user).select_related("activity__event"), pk=pk
    )
    event_for_organiser(request, credit.activity.event_id)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            domain.revoke_credit(
                actor=actor(request),
                credit=credit,
                reason=form.cleaned_data["reason"],
                ip=ip(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Credit revoked."))
    else:
        messages.error(request, _("Give the reason for revoking."))
    return redirect("credentials:cme-activity", pk=credit.activity_id)


def export_event(request: HttpRequest, event_pk: int) -> HttpResponse:
    """Every live credit of the event's activities, for filing."""
    event = event_for_organiser(request, event_pk)
    credits = rules.credits_visible_to(request.user).filter(activity__event=event)
    return sheets.attachment(export.workbook(credits), f"cme-credits-{event.pk}.xlsx")


def export_activity(request: HttpRequest, pk: int) -> HttpResponse:
    act = _activity(request, pk)
    credits = rules.credits_visible_to(request.user).filter(activity=act)
    return sheets.attachment(export.workbook(credits), f"cme-credits-{act.event_id}-{act.pk}.xlsx")
