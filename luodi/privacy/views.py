"""A person's privacy page (staff): legal basis, export, anonymisation (privacy.py)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.models import Person
from luodi.catalog.rules import people_visible_to
from luodi.privacy import domain as privacy
from luodi.privacy.forms import AnonymiseForm, LegalBasisForm


def _person(request: HttpRequest, pk: int) -> tuple[User, Person]:
    """Staff only; the person through the catalog's own visibility."""
    if not request.user.has_perm("accounts.manage_personal_data"):
        raise PermissionDenied
    assert isinstance(request.user, User)
    person = get_object_or_404(
        people_visible_to(request.user).select_related("organization"), pk=pk
    )
    return request.user, person


@require_http_methods(["GET", "POST"])
def person_privacy(request: HttpRequest, pk: int) -> HttpResponse:
    actor, person = _person(request, pk)
    form = LegalBasisForm(request.POST or None, initial={"legal_basis": person.legal_basis})
    if request.method == "POST" and form.is_valid():
        privacy.set_legal_basis(
            actor=actor,
            person=person,
            legal_basis=form.cleaned_data["legal_basis"],
            ip=audit.client_ip(request),
        )
        messages.success(request, _("Legal basis saved."))
        return redirect("person-privacy", pk=person.pk)
    return _render(request, person, form, AnonymiseForm(), status=400 if form.errors else 200)


def _render(
    request: HttpRequest,
    person: Person,
    basis_form: LegalBasisForm,
    anonymise_form: AnonymiseForm,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {
        "person": person,
        "basis_form": basis_form,
        "anonymise_form": anonymise_form,
        "anonymised": privacy.is_anonymised(person),
        "accounts": privacy.accounts_with_email(person.email),
    }
    return render(request, "accounts/person_privacy.html", context, status=status)


def person_export(request: HttpRequest, pk: int) -> HttpResponse:
    actor, person = _person(request, pk)
    data = privacy.export_person(actor=actor, person=person, ip=audit.client_ip(request))
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def person_anonymise(request: HttpRequest, pk: int) -> HttpResponse:
    actor, person = _person(request, pk)
    form = AnonymiseForm(request.POST)
    if not form.is_valid():
        basis = LegalBasisForm(initial={"legal_basis": person.legal_basis})
        return _render(request, person, basis, form, status=400)
    privacy.anonymise_person(actor=actor, person=person, ip=audit.client_ip(request))
    messages.success(request, _("The person was anonymised; links and counts were kept."))
    return redirect("person-privacy", pk=person.pk)
