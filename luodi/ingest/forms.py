"""Forms of the import pages: upload, column mapping, ClinicalTrials.gov upload, merge."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Organization
from luodi.control_chars import NoControlChars
from luodi.ingest import tables
from luodi.ingest.fields import FIELDS, KIND_LABELS
from luodi.ingest.rules import kinds_for

MAX_UPLOAD = 10 * 1024 * 1024


def check_upload(upload: UploadedFile, suffixes: tuple[str, ...]) -> bytes:
    """The file's bytes, or a ValidationError for a wrong type, an empty or a too large file."""
    name = (upload.name or "").lower()
    if not name.endswith(suffixes):
        raise forms.ValidationError(
            _("Choose a %(types)s file.") % {"types": " / ".join(suffixes)}, code="type"
        )
    if upload.size is not None and upload.size > MAX_UPLOAD:
        raise forms.ValidationError(_("The file is larger than 10 MB."), code="too_large")
    data = upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise forms.ValidationError(_("The file is larger than 10 MB."), code="too_large")
    if not data.strip():
        raise forms.ValidationError(_("The file is empty."), code="empty")
    return bytes(data)


class UploadForm(NoControlChars, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file contains"))
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "Excel (.xlsx) or CSV, at most 10 MB; the first row names the columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [(k, KIND_LABELS[k]) for k in kinds_for(user)]
        self.table: tables.Table | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is None:
            return data
        try:
            raw = check_upload(upload, (".xlsx", ".csv"))
            self.table = tables.read_table(upload.name or "", raw)
        except forms.ValidationError as exc:
            self.add_error("file", exc)
        except tables.TableError as exc:
            self.add_error("file", str(exc))
        return data


class MappingForm(NoControlChars, forms.Form):
    """One select per column of the file: which field it fills, or none."""

    def __init__(
        self, *args: Any, kind: str, headers: list[str], mapping: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        choices = [("", _("— not imported —"))] + [
            (s.key, s.label) for s in FIELDS[kind] if not s.system_only
        ]
        for column, header in enumerate(headers):
            self.fields[f"col_{column}"] = forms.ChoiceField(
                label=header or _("(column %(n)s)") % {"n": column + 1},
                choices=choices,
                required=False,
                initial=mapping[column] if column < len(mapping) else "",
            )
        self.columns = len(headers)

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(f"col_{c}") or "" for c in range(self.columns)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for problem in tables.check_mapping(self.kind, self.mapping()):
            self.add_error(None, problem)
        return data


class CtgovForm(NoControlChars, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("ClinicalTrials.gov CSV export"),
        help_text=gettext_lazy("Either download format; at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: report only, write nothing"), required=False
    )

    def clean_file(self) -> str:
        raw = check_upload(self.cleaned_data["file"], (".csv",))
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from exc


def live_organizations() -> Any:
    return Organization.objects.filter(archived_at__isnull=True, merged_into__isnull=True)


class MergeForm(NoControlChars, forms.Form):
    target = forms.ModelChoiceField(
        queryset=live_organizations(),
        label=gettext_lazy("Keep (A)"),
    )
    source = forms.ModelChoiceField(
        queryset=live_organizations(),
        label=gettext_lazy("Merge into A and archive (B)"),
    )

    def limit_choices(self, query: str, limit: int = 300) -> None:
        """Offer only organizations matching `query` (plus the picked ones) in the selects."""
        shown = live_organizations()
        if query:
            shown = shown.filter(
                Q(name_zh__icontains=query)
                | Q(name_en__icontains=query)
                | Q(aliases__icontains=query)
            )
        picked = [v for v in (self.data.get("target"), self.data.get("source")) if v]
        ids = list(shown.order_by("name_zh", "name_en").values_list("pk", flat=True)[:limit])
        ids += [int(v) for v in picked if str(v).isdigit()]
        for name in ("target", "source"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = live_organizations().filter(pk__in=ids).order_by("name_zh", "name_en")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("target") and data.get("target") == data.get("source"):
            raise forms.ValidationError(_("Choose two different organizations."))
        return data
