"""Pages of challenges for signed-in users: the list, a challenge (its facts as far as the
user may see them, its proposals, reviewers and invitations), the form to post or edit one,
its matches with the invite action, the proposal form, and a proposal with its review
(scores, stage moves, award). Public pages (no account): public.py.

Who sees what is rules.py's (404 when not visible, so existence is never confirmed; 403 for
an action the user may not take on something they see); writes go through domain.py and
proposals.py. Each POST answers a redirect (or, from htmx, the section again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from luodi import concurrency, money
from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.catalog.models import Organization
from luodi.catalog.rules import achievements_visible_to
from luodi.challenges import domain, matching, proposals, rules
from luodi.challenges.choices import ChallengeStatus, Stage
from luodi.challenges.forms import (
    AwardForm,
    ChallengeFilter,
    ChallengeForm,
    MoveForm,
    ProposalForm,
    ReviewerForm,
    ScoreForm,
)
from luodi.challenges.models import Challenge, Proposal
from luodi.concurrency import Conflict, form_refusals
from luodi.downloads import attachment
from luodi.errors import add_errors
from luodi.htmx import is_htmx

PER_PAGE = 25


def _get(request: HttpRequest, pk: int, perm: str = "") -> Challenge:
    challenge = get_object_or_404(
        rules.challenges_visible_to(request.user).select_related("poster", "need"), pk=pk
    )
    if perm and not request.user.has_perm(perm, challenge):
        raise PermissionDenied
    return challenge


def _get_proposal(request: HttpRequest, pk: int, perm: str = "") -> Proposal:
    proposal = get_object_or_404(
        rules.proposals_visible_to(request.user).select_related(
            "challenge", "challenge__poster", "organization", "project", "agreement"
        ),
        pk=pk,
    )
    if perm and not request.user.has_perm(perm, proposal.challenge):
        raise PermissionDenied
    return proposal


def budget_text(challenge: Challenge) -> str:
    low, high = challenge.budget_min_fen, challenge.budget_max_fen
    if low is not None and high is not None and low != high:
        return f"{money.shown(low)} – {money.shown(high)}"
    if low is not None or high is not None:
        return money.shown(low if low is not None else high)
    return ""


# -- list ---------------------------------------------------------------------------------------


def challenge_list(request: HttpRequest) -> HttpResponse:
    form = ChallengeFilter(request.GET or None)
    qs: QuerySet[Challenge] = rules.challenges_visible_to(request.user).select_related("poster")
    if form.is_valid():
        for term in (form.cleaned_data.get("q") or "").split():
            qs = qs.filter(
                Q(title_zh__icontains=term)
                | Q(title_en__icontains=term)
                | Q(problem_zh__icontains=term)
                | Q(problem_en__icontains=term)
            )
        if form.cleaned_data.get("status"):
            qs = qs.filter(status=form.cleaned_data["status"])
    page = Paginator(qs.order_by("-created_at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "can_add": request.user.has_perm("challenges.add_challenge"),
    }
    return render(request, "challenges/list.html", context)


# -- one challenge --------------------------------------------------------------------------


def _proposals_of(request: HttpRequest, challenge: Challenge) -> list[Proposal]:
    return list(
        rules.proposals_visible_to(request.user)
        .filter(challenge=challenge)
        .select_related("organization")
        .annotate(avg_score=Avg("scores__score"), n_scores=Count("scores"))
        .order_by("created_at", "pk")
    )


def challenge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _get(request, pk)
    user = request.user
    can_manage = user.has_perm("challenges.manage_challenge", challenge)
    context: dict[str, Any] = {
        "challenge": challenge,
        "terms_visible": rules.terms_visible(user, challenge),
        "budget": budget_text(challenge),
        "can_manage": can_manage,
        "can_review": user.has_perm("challenges.review_challenge", challenge),
        "can_submit": user.has_perm("challenges.submit_proposal", challenge)
        and challenge.accepts_proposals(),
        "proposals": _proposals_of(request, challenge),
        "next_statuses": sorted(domain.CHALLENGE_TRANSITIONS.get(challenge.status, set()))
        if can_manage
        else [],
        "status_labels": dict(ChallengeStatus.choices),
    }
    if can_manage:
        context["invitations"] = list(challenge.invitations.select_related("organization"))
        context["reviewers"] = list(challenge.reviewers.order_by("pk"))
        context["reviewer_form"] = ReviewerForm()
    return render(request, "challenges/detail.html", context)


@require_http_methods(["GET", "POST"])
def challenge_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("challenges.add_challenge"):
        raise PermissionDenied
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
def challenge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, _get(request, pk, "challenges.manage_challenge"))


def _initial_from_need(request: HttpRequest) -> dict[str, Any]:
    raw = request.GET.get("need", "")
    if not raw.isdigit():
        return {}
    need = rules.needs_convertible_by(request.user).filter(pk=int(raw)).first()
    if need is None:
        return {}
    values = domain.from_need(need)
    return {**values, "poster": need.organization_id, "need": need.pk}


def _edit(request: HttpRequest, challenge: Challenge | None) -> HttpResponse:
    user = request.user
    instance = Challenge.objects.get(pk=challenge.pk) if challenge else Challenge()
    initial = _initial_from_need(request) if challenge is None else {}
    form = ChallengeForm(request.POST or None, instance=instance, user=user, initial=initial)
    conflict: concurrency.ConflictView | None = None
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            saved = domain.save_challenge(
                actor=request_user(request),
                challenge=challenge,
                values=form.values(),
                expected_version=form.expected_version,
                ip=audit.client_ip(request),
            )
        except Conflict as exc:
            assert challenge is not None
            fresh = Challenge.objects.get(pk=challenge.pk)
            conflict = concurrency.refuse(
                form, ChallengeForm(instance=fresh, user=user), exc, fresh
            )
            status = 409
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Challenge saved."))
            return redirect("challenges:detail", pk=saved.pk)
    context = {
        "form": form,
        "challenge": challenge,
        "conflict": conflict,
        "heading": _("Edit challenge") if challenge else _("New challenge"),
    }
    return render(request, "challenges/form.html", context, status=status)


@require_POST
def set_status(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _get(request, pk, "challenges.manage_challenge")
    raw = request.POST.get("version") or ""
    try:
        domain.set_status(
            actor=request_user(request),
            challenge=challenge,
            status=request.POST.get("status", ""),
            expected_version=int(raw) if raw.isdigit() else None,
            ip=audit.client_ip(request),
        )
    except Conflict:
        messages.error(request, _("Someone else changed this challenge meanwhile; try again."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Status changed."))
    return redirect("challenges:detail", pk=challenge.pk)


@require_POST
def reviewers(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _get(request, pk, "challenges.manage_challenge")
    actor, ip = request_user(request), audit.client_ip(request)
    remove = request.POST.get("remove", "")
    try:
        if remove.isdigit():
            gone = challenge.reviewers.filter(pk=int(remove)).first()
            if gone is not None:
                domain.remove_reviewer(actor=actor, challenge=challenge, reviewer=gone, ip=ip)
        else:
            form = ReviewerForm(request.POST)
            found = domain.find_reviewer(form.data.get("reviewer", "")) if form.is_valid() else None
            domain.add_reviewer(actor=actor, challenge=challenge, reviewer=found, ip=ip)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Reviewers updated."))
    return redirect("challenges:detail", pk=challenge.pk)


# -- matches and invitations ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def challenge_matches(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _get(request, pk, "challenges.manage_challenge")
    found = matching.find(request.user, challenge)
    if request.method == "POST":
        wanted = {int(v) for v in request.POST.getlist("organization") if v.isdigit()}
        reasons = {m.organization_id: m.explanation for m in found.teams + found.achievements}
        # Only organizations the user may see (a team listed, or an achievement's owner).
        orgs = list(Organization.objects.filter(pk__in=wanted & set(reasons)))
        link = request.build_absolute_uri(reverse("challenges:detail", args=[challenge.pk]))
        try:
            created = domain.invite(
                actor=request_user(request),
                challenge=challenge,
                organizations=orgs,
                reasons=reasons,
                link=link,
                ip=audit.client_ip(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            n = len(created)
            done = ngettext("%(n)d organization invited.", "%(n)d organizations invited.", n)
            messages.success(request, done % {"n": n})
        return redirect("challenges:matches", pk=challenge.pk)
    context = {"challenge": challenge, "found": found}
    template = "challenges/_matches.html" if is_htmx(request) else "challenges/matches.html"
    return render(request, template, context)


# -- proposals ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _get(request, pk, "challenges.submit_proposal")
    form = ProposalForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                proposal = proposals.submit(
                    challenge=challenge,
                    values=form.values(),
                    actor=request_user(request),
                    organization=form.cleaned_data["organization"],
                    achievements=form.cleaned_data.get("achievements") or [],
                    uploads=form.uploads(),
                    review_link=request.build_absolute_uri(
                        reverse("challenges:detail", args=[challenge.pk])
                    ),
                    ip=audit.client_ip(request),
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Proposal submitted."))
                return redirect("challenges:proposal", pk=proposal.pk)
    context = {"challenge": challenge, "form": form, "accepts": challenge.accepts_proposals()}
    return render(request, "challenges/propose.html", context, status=status)


def proposal_context(request: HttpRequest, proposal: Proposal) -> dict[str, Any]:
    user = request.user
    challenge = proposal.challenge
    can_review = user.has_perm("challenges.review_challenge", challenge)
    can_manage = user.has_perm("challenges.manage_challenge", challenge)
    context: dict[str, Any] = {
        "proposal": proposal,
        "challenge": challenge,
        "budget_ask": money.shown(proposal.budget_ask_fen),
        "attachments": list(proposal.attachments.all()),
        "achievements": list(
            achievements_visible_to(user).filter(challenge_proposals=proposal).order_by("pk")
        ),
        "moves": list(proposal.moves.all()),
        "can_review": can_review,
        "can_award": can_manage and proposal.stage == Stage.FINALIST,
        "is_applicant": user.has_perm("challenges.withdraw_proposal", proposal),
    }
    if can_review:
        context["scores"] = list(proposal.scores.select_related("reviewer"))
        context["score_form"] = ScoreForm()
        context["move_form"] = MoveForm(initial={"version": proposal.version})
    if context["can_award"]:
        context["award_form"] = AwardForm(user=user, initial={"version": proposal.version})
    return context


def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _get_proposal(request, pk)
    return render(request, "challenges/proposal.html", proposal_context(request, proposal))


def _again(
    request: HttpRequest, proposal: Proposal, form: forms.BaseForm, name: str
) -> HttpResponse:
    context = proposal_context(request, proposal)
    context[name] = form
    return render(request, "challenges/proposal.html", context, status=400)


@require_POST
def proposal_score(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _get_proposal(request, pk, "challenges.review_challenge")
    form = ScoreForm(request.POST)
    if form.is_valid():
        try:
            proposals.score(
                actor=request_user(request),
                proposal=proposal,
                value=form.cleaned_data["score"],
                comment=form.cleaned_data.get("comment") or "",
                ip=audit.client_ip(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Score saved."))
            return redirect("challenges:proposal", pk=proposal.pk)
    return _again(request, proposal, form, "score_form")


@require_POST
def proposal_move(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _get_proposal(request, pk, "challenges.review_challenge")
    form = MoveForm(request.POST)
    if form.is_valid():
        with form_refusals(form) as outcome:
            proposals.move(
                actor=request_user(request),
                proposal=proposal,
                to=form.cleaned_data["stage"],
                note=form.cleaned_data.get("note") or "",
                expected_version=form.cleaned_data.get("version"),
                ip=audit.client_ip(request),
            )
        if outcome.ok:
            messages.success(request, _("Proposal moved."))
            return redirect("challenges:proposal", pk=proposal.pk)
    return _again(request, proposal, form, "move_form")


@require_POST
def proposal_award(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _get_proposal(request, pk, "challenges.manage_challenge")
    form = AwardForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        with form_refusals(form) as outcome:
            proposals.award(
                actor=request_user(request),
                proposal=proposal,
                organization=data.get("organization"),
                achievement=data.get("achievement"),
                note=data.get("note") or "",
                expected_version=data.get("version"),
                link=request.build_absolute_uri(reverse("pipeline:board")),
                ip=audit.client_ip(request),
            )
        if outcome.ok:
            messages.success(request, _("Proposal awarded: the project is on the board."))
            return redirect("challenges:proposal", pk=proposal.pk)
    return _again(request, proposal, form, "award_form")


@require_POST
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _get_proposal(request, pk)
    if not request.user.has_perm("challenges.withdraw_proposal", proposal):
        raise PermissionDenied
    try:
        proposals.withdraw(
            actor=request_user(request), proposal=proposal, ip=audit.client_ip(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Proposal withdrawn."))
    return redirect("challenges:proposal", pk=proposal.pk)


def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    doc = get_object_or_404(rules.attachments_visible_to(request.user), pk=pk)
    return attachment(doc.file.open("rb"), doc.original_name, doc.content_type)
