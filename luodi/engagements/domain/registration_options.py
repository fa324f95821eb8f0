"""Registration options of an event: the organiser's categories (with fee and places) and
questions, the personal-information notice registrants agree to (PIPL), what `register()`
checks and stores under the event's row lock, and the organiser's "fee received" record.

Payment itself stays outside Luodi (bank transfer, on site): the fee is recorded, never
collected. The fee of the chosen category is copied onto the registration when the person
registers, so a later change of the category's fee never rewrites what was owed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.concurrency import claim
from luodi.engagements.models import (
    ConsentText,
    Event,
    QuestionKind,
    Registration,
    RegistrationAnswer,
    RegistrationCategory,
    RegistrationQuestion,
    RegistrationStatus,
)

LANGUAGES = ("zh-hans", "en")
# 纳税人识别号: the 18-character unified social credit code, or an older 15-, 17- or 20-
# character taxpayer number; digits and capital letters only.
TAX_ID = re.compile(r"^[0-9A-Z]{15,20}$")
ANSWER_MAX = 1000


class RegistrationRefused(Exception):
    """A registration refused for one field; `field` is the public form's field name."""

    def __init__(self, field: str, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = code  # "full" for a category without places left


class CategoryInUse(Exception):
    pass


# -- the personal-information notice ------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    text: str
    version: str
    language: str

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n\n") if p.strip()]


def _standard_notice(event: Event) -> str:
    organisers = [event.organizer.display_name] + [
        o.display_name for o in event.co_organizers.all()
    ]
    values = {"event": event.title, "organizer": event.organizer.display_name}
    values["organizers"] = "、".join(organisers) if not _is_en() else ", ".join(organisers)
    parts = [
        _("Personal information notice for “%(event)s”") % values,
        _(
            "Who processes your information: %(organizer)s, the organiser of this event, "
            "through the Luodi platform."
        )
        % values,
        _(
            "What is collected: your name, email address, organization, title and phone "
            "number; your registration category and your answers to the questions on this "
            "form; if you ask for an invoice, the invoice title (发票抬头) and taxpayer ID "
            "(纳税人识别号)."
        ),
        _(
            "Why: to confirm your registration and send you your ticket, to check you in at "
            "the door and print your badge, to plan the event (places, rooms, catering) and to "
            "issue the invoice for your fee. It is not used for advertising and not sold or "
            "passed on to anyone else."
        ),
        _(
            "Who sees it: the organisers of this event (%(organizers)s) and the platform's "
            "administrators. Other registrants, other organizations and the public never see "
            "it. Your name, organization and category are printed on your badge."
        )
        % values,
        _(
            "How long it is kept: until the event and its invoicing are finished, and at the "
            "latest one year after the event ends; then the organiser has it deleted or "
            "anonymised, except what the law requires to be kept longer (invoice records)."
        ),
        _(
            "Withdrawing your consent: you may withdraw it, and ask to see, correct or delete "
            "your information, at any time by writing to the organiser, %(organizer)s, with "
            "the registration code from your confirmation email. Withdrawing cancels your "
            "registration; it does not undo what was lawfully done before."
        )
        % values,
    ]
    return "\n\n".join(parts)


def _is_en() -> bool:
    return (translation.get_language() or "").startswith("en")


def version_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def notice(event: Event, language: str | None = None, *, standard: bool = False) -> Notice:
    """The notice a registrant reads in `language` (default: the active one): the
    organiser's own text when written (the other language's when only that one is), else
    (or with `standard`) the standard notice."""
    language = language or ("en" if _is_en() else "zh-hans")
    with translation.override(language):
        custom = (
            ""
            if standard
            else (event.privacy_notice_en or event.privacy_notice_zh)
            if _is_en()
            else (event.privacy_notice_zh or event.privacy_notice_en)
        )
        text = custom.strip().replace("\r\n", "\n") if custom.strip() else _standard_notice(event)
    return Notice(text=text, version=version_of(text), language=language)


def current_notices(event: Event) -> dict[str, Notice]:
    """Every notice of the event a registrant may have read now, by version."""
    notices = (notice(event, lang) for lang in LANGUAGES)
    return {n.version: n for n in notices}


@transaction.atomic
def set_notice(
    *,
    actor: User,
    event: Event,
    text_zh: str,
    text_en: str,
    expected_version: int | None = None,
    ip: str | None = None,
) -> Event:
    """The organiser's own notice (empty: the standard one). Registrations already made keep
    the version they agreed to; the text of that version stays in `ConsentText`."""
    before = {"zh": event.privacy_notice_zh, "en": event.privacy_notice_en}
    claim(event, expected_version)
    event.privacy_notice_zh, event.privacy_notice_en = text_zh.strip(), text_en.strip()
    event.save(update_fields=["privacy_notice_zh", "privacy_notice_en", "updated_at"])
    audit.record(
        actor=actor,
        verb="event.set_privacy_notice",
        target=event,
        changes={
            "zh": [before["zh"], event.privacy_notice_zh],
            "en": [before["en"], event.privacy_notice_en],
        },
        ip=ip,
    )
    return event


# -- checks made by register() -------------------------------------------------------------------


def clean_tax_id(value: str) -> str:
    """The taxpayer ID without spaces, in capitals; ValueError when it is not 15–20 digits
    and capital letters."""
    cleaned = re.sub(r"\s+", "", value).upper()
    if not TAX_ID.match(cleaned):
        raise ValueError(value)
    return cleaned


def answer_error(question: RegistrationQuestion, value: str) -> str | None:
    """Why an answer is refused (None: accepted); "" counts as no answer."""
    if not value:
        return _("Please answer this question.") if question.required else None
    if len(value) > ANSWER_MAX:
        return _("At most %(n)d characters.") % {"n": ANSWER_MAX}
    if question.kind == QuestionKind.CHOICE and value not in question.choice_list:
        return _("Choose one of the answers offered.")
    if question.kind == QuestionKind.YES_NO and value not in ("yes", "no"):
        return _("Answer yes or no.")
    return None


@dataclass
class Options:
    """What a registration carries beyond name and contact details."""

    consent_version: str = ""
    category_id: int | None = None
    answers: Mapping[int, str] = field(default_factory=dict)
    invoice_title: str = ""
    tax_id: str = ""


@dataclass(frozen=True)
class Checked:
    category: RegistrationCategory | None
    fee_fen: int
    answers: dict[int, str]
    invoice_title: str
    tax_id: str
    notice: Notice


def check(event: Event, options: Options) -> Checked:
    """Check the options against the event (whose row the caller has locked, so the places
    counted here cannot be taken meanwhile); RegistrationRefused naming the field."""
    notices = current_notices(event)
    if options.consent_version not in notices:
        if options.consent_version:
            raise RegistrationRefused(
                "consent",
                _("The notice changed while you were reading it; read it again and agree."),
            )
        raise RegistrationRefused(
            "consent", _("Please agree to the processing of your personal information.")
        )
    categories = list(event.registration_categories.all())
    category = next((c for c in categories if c.pk == options.category_id), None)
    if options.category_id is not None and category is None:
        raise RegistrationRefused("category", _("Choose one of the categories offered."))
    if category is None and categories:
        raise RegistrationRefused("category", _("Choose your registration category."))
    if category is not None and category.capacity is not None:
        taken = category.registrations.exclude(status=RegistrationStatus.CANCELLED).count()
        if taken >= category.capacity:
            raise RegistrationRefused(
                "category",
                _("“%(category)s” is full; choose another category.") % {"category": category},
                code="full",
            )
    questions = {q.pk: q for q in event.registration_questions.all()}
    unknown = set(options.answers) - set(questions)
    if unknown:
        raise RegistrationRefused(f"q_{min(unknown)}", _("This question is not asked here."))
    answers = {}
    for pk, question in questions.items():
        value = (options.answers.get(pk) or "").strip()
        error = answer_error(question, value)
        if error:
            raise RegistrationRefused(f"q_{pk}", error)
        if value:
            answers[pk] = value
    fee = category.fee_fen if category is not None else 0
    title, tax_id = options.invoice_title.strip(), options.tax_id.strip()
    if (title or tax_id) and not fee:
        # Invoice details are personal data: kept only when there is a fee to invoice.
        raise RegistrationRefused("invoice_title", _("There is no fee to invoice."))
    if title or tax_id:
        if not title:
            raise RegistrationRefused("invoice_title", _("Enter the invoice title."))
        try:
            tax_id = clean_tax_id(tax_id)
        except ValueError:
            raise RegistrationRefused("tax_id", tax_id_message()) from None
    return Checked(category, fee, answers, title, tax_id, notices[options.consent_version])


def tax_id_message() -> str:
    return _("A taxpayer ID is 15 to 20 digits and capital letters, e.g. 91510100MA6C123456.")


def store(reg: Registration, checked: Checked) -> None:
    """Write the answers and the agreed text (inside register()'s transaction)."""
    ConsentText.objects.get_or_create(
        version=checked.notice.version,
        defaults={"text": checked.notice.text, "language": checked.notice.language},
    )
    RegistrationAnswer.objects.bulk_create(
        RegistrationAnswer(registration=reg, question_id=pk, value=value)
        for pk, value in checked.answers.items()
    )


def fields_for(checked: Checked) -> dict[str, object]:
    """The registration's own columns from the checked options."""
    return {
        "category": checked.category,
        "fee_fen": checked.fee_fen,
        "invoice_title": checked.invoice_title,
        "tax_id": checked.tax_id,
        "consent_at": timezone.now(),
        "consent_version": checked.notice.version,
    }


# -- categories and questions ---------------------------------------------------------------------

Item = RegistrationCategory | RegistrationQuestion
CATEGORY_FIELDS = ("name_zh", "name_en", "fee_fen", "capacity")
QUESTION_FIELDS = ("label_zh", "label_en", "kind", "choices", "required")


def _fields(item: Item | type[Item]) -> tuple[str, ...]:
    is_category = item is RegistrationCategory or isinstance(item, RegistrationCategory)
    return CATEGORY_FIELDS if is_category else QUESTION_FIELDS


def _name(item: Item | type[Item]) -> str:
    is_category = item is RegistrationCategory or isinstance(item, RegistrationCategory)
    return "category" if is_category else "question"


@transaction.atomic
def add(
    *,
    actor: User,
    event: Event,
    model: type[Item],
    values: Mapping[str, object],
    ip: str | None = None,
) -> Item:
    """Add a category or question at the end of the event's list."""
    Event.objects.select_for_update().filter(pk=event.pk).first()  # one position each
    siblings = model.objects.filter(event=event)
    last = siblings.aggregate(m=Max("position"))["m"]
    item = model(event=event, position=0 if last is None else last + 1)
    for name in _fields(model):
        if name in values:
            setattr(item, name, values[name])
    item.save()
    audit.record(
        actor=actor,
        verb=f"event.add_registration_{_name(model)}",
        target=event,
        changes={"id": item.pk, **{n: audit.jsonable(getattr(item, n)) for n in _fields(model)}},
        ip=ip,
    )
    return item


@transaction.atomic
def update(
    *,
    actor: User,
    item: Item,
    values: Mapping[str, object],
    expected_version: int | None = None,
    ip: str | None = None,
) -> Item:
    """Save a category's or question's fields; Conflict (nothing saved) when someone saved
    it after `expected_version` was loaded. Registrations keep the fee they registered at."""
    names = [n for n in _fields(item) if n in values]
    before = {n: getattr(item, n) for n in names}
    claim(item, expected_version)
    for name in names:
        setattr(item, name, values[name])
    item.save(update_fields=names)
    audit.record(
        actor=actor,
        verb=f"event.change_registration_{_name(item)}",
        target=item.event,
        changes={"id": item.pk, **audit.field_changes(before, item, names)},
        ip=ip,
    )
    return item


@transaction.atomic
def remove(*, actor: User, item: Item, ip: str | None = None) -> None:
    """Remove a category (CategoryInUse while a registration has it, cancelled ones too:
    they are the record of what was chosen) or a question with its answers."""
    if isinstance(item, RegistrationCategory):
        # Locked first, so a registration cannot take the category while it goes.
        Event.objects.select_for_update().filter(pk=item.event_id).first()
        if item.registrations.exists():
            raise CategoryInUse
    event, label, pk = item.event, str(item), item.pk
    item.delete()
    audit.record(
        actor=actor,
        verb=f"event.remove_registration_{_name(item)}",
        target=event,
        changes={"id": pk, "name": label},
        ip=ip,
    )


@transaction.atomic
def move(*, actor: User, item: Item, up: bool, ip: str | None = None) -> None:
    """Move a category or question one place up or down."""
    items = list(type(item).objects.filter(event_id=item.event_id).order_by("position", "id"))
    ids = [i.pk for i in items]
    k = ids.index(item.pk)
    j = k - 1 if up else k + 1
    if 0 <= j < len(ids):
        ids[k], ids[j] = ids[j], ids[k]
    set_order(actor=actor, event=item.event, model=type(item), ids=ids, ip=ip)


@transaction.atomic
def set_order(
    *,
    actor: User,
    event: Event,
    model: type[Item],
    ids: Sequence[int],
    ip: str | None = None,
) -> None:
    """Put the event's categories or questions in the order of `ids` (each exactly once);
    ValueError otherwise."""
    items: dict[int, Any] = {i.pk: i for i in model.objects.filter(event=event)}
    if sorted(ids) != sorted(items):
        raise ValueError("list every item exactly once")
    ordered = [items[pk] for pk in ids]
    for position, item in enumerate(ordered):
        item.position = position
    model._default_manager.bulk_update(ordered, ["position"])
    audit.record(
        actor=actor,
        verb=f"event.order_registration_{_name(model)}",
        target=event,
        changes={"order": list(ids)},
        ip=ip,
    )


def with_options(regs: QuerySet[Registration]) -> QuerySet[Registration]:
    """Registrations with their category and answers (in the questions' order), one query
    each, for a page, an export or an API list."""
    answers = RegistrationAnswer.objects.select_related("question").order_by(
        "question__position", "question_id"
    )
    return regs.select_related("category").prefetch_related(Prefetch("answers", queryset=answers))


# -- fee received ----------------------------------------------------------------------------------


@transaction.atomic
def set_fee_received(
    *, actor: User, registration: Registration, received: bool, ip: str | None = None
) -> bool:
    """Record that the fee arrived (or undo a mistaken record). A conditional UPDATE, so a
    double click or a retried request records it once and keeps the first time; returns
    False when nothing changed."""
    rows = Registration.objects.filter(pk=registration.pk)
    if received:
        changed = rows.filter(paid_at__isnull=True).update(paid_at=timezone.now())
    else:
        changed = rows.filter(paid_at__isnull=False).update(paid_at=None)
    registration.refresh_from_db(fields=["paid_at"])
    if changed:
        audit.record(
            actor=actor,
            verb="event.fee_received" if received else "event.fee_not_received",
            target=registration.event,
            changes={"registration": registration.pk, "fee_fen": registration.fee_fen},
            ip=ip,
        )
    return bool(changed)
