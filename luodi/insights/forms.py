"""The report request forms, shared by the report pages and the report API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luodi.catalog.models import Organization
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


class _ScopeMixin(NoControlChars, forms.Form):
    scope = forms.ChoiceField(label=_("Scope"), initial=scopes.ALL, required=False)

    def _setup_scope(self, user: Any) -> None:
        self.user = user
        field = self.fields["scope"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = scopes.form_choices(user)

    def clean_scope(self) -> tuple[str, int | None]:
        try:
            kind, ref = scopes.decode(self.cleaned_data["scope"] or scopes.ALL)
            self.scope_obj = scopes.resolve(self.user, kind, ref)
        except scopes.ScopeError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return kind, ref


def clean_period_code(value: str) -> str:
    from luodi.insights import gov_report

    code = gov_report.normal_code(value or "")
    try:
        start, _end = gov_report.parse_period(code)
    except gov_report.PeriodError as exc:
        raise forms.ValidationError(str(exc)) from exc
    if start > timezone.localdate():
        raise forms.ValidationError(_("This period has not begun yet."))
    return code


class AfterLandingFilterForm(_ScopeMixin):
    """The after-landing page's filters: a month or quarter, or dates from/to; a scope."""

    period = forms.CharField(
        label=_("Month or quarter"),
        required=False,
        max_length=7,
        help_text=_("e.g. 2026-09 or 2026-Q3; empty: the dates below, or this year."),
        widget=forms.TextInput(attrs={"placeholder": "2026-Q3", "list": "period-codes"}),
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_scope(user)

    def clean_period(self) -> str:
        value = self.cleaned_data.get("period") or ""
        return clean_period_code(value) if value.strip() else ""

    def clean(self) -> dict[str, Any]:
        from luodi.insights import gov_report

        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if data.get("period"):
            start, end = gov_report.parse_period(data["period"])
        elif start or end:
            if not start or not end or start > end:
                raise forms.ValidationError(_("Give a start date on or before the end date."))
        else:
            today = timezone.localdate()
            start, end = today.replace(month=1, day=1), today
        data["start"], data["end"] = start, end
        return data


class GovReportForm(_ScopeMixin):
    """The government report: a month or a quarter, scope, language; the narrative is
    required when it is issued (the preview drafts it)."""

    period = forms.CharField(
        label=_("Month or quarter"),
        max_length=7,
        help_text=_("e.g. 2026-09 or 2026-Q3."),
        widget=forms.TextInput(attrs={"placeholder": "2026-Q3", "list": "period-codes"}),
    )
    language = forms.ChoiceField(
        label=_("Language of the report"),
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        initial="zh-hans",
    )
    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Edit the draft: it opens the report as written here."),
    )

    def __init__(self, *args: Any, user: Any, issuing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_scope(user)
        self.issuing = issuing
        for name in ("period", "scope", "language", "narrative"):
            self.fields[name].widget.attrs["data-testid"] = f"gov-{name}"

    def clean_period(self) -> str:
        return clean_period_code(self.cleaned_data.get("period") or "")

    def clean_narrative(self) -> str:
        text = (self.cleaned_data.get("narrative") or "").strip()
        if self.issuing and not text:
            raise forms.ValidationError(_("Write the narrative before issuing the report."))
        return text


class AnnualReportForm(NoControlChars, forms.Form):
    """The annual transformation report: institution (those the user may see), year,
    language, and the user's own text per section (all optional, starting empty)."""

    institution = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=Organization.objects.none(),
        empty_label=_("Choose an institution"),
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    language = forms.ChoiceField(
        label=_("Language of the report"),
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        initial="zh-hans",
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, offer: Organization | None = None, **kwargs: Any):
        from luodi.insights import annual_report
        from luodi.ledger.rules import institutions_offered

        super().__init__(*args, **kwargs)
        offered = institutions_offered(user)
        if offer is not None and not offered.filter(pk=offer.pk).exists():
            # A draft's institution beyond the picker's list (staff opened one by its id).
            ids = [*offered.values_list("pk", flat=True), offer.pk]
            offered = Organization.objects.filter(pk__in=ids).order_by("name_zh", "name_en", "pk")
        field = self.fields["institution"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = offered
        only = list(offered[:2])
        if len(only) == 1:  # a member of one institution has nothing to choose
            field.initial = only[0].pk
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [(y, str(y)) for y in annual_report.years(timezone.localdate())]
        titles, hints = annual_report.section_titles(), annual_report.section_hints()
        for key in annual_report.SECTION_KEYS:
            self.fields[f"text_{key}"] = forms.CharField(
                label=titles[key],
                required=False,
                max_length=annual_report.TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 4, "placeholder": hints[key]}),
            )
            self.fields[f"text_{key}"].widget.attrs["data-testid"] = f"annual-text-{key}"
        for name in ("institution", "year", "language"):
            self.fields[name].widget.attrs["data-testid"] = f"annual-{name}"

    def text_fields(self) -> list[forms.BoundField]:
        from luodi.insights.annual_report import SECTION_KEYS

        return [self[f"text_{key}"] for key in SECTION_KEYS]

    def sections(self) -> dict[str, str]:
        """The texts as saved: {section key: text}, empty ones left out."""
        from luodi.insights.annual_report import SECTION_KEYS

        data = self.cleaned_data
        texts = {key: (data.get(f"text_{key}") or "").strip() for key in SECTION_KEYS}
        return {key: text for key, text in texts.items() if text}

    @property
    def choices_valid(self) -> bool:
        """Institution, year and language are right (a preview can be shown)."""
        return not {"institution", "year", "language"} & set(self.errors)
