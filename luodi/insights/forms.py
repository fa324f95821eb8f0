"""The report request form, shared by the reports page and the report API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luodi.control_chars import NoControlChars
from luodi.insights import scope as scopes


class ReportForm(NoControlChars, forms.Form):
    """Period and scope of a report; the web page and the API both validate with it."""

    PERIODS = [("month", _("Last month")), ("quarter", _("Last quarter")), ("custom", _("Custom"))]
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, initial="month")
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        initial=scopes.ALL,
        required=False,  # left out: the whole portfolio, as before scopes existed
        help_text=_("The whole portfolio you may see, one park, or one therapeutic area."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # Only the scopes this user may choose are offered, so a forged value (another
        # partner's park) fails as "not one of the available choices".
        field = self.fields["scope"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = scopes.form_choices(user)
        field.widget.attrs["data-testid"] = "report-scope"

    def clean_scope(self) -> tuple[str, int | None]:
        try:
            kind, ref = scopes.decode(self.cleaned_data["scope"] or scopes.ALL)
            scopes.resolve(self.user, kind, ref)
        except scopes.ScopeError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return kind, ref

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end or start > end:
                raise forms.ValidationError(_("Give a start date on or before the end date."))
        else:
            start, end = period_bounds(data.get("period", "month"), timezone.localdate())
        data["start"], data["end"] = start, end
        return data


def period_bounds(period: str, today: date) -> tuple[date, date]:
    """The last complete month, or the last complete quarter, before `today`."""
    first_this_month = today.replace(day=1)
    if period == "quarter":
        q_start_month = 3 * ((today.month - 1) // 3) + 1
        end = today.replace(month=q_start_month, day=1) - timedelta(days=1)
        return end.replace(month=end.month - 2, day=1), end
    end = first_this_month - timedelta(days=1)
    return end.replace(day=1), end
