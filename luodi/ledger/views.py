"""Pages of the ledger: one institution's period summary and entries (with filters, the
overdue ones, an export), the form to add or edit an entry, and the actions on one (mark
received, cancel, create the expected entries of an agreement's obligations).

Who sees a ledger is rules.institutions_visible_to / entries_visible_to (404 otherwise, so
an institution's ledger is never confirmed to a viewer or another partner); what an entry
links to is read through rules.visible_links only; a write asks "ledger.keep_ledger" on the
institution (403)."""

from __future__ import annotations

from itertools import zip_longest
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from luodi import concurrency, money
from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.catalog.models import Organization
from luodi.errors import MAX_ID, add_errors
from luodi.ledger import domain, exports, rules
from luodi.ledger.choices import EXPENSE_KINDS, INCOME_KINDS
from luodi.ledger.forms import EntryForm, LedgerFilter, ReceivedForm
from luodi.ledger.models import LedgerEntry
from luodi.ledger.overdue import is_overdue, overdue
from luodi.ledger.summary import Period, Summary, in_period, summarize

PER_PAGE = 50


def _institution(request: HttpRequest, pk: Any, perm: str = "") -> Organization:
    """An institution whose ledger the user sees (404 otherwise) and, with `perm`, keeps."""
    found = rules.institutions_visible_to(request.user).filter(pk=_int(pk)).first()
    if found is None:
        raise Http404
    if perm and not request.user.has_perm(perm, found):
        raise PermissionDenied
    return found


def _entry(request: HttpRequest, pk: int, perm: str = "") -> LedgerEntry:
    entry = get_object_or_404(
        rules.entries_visible_to(request.user).select_related("institution"), pk=pk
    )
    if perm and not request.user.has_perm(perm, entry):
        raise PermissionDenied
    return entry


def _ledger_url(institution: Organization, **params: Any) -> str:
    query = {"institution": institution.pk, **{k: v for k, v in params.items() if v}}
    return f"{reverse('ledger:index')}?{urlencode(query)}"


# -- the ledger page ----------------------------------------------------------------------------


def filtered(request: HttpRequest) -> tuple[LedgerFilter, Organization | None, Period]:
    """The filter form, the institution it names (the first offered when none: a member
    lands on its own ledger) and the period; the page and the export read the same."""
    user = request.user
    form = LedgerFilter(request.GET or None, user=user)
    today = timezone.localdate()
    institution: Organization | None = None
    year, quarter = today.year, None
    if "institution" in request.GET:
        institution = _institution(request, request.GET.get("institution"))
    if form.is_bound and form.is_valid():
        year = form.cleaned_data.get("year") or year
        quarter = form.cleaned_data.get("quarter")
    if institution is None:
        institution = rules.institutions_offered(user).first()
    if institution is not None:
        # Staff may open any organization's ledger by its id, beyond those the picker lists.
        form.offer(institution)
        form.set_agreements(rules.agreements_of(user, institution))
        if form.is_bound:
            form.full_clean()  # again, now that the agreements of the institution are offered
    return form, institution, Period(year, quarter)


def entries_of(
    request: HttpRequest, form: LedgerFilter, institution: Organization, period: Period
) -> QuerySet[LedgerEntry]:
    """The entries the filters name: of the institution, counted in the period (received,
    or else expected, then), of the direction, kind, status and agreement chosen; overdue
    ones regardless of the period (they are late whenever they were due)."""
    qs = rules.entries_visible_to(request.user).filter(institution=institution)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = overdue(qs) if data.get("overdue") else in_period(qs, period)
    for name in ("direction", "kind", "status"):
        if data.get(name):
            qs = qs.filter(**{name: data[name]})
    if data.get("agreement"):
        qs = qs.filter(agreement=data["agreement"])
    return qs.select_related("overdue_task").order_by("-received_on", "-expected_on", "-pk")


def summary_rows(summary: Summary) -> dict[str, Any]:
    """The summary table as the template and the export read it (amounts shown in yuan)."""
    income = [(k.value, k.label, money.shown(summary.income[k])) for k in INCOME_KINDS]
    expenses = [(k.value, k.label, money.shown(summary.expenses[k])) for k in EXPENSE_KINDS]
    return {
        # Side by side: income kinds on the left, expense kinds on the right.
        "pairs": [(*i, *e) for i, e in zip_longest(income, expenses, fillvalue=("", "", ""))],
        "income_total": money.shown(summary.income_fen),
        "expense_total": money.shown(summary.expense_fen),
        "net": money.shown(summary.net_fen),
        "net_negative": summary.net_fen < 0,
        "expected_income": money.shown(summary.expected_income_fen),
        "expected_expense": money.shown(summary.expected_expense_fen),
    }


def rows_of(request: HttpRequest, entries: list[LedgerEntry]) -> list[dict[str, Any]]:
    links = rules.visible_links(request.user, entries)
    today = timezone.localdate()
    return [
        {
            "entry": e,
            "links": links[e.pk],
            "amount": money.shown(e.amount_fen),
            "valuation": money.shown(e.valuation_fen),
            "overdue": is_overdue(e, today),
        }
        for e in entries
    ]


@require_safe
def ledger_index(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not rules.institutions_visible_to(user).exists():
        raise Http404  # viewers, and partners of no organization: no ledger to confirm
    form, institution, period = filtered(request)
    context: dict[str, Any] = {"form": form, "institution": institution, "period": period}
    if institution is not None:
        qs = entries_of(request, form, institution, period)
        page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
        mine = rules.entries_visible_to(user).filter(institution=institution)
        chosen = form.cleaned_data.get("agreement") if form.is_bound and form.is_valid() else None
        context.update(
            {
                "page": page,
                "rows": rows_of(request, list(page)),
                "summary": summary_rows(summarize(mine, period)),
                "overdue_count": overdue(mine).count(),
                "can_keep": user.has_perm("ledger.keep_ledger", institution),
                "agreement": chosen,
                "received_form": ReceivedForm(initial={"received_on": timezone.localdate()}),
                "export_query": request.GET.urlencode(),
            }
        )
    return render(request, "ledger/index.html", context)


@require_safe
def ledger_export(request: HttpRequest) -> HttpResponse:
    if not rules.institutions_visible_to(request.user).exists():
        raise Http404
    form, institution, period = filtered(request)
    if institution is None:
        raise Http404
    entries = list(entries_of(request, form, institution, period))
    mine = rules.entries_visible_to(request.user).filter(institution=institution)
    summary = summarize(mine, period)
    audit.record(
        actor=request_user(request),
        verb="ledger.export",
        target=institution,
        changes={"period": period.label, "entries": len(entries)},
        ip=audit.client_ip(request),
    )
    return exports.download(request.user, institution, period, entries, summary)


# -- one entry ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def entry_create(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    pk: Any = source.get("institution")
    if pk is None:  # /ledger/new/ typed or bookmarked: the ledger the page would open first
        first = rules.institutions_offered(request.user).first()
        pk = first.pk if first is not None else None
    institution = _institution(request, pk, "ledger.keep_ledger")
    return _edit(request, institution, None)


@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk, "ledger.keep_ledger")
    return _edit(request, entry.institution, entry)


def _edit(
    request: HttpRequest, institution: Organization, entry: LedgerEntry | None
) -> HttpResponse:
    user = request.user
    # A copy for the form: validating writes the posted values into its instance, and the
    # domain compares against the entry as saved.
    instance = LedgerEntry.objects.get(pk=entry.pk) if entry else LedgerEntry()
    data = request.POST if request.method == "POST" else None
    form = EntryForm(data, instance=instance, user=user, institution=institution)
    outcome = concurrency.FormOutcome(status=400 if request.method == "POST" else 200)

    def rebase() -> tuple[EntryForm, LedgerEntry]:
        assert entry is not None  # only a saved entry has a version to conflict with
        fresh = LedgerEntry.objects.get(pk=entry.pk)
        return EntryForm(instance=fresh, user=user, institution=institution), fresh

    if request.method == "POST" and form.is_valid():
        with concurrency.form_refusals(form, rebase=rebase) as outcome:
            saved = domain.save_entry(
                actor=request_user(request),
                entry=entry,
                values=form.values(),
                expected_version=form.expected_version,
                ip=audit.client_ip(request),
            )
        if outcome.ok:
            messages.success(request, _("Entry saved."))
            year = (saved.day or timezone.localdate()).year
            return redirect(_ledger_url(institution, year=year))
    context = {
        "form": form,
        "entry": entry,
        "institution": institution,
        "conflict": outcome.conflict,
        "heading": _("Edit ledger entry") if entry else _("New ledger entry"),
    }
    return render(request, "ledger/form.html", context, status=outcome.status)


@require_POST
def entry_received(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk, "ledger.keep_ledger")
    form = ReceivedForm(request.POST)
    if form.is_valid():
        try:
            domain.mark_received(
                actor=request_user(request),
                entry=entry,
                received_on=form.cleaned_data.get("received_on"),
                amount_fen=form.amount_fen(),
                ip=audit.client_ip(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Entry marked received."))
            return redirect(_ledger_url(entry.institution, year=entry.received_on.year))  # type: ignore[union-attr]
    context = {"form": form, "entry": entry, "institution": entry.institution}
    return render(request, "ledger/received.html", context, status=400)


@require_POST
def entry_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk, "ledger.keep_ledger")
    try:
        domain.cancel(actor=request_user(request), entry=entry, ip=audit.client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Entry cancelled."))
    return redirect(_ledger_url(entry.institution))


@require_POST
def from_obligations(request: HttpRequest) -> HttpResponse:
    institution = _institution(request, request.POST.get("institution"), "ledger.keep_ledger")
    agreement = rules.agreements_of(request.user, institution).filter(
        pk=_int(request.POST.get("agreement"))
    )
    found = agreement.first()
    if found is None:
        raise Http404
    try:
        made = domain.entries_from_obligations(
            actor=request_user(request),
            agreement=found,
            institution=institution,
            ip=audit.client_ip(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(n)d expected entries created from the agreement's obligations.")
            % {"n": len(made)},
        )
    return redirect(_ledger_url(institution, agreement=found.pk))


def _int(value: Any) -> int:
    """An id sent in a form or a query; 0 (no record) for anything else, so a garbled or
    huge one is a 404, never an error of the database."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number <= MAX_ID else 0
