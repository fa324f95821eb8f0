"""Pages of reward distributions: the list (filters institution, year, state; htmx swaps the
rows), one distribution (its split, history and the action of its state), computing a split
from a received income entry, and the payroll export.

Who sees is rules.distributions_visible_to / institutions_visible_to (404 otherwise, so a
viewer or another partner never learns a distribution exists); what an income links to is
read through rules.visible_links only; every write asks "rewards.keep_rewards" (403)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from luodi import money
from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.catalog.models import Organization
from luodi.concurrency import CONFLICT_MESSAGE, Conflict
from luodi.errors import MAX_ID, add_errors
from luodi.htmx import is_htmx
from luodi.ledger.models import LedgerEntry
from luodi.rewards import domain, exports, rules
from luodi.rewards.choices import DistributionState
from luodi.rewards.forms import (
    ApproveForm,
    ComputeForm,
    DistributionFilter,
    FinalizeForm,
    NoticeForm,
    ObjectionForm,
    PaidForm,
    PayrollForm,
    Versioned,
)
from luodi.rewards.models import RewardDistribution
from luodi.rewards.policies import policy_in_force

PER_PAGE = 50
PERM = "rewards.keep_rewards"
State = DistributionState


def as_int(value: Any) -> int:
    """An id from a query or form; 0 (no record) for anything else."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number <= MAX_ID else 0


def kept(request: HttpRequest, obj: Model) -> None:
    if not request.user.has_perm(PERM, obj):
        raise PermissionDenied


def institution_for(request: HttpRequest, pk: Any) -> Organization:
    found = rules.institutions_visible_to(request.user).filter(pk=as_int(pk)).first()
    if found is None:
        raise Http404
    kept(request, found)
    return found


def _distribution(request: HttpRequest, pk: int) -> RewardDistribution:
    qs = rules.distributions_visible_to(request.user).select_related(
        "entry", "institution", "policy", "approved_by"
    )
    found = get_object_or_404(qs, pk=pk)
    kept(request, found)
    return found


# -- the list -----------------------------------------------------------------------------------


@require_safe
def distribution_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not rules.institutions_visible_to(user).exists():
        raise Http404
    form = DistributionFilter(request.GET or None, user=user)
    qs = rules.distributions_visible_to(user).select_related("entry", "institution")
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if data.get("institution"):
        qs = qs.filter(institution=data["institution"])
    if data.get("year"):
        qs = qs.filter(entry__received_on__year=data["year"])
    if data.get("state"):
        qs = qs.filter(state=data["state"])
    page = Paginator(qs.order_by("-entry__received_on", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    items = list(page)
    links = rules.visible_links(user, [d.entry for d in items])
    rows = [{"d": d, "links": links[d.entry_id], "base": money.shown(d.base_fen)} for d in items]
    institution = data.get("institution")
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "institution": institution,
        "filtered": any(data.values()),
    }
    template = "rewards/_rows.html" if is_htmx(request) else "rewards/list.html"
    return render(request, template, context)


# -- one distribution ---------------------------------------------------------------------------


def _forms_for(d: RewardDistribution) -> dict[str, Versioned]:
    """The action forms of the distribution's state, carrying its version."""
    version = {"version": d.version}
    today = timezone.localdate()
    if d.state == State.DRAFT:
        return {"approve": ApproveForm(initial=version)}
    if d.state == State.APPROVED:
        start = today
        return {
            "notice": NoticeForm(
                initial={
                    **version,
                    "notice_starts_on": start,
                    "notice_ends_on": domain.notice_end(start, d.policy.notice_days),
                }
            )
        }
    if d.state == State.ON_NOTICE:
        return {
            "objection": ObjectionForm(initial=version),
            "finalize": FinalizeForm(initial=version),
        }
    if d.state == State.FINAL:
        return {"paid": PaidForm(initial={**version, "paid_on": today})}
    return {}


def compute_form(d: RewardDistribution, data: Any = None) -> ComputeForm:
    entry = d.entry
    offered = domain.suggested_expenses(entry) | LedgerEntry.objects.filter(
        reward_deduction__distribution=d
    )
    chosen = list(d.deductions.values_list("entry_id", flat=True))
    return ComputeForm(
        data,
        offered=offered.distinct().order_by("received_on", "pk"),
        initial={
            "version": d.version,
            "expenses": chosen,
            "deducted": money.to_yuan(d.deducted_fen),
            "deduction_note": d.deduction_note,
        },
    )


def render_detail(
    request: HttpRequest,
    d: RewardDistribution,
    bound: dict[str, forms.BaseForm] | None = None,
    status: int = 200,
    conflict: bool = False,
) -> HttpResponse:
    links = rules.visible_links(request.user, [d.entry])[d.entry_id]
    lines = list(d.lines.select_related("person"))
    action_forms: dict[str, Any] = {**_forms_for(d), **(bound or {})}
    if d.state == State.DRAFT and "compute" not in action_forms:
        action_forms["compute"] = compute_form(d)
    in_force = (
        policy_in_force(d.institution_id, d.entry.received_on) if d.entry.received_on else None
    )
    context = {
        "d": d,
        "entry": d.entry,
        "links": links,
        "lines": [
            {
                "line": line,
                "amount": money.shown(line.amount_fen),
                "percent": line.share_ppm / 10_000,
            }
            for line in lines
        ],
        "total": money.shown(sum(line.amount_fen for line in lines)),
        "gross": money.shown(d.gross_fen),
        "deducted": money.shown(d.deducted_fen),
        "base": money.shown(d.base_fen),
        "valuation": money.shown(d.entry.valuation_fen),
        "forms": action_forms,
        "events": list(d.events.select_related("actor")),
        "deductions": list(d.deductions.select_related("entry")),
        "policy_changed": in_force is not None and in_force.pk != d.policy_id,
        "conflict": conflict,
        "today": timezone.localdate(),
    }
    return render(request, "rewards/detail.html", context, status=status)


@require_safe
def distribution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, _distribution(request, pk))


ACTIONS: dict[str, type[Versioned]] = {
    "approve": ApproveForm,
    "notice": NoticeForm,
    "objection": ObjectionForm,
    "finalize": FinalizeForm,
    "paid": PaidForm,
}
DONE = {
    "approve": _("Approved."),
    "notice": _("Published for public notice."),
    "objection": _("Objection recorded; the split is a draft again."),
    "finalize": _("The split is final."),
    "paid": _("Marked paid."),
    "compute": _("Computed again."),
}


def _act(name: str, request: HttpRequest, d: RewardDistribution, form: forms.Form) -> None:
    data, actor, ip = form.cleaned_data, request_user(request), audit.client_ip(request)
    common: dict[str, Any] = {
        "actor": actor,
        "distribution": d,
        "expected_version": data.get("version"),
        "ip": ip,
    }
    if name == "approve":
        domain.approve(
            **common,
            body=data.get("approval_body") or "",
            reference=data.get("approval_reference") or "",
        )
    elif name == "notice":
        domain.start_notice(
            **common,
            starts_on=data.get("notice_starts_on"),
            ends_on=data.get("notice_ends_on"),
            where=data.get("notice_where") or "",
        )
    elif name == "objection":
        domain.record_objection(**common, text=data.get("objection") or "")
    elif name == "finalize":
        domain.finalize(**common)
    elif name == "paid":
        domain.mark_paid(**common, paid_on=data.get("paid_on"))
    else:
        assert isinstance(form, ComputeForm)
        domain.recompute(
            **common,
            expenses=list(data.get("expenses") or []),
            deducted_fen=form.deducted_fen(),
            deduction_note=data.get("deduction_note") or "",
        )


@require_POST
def distribution_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    d = _distribution(request, pk)
    if action == "compute":
        form: forms.Form = compute_form(d, request.POST)
    elif action in ACTIONS:
        form = ACTIONS[action](request.POST)
    else:
        raise Http404
    if form.is_valid():
        try:
            _act(action, request, d, form)
        except Conflict:
            form.add_error(None, str(CONFLICT_MESSAGE))
            fresh = _distribution(request, pk)
            return render_detail(request, fresh, status=409, conflict=True)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, DONE[action])
            return redirect("rewards:detail", pk=d.pk)
    fresh = _distribution(request, pk)
    return render_detail(request, fresh, bound={action: form}, status=400)


# -- computing a split --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def from_entry(request: HttpRequest, entry_pk: int) -> HttpResponse:
    """Compute the reward split of a received income entry (or open the one made)."""
    qs = rules.entries_kept_by(request.user).select_related("institution", "achievement")
    entry = get_object_or_404(qs, pk=entry_pk)
    kept(request, entry)
    made = RewardDistribution.objects.filter(entry=entry).first()
    if made is not None:
        return redirect("rewards:detail", pk=made.pk)
    offered = domain.suggested_expenses(entry)
    data = request.POST if request.method == "POST" else None
    form = ComputeForm(
        data,
        offered=offered,
        initial={"expenses": list(offered.values_list("pk", flat=True))},
    )
    status = 400 if data is not None else 200
    if data is not None and form.is_valid():
        try:
            d = domain.create_distribution(
                actor=request_user(request),
                entry=entry,
                expenses=list(form.cleaned_data.get("expenses") or []),
                deducted_fen=form.deducted_fen(),
                deduction_note=form.cleaned_data.get("deduction_note") or "",
                ip=audit.client_ip(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Reward split computed (a draft)."))
            return redirect("rewards:detail", pk=d.pk)
    links = rules.visible_links(request.user, [entry])[entry.pk]
    received = entry.received_on
    context = {
        "entry": entry,
        "links": links,
        "form": form,
        "amount": money.shown(entry.amount_fen),
        "valuation": money.shown(entry.valuation_fen),
        "policy": policy_in_force(entry.institution_id, received) if received else None,
        "receivable": entry.direction == "income" and entry.status == "received",
    }
    return render(request, "rewards/compute.html", context, status=status)


# -- payroll ------------------------------------------------------------------------------------


@require_safe
def payroll(request: HttpRequest) -> HttpResponse:
    """The payroll period form; with a valid period, the .xlsx file."""
    if not rules.institutions_visible_to(request.user).exists():
        raise Http404
    form = PayrollForm(request.GET or None, user=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        institution = institution_for(request, data["institution"].pk)
        audit.record(
            actor=request_user(request),
            verb="rewards.payroll_export",
            target=institution,
            changes={"start": str(data["start"]), "end": str(data["end"])},
            ip=audit.client_ip(request),
        )
        return exports.download(
            request.user, institution, data["start"], data["end"], data["unpaid_only"]
        )
    status = 400 if form.is_bound else 200
    return render(request, "rewards/payroll.html", {"form": form}, status=status)
