"""Staff pages of assessments (and the owner's view of a summarised one): the list, opening
an assessment, its page (reviewers, aggregated scores with disagreement, the summary, the
rounds of the same achievement), inviting and withdrawing reviewers, closing, summarising,
re-assessing, and the templates. The reviewer's own page is review_views.py.

Who may open what is rules.py: an assessment outside `assessments_visible_to` is a 404; a
change asks `assessments.manage` (403)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.assessments import domain, results, rules
from luodi.assessments.choices import Status
from luodi.assessments.forms import (
    CriterionFormSet,
    InviteForm,
    OpenForm,
    ReassessForm,
    SummaryForm,
    TemplateForm,
)
from luodi.assessments.models import Assessment, Invitation, Template
from luodi.catalog.choices import OrganizationKind
from luodi.concurrency import Conflict, form_refusals
from luodi.errors import add_errors
from luodi.htmx import is_htmx


def _get(request: HttpRequest, pk: int, perm: str = "") -> Assessment:
    assessment = get_object_or_404(
        rules.assessments_visible_to(request.user).select_related(
            "achievement__owner", "template", "opened_by", "summarised_by"
        ),
        pk=pk,
    )
    if perm and not request.user.has_perm(perm, assessment):
        raise PermissionDenied
    return assessment


def _manage(request: HttpRequest) -> None:
    if not request.user.has_perm("assessments.manage"):
        raise PermissionDenied


# -- the list -------------------------------------------------------------------------------


def assessment_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    status = request.GET.get("status") or ""
    qs: QuerySet[Assessment] = rules.assessments_visible_to(user).select_related(
        "achievement__owner"
    )
    if status in Status.values:
        qs = qs.filter(status=status)
    context = {
        "assessments": list(qs[:200]),
        "invitations": list(
            rules.live_invitations(user)
            .filter(assessment__status=Status.OPEN)
            .select_related("assessment__achievement")
        ),
        "statuses": Status.choices,
        "status": status,
        "can_manage": user.has_perm("assessments.manage"),
    }
    return render(request, "assessments/list.html", context)


# -- opening --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest) -> HttpResponse:
    _manage(request)
    preset = request.GET.get("achievement") or ""
    initial = {"achievement": preset} if preset.isdigit() else {}
    form = OpenForm(request.POST or None, initial=initial, preset=bool(initial))
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = domain.open_assessment(
                actor=request_user(request),
                achievement=data["achievement"],
                template=data["template"],
                mode=data["mode"],
                deadline=data["deadline"],
                base_url=request.build_absolute_uri("/").rstrip("/"),
                ip=audit.client_ip(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Assessment opened: now invite the reviewers."))
            return redirect("assessments:detail", pk=assessment.pk)
    achievement = (
        form.fields["achievement"]
        .queryset.filter(  # type: ignore[attr-defined]
            pk=int(preset)
        )
        .first()
        if initial
        else None
    )
    return render(
        request,
        "assessments/open.html",
        {"form": form, "achievement": achievement},
        status=status,
    )


# -- one assessment ---------------------------------------------------------------------------


def _rows(assessment: Assessment, invitations: list[Invitation]) -> list[dict[str, Any]]:
    """Per criterion: its aggregate and each counted reviewer's score (staff view)."""
    agg = results.aggregate_for(assessment)
    by_code = agg.by_code()
    scores = results.scores_by_reviewer(invitations)
    return [
        {
            "criterion": c,
            "result": by_code.get(c["code"]),
            "scores": [scores.get(inv.pk, {}).get(c["code"]) for inv in invitations],
        }
        for c in assessment.criteria
    ]


def detail_context(
    request: HttpRequest, assessment: Assessment, *, invite_form: InviteForm | None = None
) -> dict[str, Any]:
    user = request.user
    full = user.has_perm("assessments.view_scores", assessment)
    context: dict[str, Any] = {
        "assessment": assessment,
        "achievement": assessment.achievement,
        "full": full,
        "can_manage": user.has_perm("assessments.manage"),
        "kinds": dict(OrganizationKind.choices),
    }
    if full:
        invitations = list(assessment.invitations.select_related("user").order_by("pk"))
        counted = results.counted_invitations(assessment)
        context.update(
            {
                "invitations": invitations,
                "counted": counted,
                "rows": _rows(assessment, counted),
                "aggregate": results.aggregate_for(assessment),
                "invite_form": invite_form or InviteForm(),
                "rounds": Assessment.objects.filter(
                    achievement_id=assessment.achievement_id
                ).order_by("-round"),
                "reassess_form": ReassessForm(),
            }
        )
    return context


def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get(request, pk)
    if not request.user.has_perm("assessments.view_result", assessment):
        # A cleared reviewer who is not staff: their page is the review page.
        return redirect("assessments:review", pk=pk)
    return render(request, "assessments/detail.html", detail_context(request, assessment))


@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get(request, pk, "assessments.manage")
    form = InviteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            domain.invite(
                actor=request_user(request),
                assessment=assessment,
                user=data.get("user"),
                name=data.get("name") or "",
                email=data.get("email") or "",
                language=data.get("language") or "",
                ip=audit.client_ip(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if is_htmx(request):
                context = detail_context(request, assessment)
                context["done"] = _("Reviewer invited; the invitation is being mailed.")
                return render(request, "assessments/_reviewers.html", context)
            messages.success(request, _("Reviewer invited; the invitation is being mailed."))
            return redirect("assessments:detail", pk=pk)
    context = detail_context(request, assessment, invite_form=form)
    template = "assessments/_reviewers.html" if is_htmx(request) else "assessments/detail.html"
    return render(request, template, context, status=400)


@require_POST
def revoke(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    assessment = _get(request, pk, "assessments.manage")
    invitation = get_object_or_404(Invitation, pk=invitation_pk, assessment=assessment)
    domain.revoke(actor=request_user(request), invitation=invitation, ip=audit.client_ip(request))
    messages.success(request, _("Invitation withdrawn."))
    return redirect("assessments:detail", pk=pk)


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version") or ""
    return int(raw) if raw.isdigit() else None


@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get(request, pk, "assessments.manage")
    try:
        domain.close(
            actor=request_user(request),
            assessment=assessment,
            expected_version=_version(request),
            ip=audit.client_ip(request),
        )
    except Conflict:
        messages.error(request, _("Someone changed this assessment meanwhile; nothing was done."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Assessment closed: no more scores. Write the summary."))
    return redirect("assessments:detail", pk=pk)


@require_http_methods(["GET", "POST"])
def summarise(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get(request, pk, "assessments.manage")
    instance = Assessment.objects.get(pk=pk)
    form = SummaryForm(request.POST or None, instance=instance)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        stale = _("Someone changed this assessment meanwhile; reload it.")
        with form_refusals(form, conflict=stale) as outcome:
            domain.summarise(
                actor=request_user(request),
                assessment=assessment,
                readiness=data["readiness"],
                strengths=data.get("strengths") or "",
                risks=data.get("risks") or "",
                summary=data.get("summary") or "",
                suggested_kinds=data.get("suggested_kinds") or [],
                expected_version=form.expected_version,
                ip=audit.client_ip(request),
            )
        if outcome.ok:
            messages.success(request, _("Summary saved: the result shows on the achievement."))
            return redirect("assessments:detail", pk=pk)
        status = outcome.status
    context = {**detail_context(request, assessment), "form": form}
    return render(request, "assessments/summary.html", context, status=status)


@require_POST
def reassess(request: HttpRequest, pk: int) -> HttpResponse:
    previous = _get(request, pk, "assessments.manage")
    form = ReassessForm(request.POST)
    if form.is_valid():
        try:
            new = domain.reassess(
                actor=request_user(request),
                previous=previous,
                deadline=form.cleaned_data["deadline"],
                base_url=request.build_absolute_uri("/").rstrip("/"),
                ip=audit.client_ip(request),
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Re-assessment opened as round %(n)d.") % {"n": new.round})
            return redirect("assessments:detail", pk=new.pk)
    else:
        messages.error(request, _("Choose a deadline for the new round."))
    return redirect("assessments:detail", pk=pk)


# -- templates --------------------------------------------------------------------------------


def template_list(request: HttpRequest) -> HttpResponse:
    _manage(request)
    templates = rules.templates_visible_to(request.user).prefetch_related(Prefetch("criteria"))
    return render(request, "assessments/templates.html", {"templates": templates})


def _criteria_initial(template: Template) -> list[dict[str, Any]]:
    return [
        {
            "code": c.code,
            "label_zh": c.label_zh,
            "label_en": c.label_en,
            "description_zh": c.description_zh,
            "description_en": c.description_en,
            "weight": c.weight,
            "scale_min": c.scale_min,
            "scale_max": c.scale_max,
        }
        for c in template.criteria.all()
    ]


@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    template = get_object_or_404(rules.templates_visible_to(request.user), pk=pk)
    instance = Template.objects.get(pk=pk)
    form = TemplateForm(request.POST or None, instance=instance)
    criteria = CriterionFormSet(
        request.POST or None, initial=_criteria_initial(template), prefix="criteria"
    )
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid() and criteria.is_valid():
        rows = [
            f.cleaned_data
            for f in criteria.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        stale = _("Someone changed this template meanwhile; reload it.")
        with form_refusals(form, conflict=stale) as outcome:
            domain.save_template(
                actor=request_user(request),
                template=template,
                name_zh=form.cleaned_data["name_zh"],
                name_en=form.cleaned_data.get("name_en") or "",
                description=form.cleaned_data.get("description") or "",
                criteria=rows,
                expected_version=form.expected_version,
                ip=audit.client_ip(request),
            )
        if outcome.ok:
            messages.success(request, _("Template saved."))
            return redirect("assessments:templates")
        status = outcome.status
    context = {"template_obj": template, "form": form, "criteria": criteria}
    return render(request, "assessments/template_form.html", context, status=status)


@require_POST
def template_copy(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    template = get_object_or_404(rules.templates_visible_to(request.user), pk=pk)
    copy = domain.copy_template(
        actor=request_user(request), template=template, ip=audit.client_ip(request)
    )
    messages.success(request, _("Template copied: edit the copy."))
    return redirect("assessments:template-edit", pk=copy.pk)
