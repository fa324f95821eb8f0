"""Matchmaking pages: thin views over queries.py (reads) and actions.py (checked writes)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.accounts.rules import org_ids
from luodi.catalog import rules as catalog_rules
from luodi.catalog.choices import Disclosure
from luodi.catalog.models import Achievement, Organization
from luodi.errors import add_errors
from luodi.htmx import is_htmx
from luodi.matchmaking import actions, domain, feedback, queries, reports
from luodi.matchmaking.forms import (
    AccessRequestForm,
    ActForm,
    AssessedForm,
    DecideAccessForm,
    InviteForm,
    StatusForm,
)
from luodi.matchmaking.models import (
    AccessStatus,
    DeclineReason,
    MatchStatus,
    OpenCall,
    SourceKind,
    TargetKind,
)
from luodi.matchmaking.rules import (
    access_requests_visible_to,
    dossier_views_visible_to,
    invitations_visible_to,
    records_visible_to,
)


def _source(request: HttpRequest, kind: str, pk: int) -> queries.Source:
    if kind not in SourceKind.values:
        raise Http404
    try:
        source = queries.load_source(request.user, kind, pk)
    except ObjectDoesNotExist:
        raise Http404 from None
    if not source.tabs:
        raise Http404
    return source


def _end_of_day(day: date | None) -> datetime | None:
    """An expiry chosen as a day lasts until that evening (local time)."""
    return timezone.make_aware(datetime.combine(day, time(23, 59))) if day else None


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


def match_page(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Ranked, explained candidates in tabs; one URL for the page or (htmx) one tab."""
    source = _source(request, kind, pk)
    tab = request.GET.get("tab") or source.tabs[0]
    if tab not in source.tabs:
        raise Http404
    # Achievement tabs take the "assessed only / minimum readiness" filter.
    assessed = AssessedForm(request.GET) if tab == TargetKind.ACHIEVEMENT else None
    chosen = assessed.chosen() if assessed is not None else None
    result = queries.matches(request.user, source, tab, k=20, assessed=chosen)
    # "Invite to NDA" on the organization rows of a confidential achievement's matches.
    can_invite = (
        kind == SourceKind.ACHIEVEMENT
        and source.obj.disclosure == Disclosure.CONFIDENTIAL
        and tab != TargetKind.ACHIEVEMENT
        and request.user.has_perm("matchmaking.invite_nda", source.obj)
    )
    invited = (
        set(
            invitations_visible_to(request.user)
            .filter(achievement=source.obj, revoked_at__isnull=True, expires_at__gt=timezone.now())
            .values_list("organization_id", flat=True)
        )
        if can_invite
        else set()
    )
    context: dict[str, Any] = {
        "assessed_form": assessed,
        "can_invite": can_invite,
        "invited": invited,
        "source": source,
        "result": result,
        "tab": tab,
        "can_act": request.user.has_perm("matchmaking.act_on_source", source.obj),
        "actable": actions.actable(request_user(request), source, result.items),
        "reasons": DeclineReason.choices,
        "can_report": request.user.has_perm("matchmaking.run_report")
        and kind == SourceKind.ORGANIZATION,
    }
    template = "matchmaking/_panel.html" if is_htmx(request) else "matchmaking/page.html"
    return render(request, template, context)


@require_POST
def act(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    form = ActForm(request.POST)
    tab = request.POST.get("target_kind", "")
    back = f"{reverse('matchmaking:source', args=[kind, pk])}?tab={tab}"
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, str(e))
        return redirect(back)
    d = form.cleaned_data
    try:
        actions.act(
            user=request_user(request),
            source_kind=kind,
            source_id=pk,
            target_kind=d["target_kind"],
            target_id=d["target_id"],
            status=d["status"],
            reason=d["reason"] or "",
            note=d["note"],
            score=d["score"] or 0.0,
            ip=audit.client_ip(request),
            link=request.build_absolute_uri(reverse("matchmaking:inbox")),
        )
    except ObjectDoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Saved. Rankings take this into account."))
    return redirect(back)


def inbox(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    records = list(records_visible_to(user)[:200])
    for r in records:
        r.next_statuses = [  # type: ignore[attr-defined]
            (s, MatchStatus(s).label)
            for s in MatchStatus.values
            if s in domain.TRANSITIONS[r.status]
        ]
    calls = OpenCall.objects.filter(notified__in=org_ids(user)).select_related("need").distinct()
    return render(
        request,
        "matchmaking/inbox.html",
        {
            "records": records,
            "calls": calls,
            "reasons": DeclineReason.choices,
            "my_orgs": Organization.objects.filter(pk__in=org_ids(user)),
            "is_staff": user.has_perm("matchmaking.run_report"),
        },
    )


@require_POST
def record_status(request: HttpRequest, pk: int) -> HttpResponse:
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            actions.change_record(
                user=request_user(request),
                record_id=pk,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"] or "",
                note=form.cleaned_data["note"],
                ip=audit.client_ip(request),
                link=request.build_absolute_uri(reverse("matchmaking:inbox")),
            )
            messages.success(request, _("Saved."))
        except ObjectDoesNotExist:
            raise Http404 from None
        except ValidationError as exc:
            _errors(request, exc)
    return redirect("matchmaking:inbox")


def learned(request: HttpRequest, org_pk: int) -> HttpResponse:
    report = feedback.learned_report(request_user(request), org_pk)
    rules = report.learned
    return render(
        request,
        "matchmaking/learned.html",
        {
            "org": report.org,
            "learned": rules,
            "lines": report.lines,
            "answered": report.answered,
            "reasons": [
                (DeclineReason(r).label, n)
                for r, n in (rules.reasons.items() if rules else [])
                if r
            ],
        },
    )


def access_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    rows = list(access_requests_visible_to(user)[:200])
    for r in rows:
        r.can_decide = user.has_perm("matchmaking.decide_access", r)  # type: ignore[attr-defined]
        r.can_accept = (  # type: ignore[attr-defined]
            r.status == AccessStatus.REQUESTED and user.has_perm("matchmaking.accept_nda", r)
        )
    # Invitations to the user's organizations: the way in to a confidential achievement.
    invitations = invitations_visible_to(user).filter(
        organization_id__in=org_ids(user), revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    return render(
        request,
        "matchmaking/access_list.html",
        {
            "rows": rows,
            "invitations": list(invitations[:200]),
            "decide_form": DecideAccessForm(),
            "nda": domain.nda_text(),
            "nda_version": domain.NDA_VERSION,
        },
    )


def access_request(request: HttpRequest, achievement_pk: int) -> HttpResponse:
    user = request_user(request)
    obj = catalog_rules.achievements_visible_to(user).filter(pk=achievement_pk).first()
    if obj is None:
        raise Http404
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_access(
                user=user,
                achievement_id=obj.pk,
                message=form.cleaned_data["message"],
                accept_nda=True,
                ip=audit.client_ip(request),
            )
        except PermissionDenied:
            messages.info(request, _("You can already see this dossier."))
            return redirect("catalog:detail", slug="achievements", pk=obj.pk)
        messages.success(request, _("Requested. The owner or the association staff decides."))
        return redirect("matchmaking:access")
    return render(
        request,
        "matchmaking/access_request.html",
        {"obj": obj, "form": form, "nda": domain.nda_text(), "nda_version": domain.NDA_VERSION},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def access_accept(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actions.accept_nda(user=request_user(request), request_id=pk, ip=audit.client_ip(request))
    except ObjectDoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("matchmaking:access")


@require_POST
def access_decide(request: HttpRequest, pk: int) -> HttpResponse:
    form = DecideAccessForm(request.POST)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, str(e))
        return redirect("matchmaking:access")
    expires = _end_of_day(form.cleaned_data.get("expires_on"))
    try:
        actions.decide_access(
            user=request_user(request),
            request_id=pk,
            approve=form.cleaned_data["decision"] == "approve",
            expires_at=expires,
            ip=audit.client_ip(request),
        )
        messages.success(request, _("Saved."))
    except ObjectDoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("matchmaking:access")


def viewers(request: HttpRequest) -> HttpResponse:
    """Who viewed which dossier: the owner's own achievements (all, for staff)."""
    entries = list(dossier_views_visible_to(request.user).select_related("actor")[:500])
    titles = dict(
        (str(a.pk), a.title)
        for a in Achievement.objects.filter(
            pk__in={int(e.target_id) for e in entries if e.target_id.isdigit()}
        )
    )
    rows = [(e, titles.get(e.target_id, e.target_repr)) for e in entries]
    return render(request, "matchmaking/viewers.html", {"rows": rows})


@require_POST
def open_call(request: HttpRequest, pk: int) -> HttpResponse:
    link = request.build_absolute_uri(reverse("catalog:detail", args=["needs", pk]))
    try:
        n = actions.publish_open_call(
            user=request_user(request), need_id=pk, link=link, ip=audit.client_ip(request)
        )
    except ObjectDoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("matchmaking:source", kind=SourceKind.NEED, pk=pk)
    messages.success(
        request,
        _("Published as an open call; %(n)s matched organizations were notified.") % {"n": n},
    )
    return redirect("matchmaking:source", kind=SourceKind.NEED, pk=pk)


def report(request: HttpRequest, org_pk: int) -> HttpResponse:
    if not request.user.has_perm("matchmaking.run_report"):
        raise PermissionDenied
    try:
        return reports.response(
            user=request_user(request), org_id=org_pk, ip=audit.client_ip(request)
        )
    except ObjectDoesNotExist:
        raise Http404 from None


# -- NDA invitations (confidential achievements) --------------------------------------------

_FORM_FIELD = {"organization": "organization", "expires_at": "expires_on"}


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    ok = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and ok else ""


@require_http_methods(["GET", "POST"])
def nda_invitations(request: HttpRequest, achievement_pk: int) -> HttpResponse:
    """Who is invited to a confidential achievement's NDA; invite one more (also reached from
    the "Invite to NDA" button of a match row, which sends `next` to come back to)."""
    user = request_user(request)
    obj = catalog_rules.achievements_visible_to(user).filter(pk=achievement_pk).first()
    if obj is None:
        raise Http404
    if not user.has_perm("matchmaking.invite_nda", obj):
        raise PermissionDenied
    form = InviteForm(request.POST or None, user=user, achievement=obj)
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data.get("expires_on")
        try:
            actions.invite_to_nda(
                user=user,
                achievement_id=obj.pk,
                organization_id=form.cleaned_data["organization"].pk,
                expires_at=_end_of_day(day),
                ip=audit.client_ip(request),
            )
        except ValidationError as exc:
            add_errors(form, exc, field_of=_FORM_FIELD)
        else:
            messages.success(
                request, _("Invited: its members now see the teaser and can request access.")
            )
            return redirect(_safe_next(request) or request.path)
    rows = list(invitations_visible_to(user).filter(achievement=obj))
    now = timezone.now()
    for r in rows:
        r.live = r.revoked_at is None and r.expires_at > now  # type: ignore[attr-defined]
    return render(
        request,
        "matchmaking/nda_invitations.html",
        {"obj": obj, "form": form, "rows": rows},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def nda_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        inv = actions.revoke_invitation(
            user=request_user(request), invitation_id=pk, ip=audit.client_ip(request)
        )
    except ObjectDoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        _errors(request, exc)
        inv = invitations_visible_to(request.user).get(pk=pk)
    else:
        messages.success(request, _("Revoked: the achievement is hidden from them again."))
    return redirect("matchmaking:nda-invitations", achievement_pk=inv.achievement_id)
