"""Pipeline forms: editing projects, agreements, obligations, documents, the landing record,
tasks and notes, and the list filters. Validation only; writes go through `domain/`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from luodi.accounts.models import Role, User
from luodi.accounts.rules import AnyUser
from luodi.catalog.choices import OrganizationKind
from luodi.catalog.models import Achievement, Carrier, ClinicalNeed, Organization, Term
from luodi.catalog.rules import (
    achievements_visible_to,
    needs_visible_to,
    organizations_visible_to,
)
from luodi.concurrency import VersionedForm
from luodi.control_chars import NoControlChars
from luodi.pipeline.choices import (
    ORGANIZATION_AGREEMENT_KINDS,
    AgreementKind,
    AgreementStatus,
    DocumentType,
    ObligationKind,
    ProjectStage,
    RegistrationStatus,
)
from luodi.pipeline.models import Agreement, LandingRecord, Project
from luodi.pipeline.rules import (
    agreement_assignees,
    agreements_visible_to,
    assignable_users,
    projects_visible_to,
)
from luodi.pipeline.uploads import allowed_label, check_upload, max_bytes

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _orgs(user: AnyUser, *kinds: str) -> QuerySet[Organization]:
    qs = organizations_visible_to(user).filter(archived_at__isnull=True)
    return qs.filter(kind__in=kinds) if kinds else qs


def _staff() -> QuerySet[User]:
    return User.objects.filter(role=Role.STAFF, is_active=True).order_by("username")


class ProjectForm(NoControlChars, VersionedForm, forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "title",
            "achievement",
            "clinical_need",
            "owner",
            "company",
            "investor",
            "target_park",
            "clinical_centers",
            "staff",
            "summary",
            "regulatory_step",
            "device_class",
            "needed_specialty",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "clinical_centers": forms.SelectMultiple(attrs={"size": 5}),
        }

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["title"].required = False
        f["title"].help_text = _("Leave empty to use the achievement's or need's title.")
        f["achievement"].queryset = achievements_visible_to(user).select_related("owner")  # type: ignore[attr-defined]
        # Look-alike titles ("KRAS G12D 抑制剂" from three teams) are told apart by owner.
        f["achievement"].label_from_instance = achievement_label  # type: ignore[attr-defined]
        f["clinical_need"].queryset = needs_visible_to(user)  # type: ignore[attr-defined]
        f["owner"].queryset = _orgs(user)  # type: ignore[attr-defined]
        f["owner"].required = False
        f["owner"].help_text = _("Defaults to the owner of the achievement or need.")
        f["company"].queryset = _orgs(user, OrganizationKind.COMPANY, OrganizationKind.CRO)  # type: ignore[attr-defined]
        f["investor"].queryset = _orgs(user, OrganizationKind.INVESTOR)  # type: ignore[attr-defined]
        f["target_park"].queryset = _orgs(user, OrganizationKind.PARK)  # type: ignore[attr-defined]
        f["clinical_centers"].queryset = _orgs(user, OrganizationKind.HOSPITAL)  # type: ignore[attr-defined]
        f["staff"].queryset = _staff()  # type: ignore[attr-defined]
        f["needed_specialty"].queryset = Term.objects.filter(scheme=Term.Scheme.SPECIALTY)  # type: ignore[attr-defined]
        if self.instance.pk:
            for name in ("achievement", "clinical_need"):
                f[name].disabled = True

    def clean_title(self) -> str:
        title = (self.cleaned_data.get("title") or "").strip()
        return title or (self.instance.title if self.instance.pk else "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        achievement: Achievement | None = data.get("achievement")
        need: ClinicalNeed | None = data.get("clinical_need")
        if not self.instance.pk and not achievement and not need:
            raise ValidationError(
                _("Choose the achievement or the clinical need this project transforms.")
            )
        if not data.get("owner"):
            subject_owner = (
                achievement.owner
                if achievement
                else need.organization
                if need
                else self.instance.owner
                if self.instance.pk
                else None
            )
            data["owner"] = subject_owner
        return data


class MoveForm(NoControlChars, forms.Form):
    to_stage = forms.ChoiceField(label=_("Move to"), choices=ProjectStage.choices)
    reason = forms.CharField(label=_("Reason (for paused or lost)"), required=False, max_length=500)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class AgreementForm(NoControlChars, VersionedForm, forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "kind",
            "title",
            "parties",
            "status",
            "signed_on",
            "effective_from",
            "expires_on",
            "notes",
        ]
        widgets = {
            "signed_on": _DATE,
            "effective_from": _DATE,
            "expires_on": _DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "parties": forms.SelectMultiple(attrs={"size": 5}),
        }

    def __init__(
        self,
        *args: Any,
        user: AnyUser,
        project: Project | None,
        initial_parties: list[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["parties"].queryset = _orgs(user)  # type: ignore[attr-defined]
        if project is None:
            # Between organizations: the kinds a project's agreement would not be, first.
            first = [k for k, _label in ORGANIZATION_AGREEMENT_KINDS]
            rest = [(k, label) for k, label in AgreementKind.choices if k not in first]
            kind = self.fields["kind"]
            kind.choices = [("", "---------"), *ORGANIZATION_AGREEMENT_KINDS, *rest]  # type: ignore[attr-defined]
            self.fields["parties"].help_text = _(
                "At least two: usually the association and the other side."
            )
            related = forms.ModelMultipleChoiceField(
                label=_("projects under this agreement"),
                queryset=projects_visible_to(user).order_by("title"),
                required=False,
                widget=forms.SelectMultiple(attrs={"size": 5}),
            )
            self.fields["related_projects"] = related
            if self.instance.pk:
                self.initial.setdefault(
                    "related_projects",
                    list(self.instance.related_projects.values_list("pk", flat=True)),
                )
            if not self.instance.pk and initial_parties:
                self.initial.setdefault("parties", initial_parties)
        elif not self.instance.pk:
            ids = project.party_ids(centers=False)
            self.initial.setdefault("parties", ids)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") in (AgreementStatus.SIGNED, AgreementStatus.IN_FORCE) and not (
            data.get("signed_on")
        ):
            self.add_error("signed_on", _("A signed agreement needs its signing date."))
        start, end = data.get("effective_from"), data.get("expires_on")
        if start and end and end < start:
            self.add_error("expires_on", _("The agreement cannot expire before it starts."))
        if self.project is None and len(data.get("parties") or []) < 2:
            self.add_error(
                "parties", _("An agreement between organizations needs at least two parties.")
            )
        return data


def achievement_label(achievement: Achievement) -> str:
    """An achievement as a choice: its title and, after it, its owner."""
    owner = achievement.owner.display_name if achievement.owner_id else ""
    return f"{achievement} · {owner}" if owner else str(achievement)


class ObligationForm(NoControlChars, forms.Form):
    # No preselected type: the first one was silently taken when nobody chose (field test).
    kind = forms.ChoiceField(label=_("type"), choices=[("", "---------"), *ObligationKind.choices])
    description = forms.CharField(label=_("description"), max_length=500)
    due_date = forms.DateField(label=_("due date"), required=False, widget=_DATE)
    trigger = forms.CharField(
        label=_("or trigger"),
        required=False,
        max_length=255,
        help_text=_("e.g. 'within 30 days of the IND approval'"),
    )
    responsible = forms.ModelChoiceField(
        label=_("responsible person"), required=False, queryset=User.objects.none()
    )
    amount_wan = forms.DecimalField(
        label=_("amount (10k CNY)"), required=False, max_digits=12, decimal_places=2
    )

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = agreement_assignees(agreement)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("due_date") and not (data.get("trigger") or "").strip():
            raise ValidationError(_("Give a due date or a trigger."))
        return data


class DocumentForm(NoControlChars, forms.Form):
    doc_type = forms.ChoiceField(label=_("document type"), choices=DocumentType.choices)
    file = forms.FileField(label=_("file"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(types)s; at most %(mb)d MB.") % {
            "types": allowed_label(),
            "mb": max_bytes() // 1024 // 1024,
        }

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        check_upload(upload)
        return upload


class LandingForm(NoControlChars, forms.ModelForm):
    class Meta:
        model = LandingRecord
        fields = [
            "entity_name",
            "registered_on",
            "credit_code",
            "park",
            "carrier",
            "area_m2",
            "investment_wan",
            "jobs_planned",
            "notes",
        ]
        widgets = {"registered_on": _DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["park"].queryset = _orgs(user, OrganizationKind.PARK)  # type: ignore[attr-defined]
        self.fields["carrier"].queryset = Carrier.objects.filter(  # type: ignore[attr-defined]
            archived_at__isnull=True
        ).select_related("park")

    def clean_credit_code(self) -> str:
        return (self.cleaned_data.get("credit_code") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        carrier, park = data.get("carrier"), data.get("park")
        if carrier and park and carrier.park_id != park.pk:
            self.add_error("carrier", _("This carrier is not in the chosen park."))
        return data


class TaskForm(NoControlChars, forms.Form):
    title = forms.CharField(label=_("task"), max_length=255)
    owner = forms.ModelChoiceField(label=_("assigned to"), queryset=User.objects.none())
    due_date = forms.DateField(label=_("due date"), required=False, widget=_DATE)

    def __init__(self, *args: Any, project: Project | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = assignable_users(project)  # type: ignore[attr-defined]


class NoteForm(NoControlChars, forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))


class ProjectFilter(NoControlChars, forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"})
    )
    stage = forms.ChoiceField(
        label=_("stage"), required=False, choices=[("", _("all")), *ProjectStage.choices]
    )
    park = forms.ModelChoiceField(
        label=_("target park"), required=False, queryset=Organization.objects.none()
    )
    area = forms.ModelChoiceField(
        label=_("therapeutic area"), required=False, queryset=Term.objects.none()
    )
    owner = forms.ModelChoiceField(
        label=_("owner"), required=False, queryset=Organization.objects.none()
    )
    staff = forms.ModelChoiceField(
        label=_("responsible staff"), required=False, queryset=User.objects.none()
    )
    min_days = forms.IntegerField(label=_("in stage at least (days)"), required=False, min_value=0)
    max_days = forms.IntegerField(label=_("in stage at most (days)"), required=False, min_value=0)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only values that occur in the user's projects: short lists, and nothing about
        # projects the user may not see.
        visible = projects_visible_to(user)
        self.fields["park"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            pk__in=visible.values("target_park_id")
        )
        self.fields["owner"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            pk__in=visible.values("owner_id")
        )
        self.fields["staff"].queryset = _staff().filter(  # type: ignore[attr-defined]
            pk__in=visible.values("staff_id")
        )
        self.fields["area"].queryset = Term.objects.filter(  # type: ignore[attr-defined]
            Q(pk__in=visible.values("achievement__therapeutic_areas"))
            | Q(pk__in=visible.values("clinical_need__specialty"))
        )


class AgreementFilter(NoControlChars, forms.Form):
    SCOPES = [
        ("", _("all")),
        ("organizations", _("between organizations")),
        ("projects", _("in projects")),
    ]
    q = forms.CharField(
        label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"})
    )
    scope = forms.ChoiceField(label=_("scope"), required=False, choices=SCOPES)
    kind = forms.ChoiceField(
        label=_("type"), required=False, choices=[("", _("all")), *AgreementKind.choices]
    )
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("all")), *AgreementStatus.choices]
    )
    party = forms.ModelChoiceField(
        label=_("party"), required=False, queryset=Organization.objects.none()
    )
    # Technology-contract registration (技术合同认定登记); "none": a technology contract whose
    # registration has not been started (what staff chase).
    registration = forms.ChoiceField(
        label=_("contract registration"),
        required=False,
        choices=[("", _("all")), ("none", _("not started")), *RegistrationStatus.choices],
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only parties of agreements the user may see.
        visible = agreements_visible_to(user).values("pk")
        self.fields["party"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            pk__in=Agreement.parties.through.objects.filter(agreement_id__in=visible).values(
                "organization_id"
            )
        )
