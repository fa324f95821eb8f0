"""Pages of patents: the list (with the next annual fee of each), one patent with its fee
schedule and the payments recorded on it, and the form to add or edit one.

Who sees a patent is rules.patents_visible_to (404 otherwise, so its existence is never
confirmed); what it links to is read through rules.visible_links only; a change asks the
named permission on the patent (403)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi import concurrency, money
from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.errors import add_errors
from luodi.htmx import is_htmx
from luodi.patents import domain, fees, numbers, rules
from luodi.patents.choices import FeeState, LegalStatus, Office
from luodi.patents.forms import DUE, PatentFilter, PatentForm, PaymentForm
from luodi.patents.models import FeePayment, Patent

PER_PAGE = 25
# Badge classes of the shared stylesheet for each state of a year's fee.
BADGE = {
    FeeState.PAID: "ok",
    FeeState.DUE: "warn",
    FeeState.GRACE: "overdue",
    FeeState.MISSED: "overdue",
    FeeState.UPCOMING: "",
}


def _get(request: HttpRequest, pk: int, perm: str = "") -> Patent:
    """A patent the user sees (404 otherwise) and, with `perm`, may do that to (403)."""
    patent = get_object_or_404(
        rules.patents_visible_to(request.user).select_related("fee_payer"), pk=pk
    )
    if perm and not request.user.has_perm(perm, patent):
        raise PermissionDenied
    return patent


@dataclass(frozen=True)
class FeeSummary:
    """Where a patent's annual fees stand today, for a row of the list."""

    next: fees.FeeYear | None
    missed: fees.FeeYear | None  # the year whose grace period ran out (the right lapsed)

    @property
    def badge(self) -> str:
        return BADGE[self.next.state] if self.next else ""


def summary(patent: Patent, today: date) -> FeeSummary:
    rows = patent.fee_schedule(today)
    missed = rows[-1] if rows and rows[-1].state == FeeState.MISSED else None
    return FeeSummary(next=patent.next_fee(today), missed=missed)


# -- the list ---------------------------------------------------------------------------------


def _search(qs: QuerySet[Patent], text: str) -> QuerySet[Patent]:
    for term in text.split():
        number = numbers.normalize(term)
        qs = qs.filter(
            Q(application_number__icontains=term)
            | Q(application_number__icontains=number)
            | Q(grant_number__icontains=term)
            | Q(title_zh__icontains=term)
            | Q(title_en__icontains=term)
        )
    return qs


def patent_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = PatentFilter(request.GET or None)
    qs = rules.patents_visible_to(request.user)
    fee = ""
    if form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            qs = _search(qs, data["q"])
        if data.get("office"):
            qs = qs.filter(office=data["office"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        fee = data.get("fee") or ""
    qs = qs.select_related("fee_payer").prefetch_related("owners", "payments")
    items: list[Patent] | QuerySet[Patent] = qs
    if fee:
        # The schedule is computed, not stored: the fee filter reads every visible patent's,
        # soonest due first.
        wanted = FeeState.DUE if fee == DUE else FeeState.GRACE
        found = [(p, p.next_fee(today)) for p in qs.filter(status=LegalStatus.GRANTED)]
        matching = [(p, row) for p, row in found if row is not None and row.state == wanted]
        items = [p for p, row in sorted(matching, key=lambda pr: (pr[1].due_on, pr[0].pk))]
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for patent in page:
        state = summary(patent, today)
        nxt = state.next
        rows.append(
            {
                "patent": patent,
                "fee": state,
                "amount": money.shown(nxt.fee_fen) if nxt else "",
                "late": money.shown(nxt.late_fee_fen) if nxt and nxt.late_fee_fen else "",
            }
        )
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "can_add": request.user.has_perm("patents.add_patent"),
        "filtered": bool(form.is_valid() and any(form.cleaned_data.values())),
    }
    template = "patents/_rows.html" if is_htmx(request) else "patents/list.html"
    return render(request, template, context)


# -- one patent -------------------------------------------------------------------------------


def no_schedule_reason(patent: Patent) -> str:
    """Why the page shows no fee schedule, in plain words."""
    if patent.office == Office.PCT:
        return _(
            "A PCT application owes no annual fees in its international phase. Record each "
            "national patent it leads to as a patent of its own."
        )
    if patent.office != Office.CNIPA:
        return _(
            "Annual fees are computed only for CNIPA patents: other offices have their own "
            "rules and currencies. Keep their deadlines in the note."
        )
    if patent.status == LegalStatus.PENDING:
        return _("Annual fees start when the patent is granted; none are due while pending.")
    if patent.status in (LegalStatus.WITHDRAWN, LegalStatus.REJECTED):
        return _("A withdrawn or rejected application owes no annual fees.")
    return _("No annual fees to show: check the filing and grant dates.")


def payable(rows: list[fees.FeeYear]) -> list[fees.FeeYear]:
    """The years a payment may still be recorded for: not paid, not missed."""
    return [r for r in rows if r.state in (FeeState.DUE, FeeState.GRACE, FeeState.UPCOMING)]


def fee_context(
    request: HttpRequest,
    patent: Patent,
    *,
    pay_form: PaymentForm | None = None,
    done: str = "",
) -> dict[str, Any]:
    """What the fee section (patents/_fees.html) shows: the schedule, its next unpaid year,
    the payment form for those who may record one."""
    today = timezone.localdate()
    schedule = patent.fee_schedule(today)
    nxt = patent.next_fee(today)
    recorded = {p.year: p for p in FeePayment.objects.filter(patent=patent)}
    can_record = request.user.has_perm("patents.record_fee", patent)
    open_years = payable(schedule)
    if can_record and pay_form is None and open_years:
        pay_form = PaymentForm(payable=open_years)
    rows = [
        {
            "fee": row,
            "full": money.shown(row.full_fen),
            "amount": money.shown(row.fee_fen),
            "late": money.shown(row.late_fee_fen) if row.late_fee_fen else "",
            "badge": BADGE[row.state],
            "is_next": nxt is not None and row.year == nxt.year,
            "payment": recorded.get(row.year),
            "paid": money.shown(recorded[row.year].amount_fen) if row.year in recorded else "",
        }
        for row in schedule
    ]
    return {
        "patent": patent,
        "fee_rows": rows,
        "next_fee": nxt,
        "next_amount": money.shown(nxt.fee_fen + nxt.late_fee_fen) if nxt else "",
        "missed": schedule[-1] if schedule and schedule[-1].state == FeeState.MISSED else None,
        "no_schedule": "" if schedule else no_schedule_reason(patent),
        "can_record": can_record,
        "pay_form": pay_form if can_record else None,
        "pay_failed": pay_form is not None and pay_form.is_bound,
        "done": done,
    }


def _render_detail(
    request: HttpRequest,
    patent: Patent,
    *,
    pay_form: PaymentForm | None = None,
    done: str = "",
    status: int = 200,
    partial: bool = False,
) -> HttpResponse:
    """The whole page, or (`partial`) only its fee section, for htmx posts from it."""
    context = fee_context(request, patent, pay_form=pay_form, done=done)
    if partial:
        return render(request, "patents/_fees.html", context, status=status)
    user = request.user
    context.update(
        {
            "owners": list(patent.owners.order_by("pk")),
            "links": rules.visible_links(user, patent),
            "term_ends": fees.expires_on(patent.kind, patent.filing_date)
            if patent.office == Office.CNIPA
            else None,
            "can_edit": user.has_perm("patents.change_patent", patent),
        }
    )
    return render(request, "patents/detail.html", context, status=status)


def patent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _get(request, pk))


@require_POST
def pay(request: HttpRequest, pk: int) -> HttpResponse:
    patent = _get(request, pk, "patents.record_fee")
    form = PaymentForm(request.POST, payable=payable(patent.fee_schedule()))
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment = domain.record_payment(
                actor=request_user(request),
                patent=patent,
                year=data["year"],
                paid_on=data["paid_on"],
                amount_fen=money.to_fen(data["amount"]),
                late_fee_fen=money.to_fen(data.get("late_fee") or Decimal(0)),
                note=data.get("note") or "",
                ip=audit.client_ip(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            done = _("Annual fee of year %(year)d recorded as paid.") % {"year": payment.year}
            return _after_change(request, patent, done)
    return _render_detail(request, patent, pay_form=form, status=400, partial=is_htmx(request))


@require_POST
def unpay(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    patent = _get(request, pk, "patents.record_fee")
    payment = get_object_or_404(FeePayment, patent=patent, year=year)
    domain.remove_payment(actor=request_user(request), payment=payment, ip=audit.client_ip(request))
    return _after_change(request, patent, _("Payment of year %(year)d removed.") % {"year": year})


def _after_change(request: HttpRequest, patent: Patent, done: str) -> HttpResponse:
    """htmx: the fee section again, saying what was done; otherwise back to the page (a
    reload then does not post twice)."""
    if is_htmx(request):
        return _render_detail(request, patent, done=done, partial=True)
    messages.success(request, done)
    return redirect("patents:detail", pk=patent.pk)


# -- new and edited ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def patent_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("patents.add_patent"):
        raise PermissionDenied
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
def patent_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, _get(request, pk, "patents.change_patent"))


def _edit(request: HttpRequest, patent: Patent | None) -> HttpResponse:
    user = request.user
    # A copy for the form: validating writes the posted values into its instance, and the
    # domain compares against the patent as saved.
    instance = Patent.objects.get(pk=patent.pk) if patent else Patent()
    form = PatentForm(request.POST or None, instance=instance, user=user)
    outcome = concurrency.FormOutcome(status=400 if request.method == "POST" else 200)

    def rebase() -> tuple[PatentForm, Patent]:
        assert patent is not None  # only a saved patent has a version to conflict with
        fresh = Patent.objects.get(pk=patent.pk)
        return PatentForm(instance=fresh, user=user), fresh

    if request.method == "POST" and form.is_valid():
        links = form.links()
        with concurrency.form_refusals(form, rebase=rebase) as outcome:
            saved = domain.save_patent(
                actor=request_user(request),
                patent=patent,
                values=form.values(),
                owners=links["owners"],
                inventors=links["inventors"],
                achievements=links["achievements"],
                agreements=links["agreements"],
                expected_version=form.expected_version,
                ip=audit.client_ip(request),
            )
        if outcome.ok:
            messages.success(request, _("Patent saved."))
            return redirect("patents:detail", pk=saved.pk)
    context = {
        "form": form,
        "patent": patent,
        "conflict": outcome.conflict,
        "heading": _("Edit patent") if patent else _("New patent"),
    }
    return render(request, "patents/form.html", context, status=outcome.status)
