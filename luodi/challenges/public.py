"""Public pages (no account): the public challenges, one challenge with its proposal form,
and the applicant's private page of their proposal (reached through the signed link of the
confirmation email) where they read it, download their files and withdraw it.

Only public challenges that are open, closed or awarded are shown; an invited one is a
404 here. The form is rate-limited per client like the other public forms
(accounts.ratelimit: LUODI_PROPOSAL_RATE_LIMIT attempts, default 10, per
LUODI_PROPOSAL_RATE_WINDOW seconds, default an hour) and has a honeypot field. Nothing here
lists or hints at other proposals."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from luodi import money
from luodi.accounts import audit
from luodi.accounts.ratelimit import over_limit
from luodi.challenges import proposals, rules, tokens
from luodi.challenges.choices import ChallengeStatus
from luodi.challenges.forms import ProposalForm
from luodi.challenges.models import Challenge, Proposal
from luodi.challenges.views import budget_text
from luodi.downloads import attachment
from luodi.errors import add_errors


def _throttled(request: HttpRequest) -> bool:
    return over_limit(
        request,
        "challenge-proposal",
        limit=getattr(settings, "LUODI_PROPOSAL_RATE_LIMIT", 10),
        window=getattr(settings, "LUODI_PROPOSAL_RATE_WINDOW", 3600),
    )


def private_path(proposal: Proposal) -> str:
    return reverse("challenges:private", args=[tokens.make(proposal.pk)])


@login_not_required
def public_list(request: HttpRequest) -> HttpResponse:
    qs = rules.public_challenges().select_related("poster")
    context = {
        "open": list(qs.filter(status=ChallengeStatus.OPEN).order_by("deadline", "pk")[:100]),
        "past": list(qs.exclude(status=ChallengeStatus.OPEN).order_by("-deadline", "-pk")[:20]),
    }
    return render(request, "challenges/public/list.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def public_page(request: HttpRequest, pk: int) -> HttpResponse:
    challenge: Challenge = get_object_or_404(
        rules.public_challenges().select_related("poster"), pk=pk
    )
    form = ProposalForm(request.POST or None, request.FILES or None, user=None)
    status = 200
    throttled = False
    if request.method == "POST":
        status = 400
        if _throttled(request):
            throttled, status = True, 429
        elif form.is_valid():
            base = request.build_absolute_uri("/").rstrip("/")
            try:
                proposal = proposals.submit(
                    challenge=challenge,
                    values=form.values(),
                    actor=None,
                    uploads=form.uploads(),
                    private_link=lambda p: base + private_path(p),
                    review_link=base + reverse("challenges:detail", args=[challenge.pk]),
                    ip=audit.client_ip(request),
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                return redirect(private_path(proposal) + "?sent=1")
    context = {
        "challenge": challenge,
        "budget": budget_text(challenge),
        "form": form,
        "accepts": challenge.accepts_proposals(),
        "throttled": throttled,
    }
    return render(request, "challenges/public/challenge.html", context, status=status)


def _by_token(token: str) -> Proposal:
    pk = tokens.read(token)
    if pk is None:
        raise Http404
    return get_object_or_404(
        Proposal.objects.select_related("challenge", "challenge__poster"), pk=pk
    )


@login_not_required
@never_cache
def private(request: HttpRequest, token: str) -> HttpResponse:
    proposal = _by_token(token)
    context = {
        "proposal": proposal,
        "challenge": proposal.challenge,
        "token": token,
        "budget_ask": money.shown(proposal.budget_ask_fen),
        "attachments": list(proposal.attachments.all()),
        "sent": request.GET.get("sent") == "1",
    }
    response = render(request, "challenges/public/private.html", context)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@require_POST
def private_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    proposal = _by_token(token)
    # Refused (awarded already): the page shows the stage it is in.
    with contextlib.suppress(ValidationError):
        proposals.withdraw(actor=None, proposal=proposal, ip=audit.client_ip(request))
    return redirect("challenges:private", token=token)


@login_not_required
def private_attachment(request: HttpRequest, token: str, pk: int) -> FileResponse:
    proposal = _by_token(token)
    doc = get_object_or_404(proposal.attachments, pk=pk)
    return attachment(doc.file.open("rb"), doc.original_name, doc.content_type)
