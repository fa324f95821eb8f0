"""Pages of surveys: the organisers' survey page (settings, questions, send, close), its
results and XLSX export, and the attendee's answer page (public, a signed private link).

A survey the user may not manage is a 404 (rules.surveys_visible_to); plain form posts and
redirects throughout, so every page works without scripts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from luodi import sheets
from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.concurrency import CONFLICT_MESSAGE, Conflict, form_refusals
from luodi.engagements.rules import events_visible_to
from luodi.errors import add_errors
from luodi.surveys import domain, results, rules, tokens
from luodi.surveys.forms import AnswerForm, QuestionForm, SurveyForm
from luodi.surveys.models import Invitation, Question, Response, Survey


def _survey(request: HttpRequest, pk: int) -> Survey:
    return get_object_or_404(rules.surveys_visible_to(request.user).select_related("event"), pk=pk)


def _question(request: HttpRequest, pk: int, qpk: int) -> Question:
    survey = _survey(request, pk)
    question = get_object_or_404(Question, survey=survey, pk=qpk)
    question.survey = survey
    return question


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _page(
    request: HttpRequest,
    survey: Survey,
    *,
    status: int = 200,
    settings_form: SurveyForm | None = None,
    new_form: QuestionForm | None = None,
    edited: QuestionForm | None = None,
    edited_pk: int | None = None,
    error: str = "",
) -> HttpResponse:
    questions = list(survey.questions.all())
    forms = [
        (
            q,
            edited
            if q.pk == edited_pk and edited is not None
            else QuestionForm.of(q, survey.version),
        )
        for q in questions
    ]
    local_close = timezone.localtime(survey.closes_at) if survey.closes_at else None
    context = {
        "survey": survey,
        "event": survey.event,
        "questions": forms,
        "settings_form": settings_form
        or SurveyForm(
            initial={
                "intro_zh": survey.intro_zh,
                "intro_en": survey.intro_en,
                "closes_at": local_close,
                "version": survey.version,
            }
        ),
        "new_form": new_form or QuestionForm(initial={"version": survey.version}, prefix="new"),
        "ended": survey.event.ends_at <= timezone.now(),
        "stats": results.results(survey),
        "error": error,
    }
    return render(request, "surveys/survey.html", context, status=status)


@require_http_methods(["GET", "POST"])
def for_event(request: HttpRequest, event_pk: int) -> HttpResponse:
    """The event's survey, or (organisers) the page that creates it."""
    event = get_object_or_404(events_visible_to(request.user), pk=event_pk)
    survey = rules.surveys_visible_to(request.user).filter(event=event).first()
    if survey is not None:
        return redirect("surveys:survey", survey.pk)
    if not request.user.has_perm("surveys.manage_survey", event):
        raise Http404
    if request.method == "POST":
        try:
            survey = domain.create_survey(
                actor=request_user(request), event=event, ip=audit.client_ip(request)
            )
        except ValidationError:
            return redirect("surveys:for-event", event.pk)  # created meanwhile: show it
        return redirect("surveys:survey", survey.pk)
    return render(request, "surveys/create.html", {"event": event})


@require_safe
def survey_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _survey(request, pk))


@require_POST
def edit_settings(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    form = SurveyForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        with form_refusals(form) as outcome:
            domain.update_survey(
                actor=request_user(request),
                survey=survey,
                intro_zh=d["intro_zh"],
                intro_en=d["intro_en"],
                closes_at=d["closes_at"],
                expected_version=d["version"],
                ip=audit.client_ip(request),
            )
        if outcome.ok:
            return redirect("surveys:survey", survey.pk)
    survey.refresh_from_db()
    return _page(request, survey, status=400, settings_form=form)


def _question_write(
    request: HttpRequest, survey: Survey, question: Question | None
) -> HttpResponse:
    prefix = f"q{question.pk}" if question else "new"
    form = QuestionForm(request.POST, prefix=prefix)
    if form.is_valid():
        d = form.cleaned_data
        values = {
            k: d[k]
            for k in ("kind", "label_zh", "label_en", "choices_zh", "choices_en", "required")
        }
        try:
            with form_refusals(form) as outcome:
                if question is None:
                    domain.add_question(
                        actor=request_user(request),
                        survey=survey,
                        expected_version=d["version"],
                        ip=audit.client_ip(request),
                        **values,
                    )
                else:
                    domain.update_question(
                        actor=request_user(request),
                        question=question,
                        expected_version=d["version"],
                        ip=audit.client_ip(request),
                        **values,
                    )
        except domain.Locked:
            form.add_error(None, _("The survey was sent: its questions can no longer change."))
        else:
            if outcome.ok:
                return redirect("surveys:survey", survey.pk)
    survey.refresh_from_db()
    if question is None:
        return _page(request, survey, status=400, new_form=form)
    return _page(request, survey, status=400, edited=form, edited_pk=question.pk)


@require_POST
def add_question(request: HttpRequest, pk: int) -> HttpResponse:
    return _question_write(request, _survey(request, pk), None)


@require_POST
def edit_question(request: HttpRequest, pk: int, qpk: int) -> HttpResponse:
    question = _question(request, pk, qpk)
    return _question_write(request, question.survey, question)


@require_POST
def change_question(request: HttpRequest, pk: int, qpk: int) -> HttpResponse:
    """Move up or down, or delete (the buttons of a question's row)."""
    question = _question(request, pk, qpk)
    survey = question.survey
    version = request.POST.get("version", "")
    expected = int(version) if version.isdigit() else None
    action = request.POST.get("action", "")
    try:
        if action == "delete":
            domain.delete_question(
                actor=request_user(request),
                question=question,
                expected_version=expected,
                ip=audit.client_ip(request),
            )
        elif action in ("up", "down"):
            domain.move_question(
                actor=request_user(request),
                question=question,
                up=action == "up",
                expected_version=expected,
                ip=audit.client_ip(request),
            )
        else:
            raise Http404
    except Conflict:
        survey.refresh_from_db()
        return _page(request, survey, status=409, error=str(CONFLICT_MESSAGE))
    except domain.Locked:
        return _page(
            request,
            survey,
            status=409,
            error=_("The survey was sent: its questions can no longer change."),
        )
    return redirect("surveys:survey", survey.pk)


@require_POST
def send(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    try:
        waiting = domain.send(
            actor=request_user(request),
            survey=survey,
            base_url=_base(request),
            ip=audit.client_ip(request),
        )
    except domain.Closed:
        return _page(request, survey, status=409, error=_("The survey is closed."))
    except ValidationError as exc:
        return _page(request, survey, status=400, error=" ".join(exc.messages))
    messages.success(
        request,
        _("Sent to %(n)s attendees who had not received it yet.") % {"n": waiting},
    )
    return redirect("surveys:survey", survey.pk)


@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    domain.close(actor=request_user(request), survey=survey, ip=audit.client_ip(request))
    return redirect("surveys:survey", survey.pk)


@require_safe
def results_page(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    return render(
        request,
        "surveys/results.html",
        {"survey": survey, "event": survey.event, "res": results.results(survey)},
    )


@require_safe
def export(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    return sheets.download("xlsx", f"survey-{survey.event_id}", results.export_sheets(survey))


# -- the attendee's page ------------------------------------------------------------------


def _invitation(token: str) -> Invitation:
    pk = tokens.read(token)
    if pk is None:
        raise Http404
    return get_object_or_404(
        Invitation.objects.select_related("survey__event", "registration"), pk=pk
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    survey = invitation.survey
    questions = list(survey.questions.all())
    previous = Response.objects.filter(invitation=invitation).prefetch_related("answers").first()
    initial = (
        {domain.field_name(a.question_id): a.value for a in previous.answers.all()}
        if previous is not None
        else {}
    )
    form = AnswerForm(request.POST or None, initial=initial, questions=questions)
    context: dict[str, Any] = {
        "survey": survey,
        "event": survey.event,
        "form": form,
        "open": survey.is_open(),
        "answered": previous is not None,
        "saved": request.GET.get("saved") == "1",
    }
    if request.method != "POST":
        return render(request, "surveys/public/answer.html", context)
    if not survey.is_open():
        return render(request, "surveys/public/answer.html", context, status=409)
    if form.is_valid():
        try:
            domain.submit(
                invitation=invitation, values=form.cleaned_data, language=get_language() or ""
            )
        except domain.Closed:
            context["open"] = False
            return render(request, "surveys/public/answer.html", context, status=409)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect(tokens.answer_path(invitation.pk) + "?saved=1")
    return render(request, "surveys/public/answer.html", context, status=400)
