"""Forms of company requests (企业诉求): raise one on a project, escalate it, resolve it, and
filter the list. Validation only; writes go through domain/requests.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Organization
from luodi.concurrency import VersionedForm
from luodi.control_chars import NoControlChars
from luodi.pipeline import links
from luodi.pipeline.models import CompanyRequest, Project, RequestCategory, RequestStatus
from luodi.pipeline.rules import assignable_users, projects_visible_to

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RequestForm(NoControlChars, forms.ModelForm):
    class Meta:
        model = CompanyRequest
        fields = ["category", "title", "details", "owner", "due_date", "visit", "meeting"]
        widgets = {"due_date": _DATE, "details": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: AnyUser, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No preselected category: an unchosen one must not be saved as the first.
        self.fields["category"].choices = [("", "---------"), *RequestCategory.choices]  # type: ignore[attr-defined]
        self.fields["owner"].queryset = assignable_users(project)  # type: ignore[attr-defined]
        self.fields["owner"].help_text = _("Who follows it up: it goes to their task list.")
        # The visits where it could have been raised: those of this project or its company.
        visits = links.visible("visit", user).filter(
            Q(projects=project) | Q(company_id=project.company_id or 0)
        )
        self.fields["visit"].queryset = visits.distinct().order_by("-date")  # type: ignore[attr-defined]
        self.fields["visit"].required = False
        meetings = links.visible("meeting", user).filter(
            Q(projects=project) | Q(organizations=project.company_id or 0)
        )
        self.fields["meeting"].queryset = meetings.distinct().order_by("-starts_at")  # type: ignore[attr-defined]
        self.fields["meeting"].required = False


class EscalateForm(NoControlChars, VersionedForm, forms.ModelForm):
    class Meta:
        model = CompanyRequest
        fields = ["escalated_to"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["escalated_to"].required = True
        self.fields["escalated_to"].help_text = _(
            "e.g. the district's administrative approval bureau, the park's management committee"
        )


class ResolveForm(NoControlChars, VersionedForm, forms.ModelForm):
    class Meta:
        model = CompanyRequest
        fields = ["resolution", "satisfaction"]
        widgets = {"resolution": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resolution"].required = True
        self.fields["satisfaction"] = forms.TypedChoiceField(
            label=_("company satisfaction (1–5)"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", "—"), *[(str(i), str(i)) for i in range(5, 0, -1)]],
        )


class RequestFilter(NoControlChars, forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("not resolved")), ("all", _("all")), *RequestStatus.choices],
    )
    category = forms.ChoiceField(
        label=_("category"), required=False, choices=[("", _("all")), *RequestCategory.choices]
    )
    park = forms.ModelChoiceField(
        label=_("park"), required=False, queryset=Organization.objects.none(), empty_label=_("all")
    )
    overdue = forms.BooleanField(label=_("overdue only"), required=False)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible = projects_visible_to(user).filter(company_requests__isnull=False)
        self.fields["park"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            pk__in=visible.values("target_park_id")
        )
