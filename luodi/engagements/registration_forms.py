"""Forms of the registration options: the organiser's categories, questions and notice, and
the public registration form with the event's categories, questions, invoice details and
the consent to the personal-information notice. Fees are typed in yuan here and kept in fen
(luodi/money.py). The domain (`registration_options.check`) checks all of it again under the
event's lock; these forms give the field errors first, and the API runs the same forms."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from luodi import money
from luodi.concurrency import VersionedForm
from luodi.control_chars import NoControlChars
from luodi.engagements.domain import registration_options as options
from luodi.engagements.forms import RegistrationForm
from luodi.engagements.models import (
    Event,
    QuestionKind,
    RegistrationCategory,
    RegistrationQuestion,
    RegistrationStatus,
)

MAX_FEE_YUAN = Decimal("1000000.00")  # a registration fee above a million yuan is a typo


# -- the organiser's side ----------------------------------------------------------------------


class CategoryForm(NoControlChars, VersionedForm, forms.ModelForm):
    fee = forms.DecimalField(
        label=_("fee (yuan)"),
        min_value=Decimal(0),
        max_value=MAX_FEE_YUAN,
        decimal_places=2,
        initial=Decimal(0),
        help_text=_("0 for free. Recorded only: payment is made outside Luodi."),
    )

    class Meta:
        model = RegistrationCategory
        fields = ["name_zh", "name_en", "fee", "capacity"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault("fee", money.to_yuan(self.instance.fee_fen))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("name_zh") or "").strip() and not (data.get("name_en") or "").strip():
            self.add_error("name_zh", _("Name the category in Chinese or English."))
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name_zh": data["name_zh"].strip(),
            "name_en": data["name_en"].strip(),
            "fee_fen": money.to_fen(data["fee"] or Decimal(0)),
            "capacity": data["capacity"],
        }


class QuestionForm(NoControlChars, VersionedForm, forms.ModelForm):
    class Meta:
        model = RegistrationQuestion
        fields = ["label_zh", "label_en", "kind", "choices", "required"]
        widgets = {"choices": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("label_zh") or "").strip() and not (data.get("label_en") or "").strip():
            self.add_error("label_zh", _("Write the question in Chinese or English."))
        choices = [c.strip() for c in (data.get("choices") or "").splitlines() if c.strip()]
        if data.get("kind") == QuestionKind.CHOICE and len(set(choices)) < 2:
            self.add_error("choices", _("Give at least two choices, one per line."))
        elif any(len(c) > 200 for c in choices):
            self.add_error("choices", _("A choice has at most 200 characters."))
        data["choices"] = "\n".join(dict.fromkeys(choices)) if choices else ""
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["kind"]
        return {
            "label_zh": data["label_zh"].strip(),
            "label_en": data["label_en"].strip(),
            "kind": kind,
            "choices": data["choices"] if kind == QuestionKind.CHOICE else "",
            "required": bool(data["required"]),
        }


class NoticeForm(NoControlChars, VersionedForm, forms.ModelForm):
    class Meta:
        model = Event
        fields = ["privacy_notice_zh", "privacy_notice_en"]
        widgets = {
            "privacy_notice_zh": forms.Textarea(attrs={"rows": 8}),
            "privacy_notice_en": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "privacy_notice_zh": _(
                "Leave empty for the standard notice shown below. Say what is collected, why, "
                "who sees it, how long it is kept and how to withdraw consent."
            )
        }


# -- the public form -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryChoice:
    category: RegistrationCategory
    left: int | None  # places left; None: no limit of its own

    @property
    def full(self) -> bool:
        return self.left is not None and self.left <= 0


def category_choices(event: Event) -> list[CategoryChoice]:
    taken = Count("registrations", filter=~Q(registrations__status=RegistrationStatus.CANCELLED))
    out = []
    for c in event.registration_categories.annotate(taken=taken).order_by("position", "id"):
        left = None if c.capacity is None else max(c.capacity - c.taken, 0)
        out.append(CategoryChoice(c, left))
    return out


def _category_label(choice: CategoryChoice) -> str:
    c = choice.category
    fee = money.shown(c.fee_fen) if c.fee_fen else str(_("free"))
    label = f"{c.name} · {fee}"
    if choice.full:
        label += f" · {_('full')}"
    return label


YES_NO = [("yes", _("yes")), ("no", _("no"))]


class PublicRegistrationForm(RegistrationForm):
    """The public form of one event: its categories (required when it has any, each with its
    fee), its questions, the invoice details when a fee is charged and asked to be invoiced,
    and the consent to the notice shown (the version of that text travels with the form)."""

    def __init__(self, *args: Any, event: Event, notice: options.Notice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.notice = notice
        self.choices = category_choices(event)
        self.questions = list(event.registration_questions.order_by("position", "id"))
        self.fees = {str(c.category.pk): c.category.fee_fen for c in self.choices}
        website = self.fields.pop("website")
        if self.choices:
            self.fields["category"] = forms.ChoiceField(
                label=_("registration category"),
                choices=[(str(c.category.pk), _category_label(c)) for c in self.choices],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose your registration category.")},
            )
        for q in self.questions:
            self.fields[f"q_{q.pk}"] = _question_field(q)
        if self.charges_fees:
            self.fields["wants_invoice"] = forms.BooleanField(
                label=_("I need an invoice (发票) for the fee"), required=False
            )
            self.fields["invoice_title"] = forms.CharField(
                label=_("invoice title (发票抬头)"),
                max_length=200,
                required=False,
                help_text=_("The name of the organization (or person) the invoice is made out to."),
            )
            self.fields["tax_id"] = forms.CharField(
                label=_("taxpayer ID (纳税人识别号)"),
                max_length=40,
                required=False,
                help_text=_("15 to 20 digits and capital letters."),
                widget=forms.TextInput(attrs={"autocapitalize": "characters"}),
            )
        self.fields["consent"] = forms.BooleanField(
            label=_(
                "I have read the notice above and agree to the processing of my personal "
                "information as it describes."
            ),
            error_messages={
                "required": _("Please agree to the processing of your personal information.")
            },
        )
        self.fields["consent_version"] = forms.CharField(
            widget=forms.HiddenInput, required=False, max_length=64
        )
        self.initial.setdefault("consent_version", notice.version)
        self.fields["website"] = website  # the honeypot stays last

    @property
    def charges_fees(self) -> bool:
        return any(fee for fee in self.fees.values())

    @property
    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"q_{q.pk}"] for q in self.questions]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        shown = data.get("consent_version") or self.notice.version
        if shown not in options.current_notices(self.event):
            # The organiser changed the notice after this page was opened: the person agreed
            # to words no longer offered, so they read the new ones and agree again.
            self.add_error(
                "consent",
                _("The notice changed while you were reading it; read it again and agree."),
            )
            fresh = dict(self.data.items())
            fresh[self.add_prefix("consent_version")] = self.notice.version
            self.data = fresh
        data["consent_version"] = shown
        fee = self.fees.get(data.get("category") or "", 0)
        if fee and data.get("wants_invoice"):
            title = (data.get("invoice_title") or "").strip()
            if not title:
                self.add_error("invoice_title", _("Enter the invoice title."))
            try:
                data["tax_id"] = options.clean_tax_id(data.get("tax_id") or "")
            except ValueError:
                self.add_error("tax_id", options.tax_id_message())
            data["invoice_title"] = title
        else:
            # Not asked for (or nothing to invoice): whatever was typed is not kept.
            data["invoice_title"] = data["tax_id"] = ""
        return data

    def contact(self) -> dict[str, str]:
        data = self.cleaned_data
        names = ("name", "email", "organization_name", "position", "phone")
        return {n: data.get(n) or "" for n in names}

    def options(self) -> options.Options:
        data = self.cleaned_data
        category = data.get("category")
        return options.Options(
            consent_version=data["consent_version"] if data.get("consent") else "",
            category_id=int(category) if category else None,
            answers={q.pk: data.get(f"q_{q.pk}") or "" for q in self.questions},
            invoice_title=data.get("invoice_title", ""),
            tax_id=data.get("tax_id", ""),
        )


def _question_field(q: RegistrationQuestion) -> forms.Field:
    common: dict[str, Any] = {"label": q.label, "required": q.required}
    common["error_messages"] = {"required": _("Please answer this question.")}
    if q.kind == QuestionKind.CHOICE:
        choices = [(c, c) for c in q.choice_list]
        widget = forms.RadioSelect if len(choices) <= 6 else forms.Select
        if widget is forms.Select:
            choices = [("", "—"), *choices]
        return forms.ChoiceField(choices=choices, widget=widget, **common)
    if q.kind == QuestionKind.YES_NO:
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    return forms.CharField(max_length=options.ANSWER_MAX, **common)
