"""The attribution page (/insights/attribution/) and its XLSX export: landed projects and
the visits, meetings, events and one-to-one meetings before their landing (attribution.py).
A bad filter re-renders the page with the field's error (400), never a 500."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from luodi import sheets
from luodi.accounts.rules import AnyUser
from luodi.catalog.choices import OrganizationKind
from luodi.catalog.models import Organization
from luodi.catalog.rules import organizations_visible_to
from luodi.control_chars import NoControlChars
from luodi.insights import attribution

YEAR_MIN, YEAR_MAX = 2000, 2100


def parks_for(user: AnyUser) -> QuerySet[Organization]:
    """The parks the filter offers: those the user may see (narrowing never widens what the
    project rules show)."""
    return (
        organizations_visible_to(user).filter(kind=OrganizationKind.PARK).order_by("name_zh", "pk")
    )


class AttributionFilterForm(NoControlChars, forms.Form):
    year = forms.IntegerField(
        label=_("year landed"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX
    )
    park = forms.ModelChoiceField(
        label=_("park"), required=False, queryset=Organization.objects.none()
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["park"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = parks_for(user)
        field.empty_label = str(_("All parks"))

    def filters(self) -> dict[str, int | None]:
        park = self.cleaned_data.get("park")
        return {"year": self.cleaned_data.get("year"), "park_id": park.pk if park else None}


def _filtered(request: HttpRequest) -> tuple[AttributionFilterForm, attribution.Attribution | None]:
    form = AttributionFilterForm(request.GET or None, user=request.user)
    if request.GET and not form.is_valid():
        return form, None
    filters = form.filters() if request.GET else {"year": None, "park_id": None}
    return form, attribution.attribution(request.user, **filters)


@require_safe
def attribution_page(request: HttpRequest) -> HttpResponse:
    form, result = _filtered(request)
    context = {"form": form, "result": result, "query": request.GET.urlencode()}
    return render(
        request, "insights/attribution.html", context, status=200 if result is not None else 400
    )


@require_safe
def attribution_export(request: HttpRequest) -> HttpResponse:
    form, result = _filtered(request)
    if result is None:
        return render(
            request, "insights/attribution.html", {"form": form, "result": None}, status=400
        )
    return sheets.download("xlsx", "attribution", attribution.export_sheets(result))
