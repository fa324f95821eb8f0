"""Visit pages: list, plan (stops, suggested order, precise-inspection draft), briefing pack,
calendar export, minutes per stop, news draft."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi.catalog.rules import achievements_visible_to
from luodi.engagements import feeds, itinerary, park_fit, rules
from luodi.engagements.domain import visits as domain
from luodi.engagements.forms import (
    FollowUpForm,
    MinutesForm,
    OutcomeForm,
    ParticipantForm,
    StopForm,
    VisitForm,
)
from luodi.engagements.models import Visit, VisitStop
from luodi.engagements.views import news as news_views
from luodi.engagements.views.common import (
    actor,
    confirm_page,
    confirmed,
    edit_page,
    ip,
    list_page,
    require,
    visible,
)
from luodi.htmx import is_htmx
from luodi.pipeline.rules import agreements_visible_to, projects_visible_to


def _visit(request: HttpRequest, pk: int) -> Visit:
    return visible(
        rules.visits_visible_to(request.user).select_related("organizer", "company", "achievement"),
        pk,
    )


def _stops(visit: Visit) -> list[VisitStop]:
    return list(visit.stops.select_related("organization"))


def _timed(
    stops: list[rules.ShownStop], plan: itinerary.Plan | None
) -> list[tuple[rules.ShownStop, str]]:
    """Each stop, as the user may see it, with its planned start time (HH:MM) in the current
    order."""
    legs = {leg.key: leg for leg in plan.legs} if plan else {}
    return [(s, itinerary.hhmm(legs[s.pk].start) if s.pk in legs else "") for s in stops]


def _shown(request: HttpRequest, visit: Visit) -> dict[str, Any]:
    """What the visit page and the briefing pack show of the stops and the visit summary,
    as engagements.rules lets this user see them (other parks' details withheld); the
    order and times are planned from every stop, which name, time and place alone fix."""
    disclosure = rules.visit_disclosure(request.user, visit)
    stops = _stops(visit)
    plan = domain.current_plan(visit, stops) if stops else None
    shown = rules.shown_stops(disclosure, stops)
    return {
        "disclosure": disclosure,
        "stops": _timed(shown, plan),
        "plan": plan,
        "finish": itinerary.hhmm(plan.finish) if plan else "",
        "late": set(plan.late) if plan else set(),
        "any_withheld": any(s.withheld for s in shown),
        "stop_withheld": rules.STOP_WITHHELD,
        "summary_withheld": None if disclosure.summary_open else rules.SUMMARY_WITHHELD,
    }


def visit_list(request: HttpRequest) -> HttpResponse:
    qs = (
        rules.visits_visible_to(request.user)
        .select_related("organizer")
        .annotate(n_stops=Count("stops", distinct=True))
        .order_by("-date", "-id")
    )
    return list_page(request, qs, "engagements/visit_list.html")


@require_http_methods(["GET", "POST"])
def visit_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    visit = _visit(request, pk) if pk else None
    require(request, "engagements.change_visit" if visit else "engagements.add_engagement", visit)
    form = VisitForm(request.POST or None, instance=visit, user=request.user)
    return edit_page(request, form, visit, _("Inspection visit"), "engagements:visit")


def render_detail(
    request: HttpRequest, visit: Visit, status: int = 200, **forms: Any
) -> HttpResponse:
    shown = _shown(request, visit)
    disclosure: rules.VisitDisclosure = shown["disclosure"]
    outcomes = list(visit.outcomes.select_related("counterpart", "stop__organization"))
    follow_ups = list(visit.followups.select_related("owner", "stop__organization"))
    # Outcomes and follow-ups recorded at another park's stop are that park's details too.
    open_outcomes = [o for o in outcomes if disclosure.outcome_open(o)]
    open_follow_ups = [f for f in follow_ups if disclosure.follow_up_open(f)]
    context = {
        "visit": visit,
        **shown,
        "participants": list(visit.participants.select_related("organization")),
        "outcomes": open_outcomes,
        "follow_ups": open_follow_ups,
        "records_withheld": rules.RECORDS_WITHHELD
        if len(open_outcomes) < len(outcomes) or len(open_follow_ups) < len(follow_ups)
        else None,
        # Listed only when the user may open them (they name who met whom).
        "meetings": list(rules.meetings_visible_to(request.user).filter(visit=visit)),
        "projects": list(projects_visible_to(request.user).filter(visits=visit)),
        "agreements": list(agreements_visible_to(request.user).filter(visits=visit)),
        "achievement": achievements_visible_to(request.user).filter(pk=visit.achievement_id).first()
        if visit.achievement_id
        else None,
        "posts": list(visit.news_posts.all()),
        "can_edit": request.user.has_perm("engagements.change_visit", visit),
        "can_news": request.user.has_perm("engagements.manage_news"),
        "stop_form": forms.get("stop_form") or StopForm(user=request.user),
        "participant_form": forms.get("participant_form") or ParticipantForm(user=request.user),
        "outcome_form": forms.get("outcome_form") or OutcomeForm(user=request.user, visit=visit),
        "follow_up_form": forms.get("follow_up_form")
        or FollowUpForm(user=request.user, visit=visit),
        "done_error": forms.get("done_error"),
        "in_future": visit.date > timezone.localdate(),
    }
    return render(request, "engagements/visit_detail.html", context, status=status)


def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, _visit(request, pk))


@require_POST
def stop_add(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    require(request, "engagements.change_visit", visit)
    form = StopForm(request.POST, user=request.user, visit=visit)
    if not form.is_valid():
        return render_detail(request, visit, stop_form=form, status=400)
    data = {k: v for k, v in form.cleaned_data.items() if k != "allow_duplicate"}
    domain.add_stop(actor=actor(request), visit=visit, ip=ip(request), **data)
    return redirect(f"{visit_url(visit)}#itinerary")


def visit_url(visit: Visit) -> str:
    from django.urls import reverse

    return reverse("engagements:visit", args=[visit.pk])


def _stop(request: HttpRequest, pk: int, stop_pk: int, details: bool = False) -> VisitStop:
    """A stop of a visit the user may change; `details` when the action shows or writes the
    stop's own details (minutes), which another park may not."""
    visit = _visit(request, pk)
    require(request, "engagements.change_visit", visit)
    stop = get_object_or_404(visit.stops.select_related("organization", "visit"), pk=stop_pk)
    if details:
        require(request, "engagements.view_stop_details", stop)
    return stop


@require_http_methods(["GET", "POST"])
def stop_remove(request: HttpRequest, pk: int, stop_pk: int) -> HttpResponse:
    stop = _stop(request, pk, stop_pk)
    if not confirmed(request):
        return confirm_page(
            request,
            question=_("Remove “%(stop)s” from the itinerary?") % {"stop": stop.label},
            detail=_("Its time window, hosts and minutes are removed with it."),
            button=_("Remove the stop"),
            back=f"{visit_url(stop.visit)}#itinerary",
        )
    domain.remove_stop(actor=actor(request), stop=stop, ip=ip(request))
    return redirect(f"{visit_url(stop.visit)}#itinerary")


@require_POST
def stop_move(request: HttpRequest, pk: int, stop_pk: int) -> HttpResponse:
    stop = _stop(request, pk, stop_pk)
    domain.move_stop(
        actor=actor(request), stop=stop, up=request.POST.get("dir") == "up", ip=ip(request)
    )
    return redirect(f"{visit_url(stop.visit)}#itinerary")


@require_http_methods(["GET", "POST"])
def stop_minutes(request: HttpRequest, pk: int, stop_pk: int) -> HttpResponse:
    stop = _stop(request, pk, stop_pk, details=True)
    form = MinutesForm(request.POST or None, initial={"minutes": stop.minutes})
    if request.method == "POST" and form.is_valid():
        domain.record_minutes(
            actor=actor(request), stop=stop, minutes=form.cleaned_data["minutes"], ip=ip(request)
        )
        messages.success(request, _("Minutes saved."))
        return redirect(f"{visit_url(stop.visit)}#itinerary")
    return render(request, "engagements/stop_minutes.html", {"stop": stop, "form": form})


def suggest(request: HttpRequest, pk: int) -> HttpResponse:
    """The suggested order with its times; the user accepts it or keeps their own."""
    visit = _visit(request, pk)
    stops = _stops(visit)
    plan = domain.plan_for(visit, stops)
    current = domain.current_plan(visit, stops) if stops else None
    by_pk = {s.pk: s for s in stops}
    hhmm = itinerary.hhmm
    rows = [
        {
            "stop": by_pk[leg.key],
            "arrive": hhmm(leg.arrive),
            "start": hhmm(leg.start),
            "km": leg.km,
            "late": leg.late_by,
        }
        for leg in plan.legs
    ]
    context = {
        "visit": visit,
        "plan": plan,
        "rows": rows,
        "finish": hhmm(plan.finish),
        "current_finish": hhmm(current.finish) if current else "",
        "current_km": current.km if current else 0,
        "same": current is not None and current.order == plan.order,
        "can_edit": request.user.has_perm("engagements.change_visit", visit),
    }
    template = "engagements/_suggestion.html" if is_htmx(request) else "engagements/suggestion.html"
    return render(request, template, context)


@require_POST
def accept_order(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    require(request, "engagements.change_visit", visit)
    order = [int(v) for v in request.POST.getlist("order") if v.isdigit()]
    try:
        domain.set_order(
            actor=actor(request), visit=visit, order=order, accept=True, ip=ip(request)
        )
    except ValueError:
        messages.error(request, _("The itinerary changed meanwhile; look at the new suggestion."))
        return redirect("engagements:visit-suggest", pk=visit.pk)
    messages.success(request, _("Itinerary order accepted."))
    return redirect(f"{visit_url(visit)}#itinerary")


@require_POST
def draft_from_fit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    require(request, "engagements.change_visit", visit)
    if visit.company is None and visit.achievement is None:
        messages.error(request, _("Choose the visiting company or an achievement first."))
        return redirect("engagements:visit", pk=visit.pk)
    try:
        created = domain.draft_from_fit(actor=actor(request), visit=visit, ip=ip(request))
    except park_fit.NoSource:
        messages.error(
            request, _("You may not see this visit's company or achievement, so no parks fit.")
        )
        return redirect("engagements:visit", pk=visit.pk)
    if created:
        messages.success(
            request, _("%(n)d best-fitting parks added to the itinerary.") % {"n": len(created)}
        )
    else:
        messages.warning(
            request,
            _(
                "No park was added: none you may see can host this as is, or they are on the "
                "itinerary already. The matchmaking park tab shows why."
            ),
        )
    return redirect(f"{visit_url(visit)}#itinerary")


def briefing(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable briefing pack for the delegation, with each stop as the user may see
    it (a park's member gets the other parks' stops by name, time and place only)."""
    visit = _visit(request, pk)
    return render(
        request,
        "engagements/briefing.html",
        {
            "visit": visit,
            **_shown(request, visit),
            "participants": list(visit.participants.select_related("organization")),
        },
    )


def visit_ics(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    disclosure = rules.visit_disclosure(request.user, visit)
    stops = rules.shown_stops(disclosure, _stops(visit))
    response = HttpResponse(
        feeds.visit_ics(visit, stops), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="visit-{visit.pk}.ics"'
    return response


@require_POST
def mark_done(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    require(request, "engagements.change_visit", visit)
    try:
        domain.mark_done(
            actor=actor(request),
            visit=visit,
            summary=request.POST.get("summary", ""),
            ip=ip(request),
        )
    except domain.NotYetHappened:
        error = _(
            "This visit is dated %(date)s, in the future: it can be marked as done once it "
            "has taken place. Change its date if it was moved forward."
        ) % {"date": visit.date.isoformat()}
        return render_detail(request, visit, done_error=error, status=400)
    return redirect("engagements:visit", pk=visit.pk)


@require_http_methods(["GET", "POST"])
def news_draft(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    require(request, "engagements.manage_news")
    return news_views.news_draft_page(request, visit, back=visit_url(visit))
