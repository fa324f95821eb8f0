"""Registration options for organisers: the event's categories and questions (added, edited,
removed and reordered in place with htmx; every action also works as a plain form post),
its personal-information notice, and "fee received" on the registrations page. What the
registrations page and its exports show of each registration's personal data is asked of
`rules.registration_personal_data_open`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from luodi import concurrency, money
from luodi.concurrency import Conflict
from luodi.engagements import rules
from luodi.engagements.domain import registration_options as domain
from luodi.engagements.models import (
    Event,
    QuestionKind,
    Registration,
    RegistrationAnswer,
    RegistrationCategory,
    RegistrationQuestion,
)
from luodi.engagements.registration_forms import CategoryForm, NoticeForm, QuestionForm
from luodi.engagements.views.common import actor, confirm_page, confirmed, ip, require, visible
from luodi.htmx import is_htmx


@dataclass(frozen=True)
class Kind:
    """Categories or questions: one set of views serves both."""

    slug: str
    model: type[RegistrationCategory] | type[RegistrationQuestion]
    form: type[CategoryForm] | type[QuestionForm]


KINDS = {
    "categories": Kind("categories", RegistrationCategory, CategoryForm),
    "questions": Kind("questions", RegistrationQuestion, QuestionForm),
}


def _kind(slug: str) -> Kind:
    if slug not in KINDS:
        raise Http404
    return KINDS[slug]


def _event(request: HttpRequest, pk: int) -> Event:
    event = visible(
        rules.events_visible_to(request.user)
        .select_related("organizer")
        .prefetch_related("co_organizers"),
        pk,
    )
    require(request, "engagements.manage_registration_options", event)
    return event


def _url(event: Event, anchor: str = "") -> str:
    url = reverse("engagements:registration-options", args=[event.pk])
    return f"{url}#{anchor}" if anchor else url


def _items(event: Event, kind: Kind) -> list[Any]:
    qs = kind.model.objects.filter(event=event).order_by("position", "id")
    if kind.model is RegistrationCategory:
        qs = qs.annotate(used=Count("registrations"))
    return list(qs)


def _section(
    request: HttpRequest,
    event: Event,
    kind: Kind,
    *,
    add_form: Any = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The categories' or questions' section (what htmx swaps)."""
    return render(
        request,
        f"engagements/registration_options/_{kind.slug}.html",
        {
            "event": event,
            "items": _items(event, kind),
            "add_form": add_form or kind.form(),
            "error": error,
        },
        status=status,
    )


def _page(request: HttpRequest, event: Event, status: int = 200, **forms: Any) -> HttpResponse:
    custom = bool(event.privacy_notice_zh or event.privacy_notice_en)
    return render(
        request,
        "engagements/registration_options/page.html",
        {
            "event": event,
            "categories": _items(event, KINDS["categories"]),
            "questions": _items(event, KINDS["questions"]),
            "category_form": forms.get("categories") or CategoryForm(),
            "question_form": forms.get("questions") or QuestionForm(),
            "notice_form": forms.get("notice") or NoticeForm(instance=event),
            "notice": domain.notice(event),
            "standard": domain.notice(event, standard=True) if custom else None,
            "category_error": forms.get("category_error", ""),
        },
        status=status,
    )


def options_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _event(request, pk))


@require_POST
def item_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    event, k = _event(request, pk), _kind(kind)
    form = k.form(request.POST)
    if form.is_valid():
        domain.add(
            actor=actor(request), event=event, model=k.model, values=form.values(), ip=ip(request)
        )
        if is_htmx(request):
            return _section(request, event, k)
        messages.success(request, _("Saved."))
        return redirect(_url(event, k.slug))
    if is_htmx(request):
        return _section(request, event, k, add_form=form, status=400)
    return _page(request, event, status=400, **{k.slug: form})


def _item(event: Event, k: Kind, item_pk: int) -> Any:
    return get_object_or_404(k.model.objects.filter(event=event), pk=item_pk)


@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    event, k = _event(request, pk), _kind(kind)
    item = _item(event, k, item_pk)
    form = k.form(request.POST or None, instance=item)
    status = 200
    context: dict[str, Any] = {"event": event, "kind": k.slug, "item": item, "form": form}
    if request.method == "POST":
        if form.is_valid():
            try:
                domain.update(
                    actor=actor(request),
                    item=item,
                    values=form.values(),
                    expected_version=form.expected_version,
                    ip=ip(request),
                )
            except Conflict as exc:
                fresh = _item(event, k, item_pk)
                context["conflict"] = concurrency.refuse(form, k.form(instance=fresh), exc, fresh)
                status = 400 if is_htmx(request) else 409  # htmx swaps 400, not 409
            else:
                if is_htmx(request):
                    # The form aimed at its row; the saved list replaces the whole section.
                    response = _section(request, event, k)
                    response["HX-Retarget"] = f"#{k.slug}"
                    response["HX-Reswap"] = "outerHTML"
                    return response
                messages.success(request, _("Saved."))
                return redirect(_url(event, k.slug))
        else:
            status = 400
    if is_htmx(request):
        return render(
            request, "engagements/registration_options/_edit_row.html", context, status=status
        )
    return render(request, "engagements/registration_options/edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
def item_remove(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    event, k = _event(request, pk), _kind(kind)
    item = _item(event, k, item_pk)
    if k.model is RegistrationCategory:
        question = _("Remove the category “%(name)s”?") % {"name": item}
        detail = _("A category someone registered in cannot be removed.")
    else:
        question = _("Remove the question “%(name)s”?") % {"name": item}
        detail = _("The answers given to it are removed with it.")
    if not confirmed(request):
        if is_htmx(request):
            return render(
                request,
                "engagements/registration_options/_confirm_row.html",
                {"event": event, "kind": k.slug, "item": item, "question": question},
            )
        return confirm_page(
            request, question=question, detail=detail, button=_("Remove"), back=_url(event, k.slug)
        )
    try:
        domain.remove(actor=actor(request), item=item, ip=ip(request))
    except domain.CategoryInUse:
        n = item.registrations.count()
        error = ngettext(
            "“%(name)s” cannot be removed: %(n)d registration has this category. Rename it "
            "or set its places to stop new registrations instead.",
            "“%(name)s” cannot be removed: %(n)d registrations have this category. Rename it "
            "or set its places to stop new registrations instead.",
            n,
        ) % {"name": item, "n": n}
        if is_htmx(request):
            return _section(request, event, k, error=error, status=400)
        messages.error(request, error)
        return redirect(_url(event, k.slug))
    if is_htmx(request):
        return _section(request, event, k)
    return redirect(_url(event, k.slug))


@require_POST
def item_move(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    event, k = _event(request, pk), _kind(kind)
    item = _item(event, k, item_pk)
    domain.move(actor=actor(request), item=item, up=request.POST.get("dir") == "up", ip=ip(request))
    if is_htmx(request):
        return _section(request, event, k)
    return redirect(_url(event, k.slug))


@require_POST
def notice_save(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = NoticeForm(request.POST, instance=Event.objects.get(pk=event.pk))
    if not form.is_valid():
        return _page(request, event, status=400, notice=form)
    try:
        domain.set_notice(
            actor=actor(request),
            event=event,
            text_zh=form.cleaned_data["privacy_notice_zh"],
            text_en=form.cleaned_data["privacy_notice_en"],
            expected_version=form.expected_version,
            ip=ip(request),
        )
    except Conflict as exc:
        fresh = Event.objects.get(pk=event.pk)
        concurrency.refuse(form, NoticeForm(instance=fresh), exc, fresh)
        return _page(request, fresh, status=409, notice=form)
    messages.success(request, _("Saved."))
    return redirect(_url(event, "notice"))


# -- the registrations page's part ------------------------------------------------------------


def registrations_for_page(event: Event, regs: Any) -> Any:
    return domain.with_options(regs)


@dataclass(frozen=True)
class Shown:
    """A registration as one user may see it: personal data empty unless open to them."""

    reg: Registration
    open: bool

    @property
    def invoice_title(self) -> str:
        return self.reg.invoice_title if self.open else ""

    @property
    def tax_id(self) -> str:
        return self.reg.tax_id if self.open else ""

    @property
    def consent_at(self) -> Any:
        return self.reg.consent_at if self.open else None

    @property
    def answers(self) -> list[tuple[str, str]]:
        if not self.open:
            return []
        return [(a.question.label, answer_text(a)) for a in self.reg.answers.all()]


def answer_text(answer: RegistrationAnswer) -> str:
    if answer.question.kind == QuestionKind.YES_NO:
        return _("yes") if answer.value == "yes" else _("no")
    return answer.value


def shown(request: HttpRequest, event: Event, regs: Any) -> list[Shown]:
    is_open = rules.registration_personal_data_open(request.user, event)
    return [Shown(r, is_open) for r in regs]


def export_columns(
    request: HttpRequest, event: Event, regs: list[Registration]
) -> tuple[list[str], list[list[Any]]]:
    """The columns the attendee export adds: category, fee, fee received, and — for those
    the personal-data rule lets see them — invoice details, consent and one column per
    question."""
    is_open = rules.registration_personal_data_open(request.user, event)
    header = [_("category"), _("fee (yuan)"), _("fee received")]
    questions = list(event.registration_questions.order_by("position", "id")) if is_open else []
    if is_open:
        header += [_("invoice title (发票抬头)"), _("taxpayer ID (税号)")]
        header += [_("consent given"), _("consent text version")]
        header += [q.label for q in questions]
    rows = []
    for r in regs:
        row: list[Any] = [
            r.category.name if r.category else "",
            money.to_yuan(r.fee_fen),
            _when(r.paid_at),
        ]
        if is_open:
            by_question = {a.question_id: answer_text(a) for a in r.answers.all()}
            row += [r.invoice_title, r.tax_id, _when(r.consent_at), r.consent_version]
            row += [by_question.get(q.pk, "") for q in questions]
        rows.append(row)
    return header, rows


def _when(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@require_POST
def fee_received(request: HttpRequest, pk: int, reg_pk: int) -> HttpResponse:
    """Mark a registration's fee received (received=1) or not (received=0); repeating it
    changes nothing."""
    event = _event(request, pk)
    require(request, "engagements.manage_registrations", event)
    regs = rules.registrations_visible_to(request.user).filter(event=event)
    reg = get_object_or_404(registrations_for_page(event, regs), pk=reg_pk)
    received = request.POST.get("received", "1") != "0"
    domain.set_fee_received(
        actor=actor(request), registration=reg, received=received, ip=ip(request)
    )
    if is_htmx(request):
        return render(
            request,
            "engagements/registration_options/_fee.html",
            {"event": event, "r": shown(request, event, [reg])[0]},
        )
    return redirect(reverse("engagements:registrations", args=[event.pk]) + f"#reg-{reg.pk}")
