"""The "Contract registration" section of an agreement's page (技术合同认定登记): read by
whoever sees the agreement, filled in and moved by those who may register contracts. htmx
posts get the section back; a plain post is redirected to the page with a message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from luodi import concurrency, money
from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.concurrency import Conflict
from luodi.errors import add_errors
from luodi.htmx import is_htmx
from luodi.pipeline.choices import (
    REGISTRATION_NEEDS_REASON,
    REGISTRATION_TRANSITIONS,
    RegistrationCheck,
    RegistrationStatus,
)
from luodi.pipeline.domain import registration as domain
from luodi.pipeline.domain.projects import IllegalTransition
from luodi.pipeline.models import Agreement, ContractRegistration
from luodi.pipeline.registration_forms import (
    FIELD_OF,
    MoveRegistrationForm,
    RegistrationForm,
)
from luodi.pipeline.views.common import get_agreement

PERM = "pipeline.register_contract"
# The words on each move's button.
MOVE_LABELS: dict[str, Any] = {
    RegistrationStatus.SUBMITTED: gettext_lazy("Mark submitted"),
    RegistrationStatus.REGISTERED: gettext_lazy("Mark registered"),
    RegistrationStatus.RETURNED: gettext_lazy("Returned"),
    RegistrationStatus.PREPARING: gettext_lazy("Back to preparing"),
}


def _registration(agreement: Agreement) -> ContractRegistration | None:
    return ContractRegistration.objects.filter(agreement=agreement).first()


def registration_context(
    request: HttpRequest,
    agreement: Agreement,
    *,
    form: RegistrationForm | None = None,
    move_errors: list[str] | None = None,
    reason: str = "",
    conflict: concurrency.ConflictView | None = None,
    done: str = "",
) -> dict[str, Any]:
    """What pipeline/_registration.html shows. Nothing for an agreement that is no
    technology contract (unless one was registered before its type changed)."""
    registration = _registration(agreement)
    # A refused post is shown too (it says why), even on an agreement of another type.
    shown = (
        registration is not None
        or domain.is_registrable(agreement)
        or (form is not None and form.is_bound)
    )
    can_register = shown and request.user.has_perm(PERM, agreement)
    if can_register and form is None:
        form = RegistrationForm(instance=registration)
    status = registration.status if registration else RegistrationStatus.PREPARING
    moves = (
        [
            {"to": to, "label": MOVE_LABELS[to], "needs_reason": to in REGISTRATION_NEEDS_REASON}
            for to in REGISTRATION_TRANSITIONS.get(status, ())
        ]
        if registration is not None and can_register
        else []
    )
    missing = (
        []
        if status == RegistrationStatus.REGISTERED
        else domain.missing_for(
            registration or ContractRegistration(), RegistrationStatus.REGISTERED
        )
    )
    return {
        "a": agreement,
        "reg_shown": shown,
        "reg": registration,
        "reg_registrable": domain.is_registrable(agreement),
        "reg_can_edit": can_register,
        "reg_form": form if can_register else None,
        "reg_form_failed": form is not None and form.is_bound,
        "reg_moves": moves,
        "reg_move_errors": move_errors or [],
        "reg_reason": reason,
        "reg_missing": missing,
        "reg_checked": [
            str(RegistrationCheck(k).label)
            for k in (registration.checklist if registration else [])
        ],
        "reg_value": money.shown(registration.transaction_value_fen) if registration else "",
        "reg_income": money.shown(registration.technical_income_fen) if registration else "",
        "conflict": conflict,
        "reg_done": done,
    }


def _agreement(request: HttpRequest, agreement_id: int) -> Agreement:
    """The agreement if the user sees it (404) and may register its contract (403)."""
    agreement = get_agreement(request, agreement_id)
    if not request.user.has_perm(PERM, agreement):
        raise PermissionDenied
    return agreement


def _section(
    request: HttpRequest, agreement: Agreement, *, status: int = 200, **kwargs: Any
) -> HttpResponse:
    context = registration_context(request, agreement, **kwargs)
    return render(request, "pipeline/_registration.html", context, status=status)


def _after(request: HttpRequest, agreement: Agreement, done: str) -> HttpResponse:
    """htmx: the section again, saying what was done; otherwise back to the page (a reload
    then does not post twice)."""
    if is_htmx(request):
        return _section(request, agreement, done=done)
    messages.success(request, done)
    return redirect("pipeline:agreement", agreement_id=agreement.pk)


def _refused(
    request: HttpRequest, agreement: Agreement, errors: list[str], status: int, **kwargs: Any
) -> HttpResponse:
    if is_htmx(request):
        return _section(request, agreement, status=status, **kwargs)
    for error in errors:
        messages.error(request, error)
    return redirect("pipeline:agreement", agreement_id=agreement.pk)


def _form_errors(form: BaseForm) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


@require_POST
def registration_save(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    form = RegistrationForm(request.POST, instance=_registration(agreement))
    if form.is_valid():
        try:
            domain.save_registration(
                actor=request_user(request),
                agreement=agreement,
                values=form.values(),
                expected_version=form.expected_version,
                ip=audit.client_ip(request),
            )
        except Conflict as exc:
            fresh = ContractRegistration.objects.get(agreement=agreement)
            if form.instance.pk is None:
                # Someone created it meanwhile: show the form on theirs, with its version.
                form = RegistrationForm(request.POST, instance=fresh)
                form.is_valid()
            view = concurrency.refuse(form, RegistrationForm(instance=fresh), exc, fresh)
            return _refused(
                request,
                agreement,
                [str(concurrency.CONFLICT_MESSAGE)],
                409,
                form=form,
                conflict=view,
            )
        except ValidationError as exc:
            add_errors(form, exc, field_of=FIELD_OF)
        else:
            return _after(request, agreement, _("Registration saved."))
    return _refused(request, agreement, _form_errors(form), 400, form=form)


@require_POST
def registration_move(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    registration = _registration(agreement)
    form = MoveRegistrationForm(request.POST)
    status = 400
    if registration is None:
        errors, status = [_("Fill in the registration first.")], 409
    elif not form.is_valid():
        errors = _form_errors(form)
    else:
        to = form.cleaned_data["to"]
        try:
            domain.move_registration(
                actor=request_user(request),
                registration=registration,
                to=to,
                reason=form.cleaned_data.get("reason") or "",
                ip=audit.client_ip(request),
            )
        except IllegalTransition as exc:
            errors, status = [exc.message], 409
        except ValidationError as exc:
            errors = exc.messages
        else:
            return _after(
                request,
                agreement,
                _('Registration marked "%(status)s".') % {"status": domain.status_label(to)},
            )
    return _refused(
        request,
        agreement,
        errors,
        status,
        move_errors=errors,
        reason=request.POST.get("reason", "")[:2000],
    )
