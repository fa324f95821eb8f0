"""The engagements calendar (month, week, list), filterable by organization, and the
per-user iCalendar feed behind a secret URL."""

from __future__ import annotations

import calendar as pycal
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from luodi.engagements import feeds
from luodi.engagements.forms import CalendarFilterForm
from luodi.engagements.queries import Entry, calendar_entries
from luodi.engagements.views.common import actor, ip

VIEWS = ("month", "week", "list")


def _day(raw: str | None) -> date:
    try:
        return date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def calendar_view(request: HttpRequest) -> HttpResponse:
    mode = request.GET.get("view", "month")
    mode = mode if mode in VIEWS else "month"
    day = _day(request.GET.get("date"))
    form = CalendarFilterForm(request.GET or None, user=request.user)
    org = form.cleaned_data.get("organization") if form.is_valid() else None
    if mode == "month":
        weeks = pycal.Calendar().monthdatescalendar(day.year, day.month)
        start, end = weeks[0][0], weeks[-1][-1] + timedelta(days=1)
        prev, nxt = (
            (day.replace(day=1) - timedelta(days=1)).replace(day=1),
            (day.replace(day=28) + timedelta(days=4)).replace(day=1),
        )
    elif mode == "week":
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=7)
        weeks = [[start + timedelta(days=i) for i in range(7)]]
        prev, nxt = start - timedelta(days=7), start + timedelta(days=7)
    else:
        start, end = day, day + timedelta(days=60)
        weeks = []
        prev, nxt = day - timedelta(days=60), end
    entries = calendar_entries(request.user, start, end, org.pk if org else None)
    by_day: dict[date, list[Entry]] = {}
    for e in entries:
        by_day.setdefault(timezone.localtime(e.start).date(), []).append(e)
    grid = [[(d, by_day.get(d, [])) for d in week] for week in weeks]
    params = request.GET.copy()
    for key in ("date", "view"):
        params.pop(key, None)
    return render(
        request,
        "engagements/calendar.html",
        {
            "mode": mode,
            "day": day,
            "grid": grid,
            "entries": entries,
            "form": form,
            "prev": prev,
            "next": nxt,
            "today": timezone.localdate(),
            "modes": VIEWS,
            "days": sorted(by_day.items()),
            "query": params.urlencode(),
        },
    )


# Pages that offer the feed button and get the new address back (named, never a URL).
RESET_RETURNS = {"calendar": "engagements:calendar", "my-tasks": "pipeline:my-tasks"}


@require_POST
def reset_feed(request: HttpRequest) -> HttpResponse:
    """A new address for the person's one calendar feed, shown once on the page it was
    asked from (the calendar, or "my tasks" through `next`)."""
    raw = feeds.reset_feed_token(actor=actor(request), ip=ip(request))
    url = request.build_absolute_uri(reverse("engagements:feed", args=[raw]))
    messages.success(
        request,
        _("Your private calendar feed URL (shown once; keep it secret): %(url)s") % {"url": url},
    )
    return redirect(RESET_RETURNS.get(request.POST.get("next", ""), "engagements:calendar"))


@login_not_required
@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's one calendar feed; the secret token in the URL is the only key."""
    user = feeds.user_for_token(token)
    if user is None:
        raise Http404
    base_url = request.build_absolute_uri("/").rstrip("/")
    response = HttpResponse(
        feeds.user_feed(user, base_url=base_url), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="luodi.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
