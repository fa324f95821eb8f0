"""The reviewer's page: `/assessments/<id>/review/`, for an internal reviewer signed in or
an external one through their token link (`?token=…`, tokens.py; no account, hence
`login_not_required`). One page, three steps:

1. the declaration of conflict of interest (and, for a confidential achievement, the NDA),
   showing only the achievement's title and owner;
2. a declared conflict ends here (recorded, thank you);
3. otherwise the dossier, the criteria and the score form (scores out of a criterion's
   scale re-render with the field's error); once scored, in open review, the other
   reviewers' names and scores; in blind review never.

A link that does not open (forged, expired, for another assessment, withdrawn) shows a page
saying which, with no data."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from luodi.accounts import audit
from luodi.assessments import domain, results, rules, tokens
from luodi.assessments.forms import DeclarationForm, ScoreForm
from luodi.assessments.models import Invitation
from luodi.errors import add_errors

LINK_STATUS = {"forged": 403, "elsewhere": 403, "withdrawn": 403, "expired": 410}


def _invitation(request: HttpRequest, pk: int, token: str) -> Invitation | HttpResponse:
    if token:
        try:
            return tokens.read(token, pk)
        except tokens.TokenError as exc:
            return render(
                request,
                "assessments/link_error.html",
                {"reason": exc.reason},
                status=LINK_STATUS.get(exc.reason, 403),
            )
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    found = (
        rules.live_invitations(request.user)
        .select_related("assessment__achievement__owner", "user")
        .filter(assessment_id=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _co_reviewers(invitation: Invitation) -> list[dict[str, Any]]:
    assessment = invitation.assessment
    if not rules.sees_co_reviewers(assessment, invitation):
        return []
    others = [i for i in results.counted_invitations(assessment) if i.pk != invitation.pk]
    return [
        {
            "name": other.display_name,
            "scores": [results.own_scores(other).get(c["code"]) for c in assessment.criteria],
            "comment": other.comment,
        }
        for other in others
    ]


def _context(invitation: Invitation, token: str, **extra: Any) -> dict[str, Any]:
    assessment = invitation.assessment
    mine = results.own_scores(invitation) if invitation.cleared else {}
    return {
        "invitation": invitation,
        "assessment": assessment,
        "achievement": assessment.achievement,
        "token": token,
        "nda": domain.needs_nda(assessment),
        "nda_text": domain.nda_text(),
        "mine": [(c, mine.get(c["code"])) for c in assessment.criteria],
        "co_reviewers": _co_reviewers(invitation),
        **extra,
    }


def _score_form(invitation: Invitation, data: Any = None) -> ScoreForm:
    mine = results.own_scores(invitation)
    initial: dict[str, Any] = {"comment": invitation.comment}
    for code, score in mine.items():
        initial[domain.score_field(code)] = score.value
        initial[f"comment_{code}"] = score.comment
    return ScoreForm(
        data, initial=initial, assessment=invitation.assessment, language=get_language() or ""
    )


def _here(pk: int, token: str, **query: str) -> str:
    params = {**({"token": token} if token else {}), **query}
    path = reverse("assessments:review", args=[pk])
    return f"{path}?{urlencode(params)}" if params else path


@never_cache
@login_not_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    token = request.GET.get("token") or request.POST.get("token") or ""
    found = _invitation(request, pk, token)
    if isinstance(found, HttpResponse):
        return found
    invitation = found
    assessment = invitation.assessment
    actor = None if invitation.is_external else invitation.user
    nda = domain.needs_nda(assessment)
    declaration = DeclarationForm(nda=nda)
    scoring = _score_form(invitation) if invitation.cleared else None
    status = 200
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "declare":
        declaration = DeclarationForm(request.POST, nda=nda)
        if declaration.is_valid():
            data = declaration.cleaned_data
            try:
                domain.declare(
                    actor=actor,
                    invitation=invitation,
                    conflict=data["conflict"] == "yes",
                    note=data.get("conflict_note") or "",
                    accept_nda=bool(data.get("accept_nda")),
                    ip=audit.client_ip(request),
                )
            except ValidationError as exc:
                add_errors(declaration, exc)
            else:
                return redirect(_here(pk, token))
        status = 400
    elif action == "score" and invitation.cleared:
        scoring = _score_form(invitation, request.POST)
        if scoring.is_valid():
            try:
                domain.submit_scores(
                    actor=actor,
                    invitation=invitation,
                    values=scoring.values(),
                    comments=scoring.comments(),
                    comment=scoring.cleaned_data.get("comment") or "",
                    ip=audit.client_ip(request),
                )
            except ValidationError as exc:
                add_errors(scoring, exc)
            else:
                return redirect(_here(pk, token, saved="1"))
        status = 400
    context = _context(
        invitation,
        token,
        declaration=declaration,
        scoring=scoring,
        saved=request.GET.get("saved") == "1",
    )
    return render(request, "assessments/review.html", context, status=status)
