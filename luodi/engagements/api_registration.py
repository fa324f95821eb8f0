"""Registration options in the engagements API: an event's categories and questions (read by
whoever sees the event, written by its organisers), its personal-information notice, and
"fee received" on a registration. The same forms and domain as the pages; errors in the
project's one shape, never a 5xx for bad input.

Paths (greppable): /events/{event_id}/registration-categories[/{category_id}|/order],
/events/{event_id}/registration-questions[/{question_id}|/order],
/events/{event_id}/privacy-notice, /events/{event_id}/registrations/{registration_id}/fee-received.
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.http import HttpRequest, HttpResponse
from ninja import Schema
from ninja.responses import Status
from pydantic import Field

from luodi import money
from luodi.accounts.request_user import request_user
from luodi.concurrency import Conflict, conflict_error, differing, etag, expected_from, refusals
from luodi.control_chars import InputSchema
from luodi.engagements import rules
from luodi.engagements.api import _ip, router
from luodi.engagements.api_schemas import RegistrationIn, RegistrationOut
from luodi.engagements.domain import registration_options as domain
from luodi.engagements.models import (
    Event,
    QuestionKind,
    Registration,
    RegistrationCategory,
    RegistrationQuestion,
)
from luodi.engagements.registration_forms import (
    MAX_FEE_YUAN,
    CategoryForm,
    NoticeForm,
    PublicRegistrationForm,
    QuestionForm,
)
from luodi.errors import ApiError, found, require_perm

MAX_FEE_FEN = money.to_fen(MAX_FEE_YUAN)
BIG = 2**31 - 1


class CategoryOut(Schema):
    id: int
    name_zh: str
    name_en: str
    fee_fen: int
    capacity: int | None
    position: int
    version: int


class CategoryIn(InputSchema):
    name_zh: str = Field("", max_length=80)
    name_en: str = Field("", max_length=80)
    fee_fen: int = Field(0, ge=0, le=MAX_FEE_FEN, description="in fen (分); 0: free")
    capacity: int | None = Field(None, ge=0, le=BIG, description="places; null: no limit")


class CategoryPatch(InputSchema):
    name_zh: str | None = Field(None, max_length=80)
    name_en: str | None = Field(None, max_length=80)
    fee_fen: int | None = Field(None, ge=0, le=MAX_FEE_FEN)
    capacity: int | None = Field(None, ge=0, le=BIG)
    version: int | None = Field(None, description="as loaded; or send If-Match")


class QuestionOut(Schema):
    id: int
    label_zh: str
    label_en: str
    kind: QuestionKind
    choices: list[str] = Field(validation_alias="choice_list")
    required: bool
    position: int
    version: int


class QuestionIn(InputSchema):
    label_zh: str = Field("", max_length=200)
    label_en: str = Field("", max_length=200)
    kind: QuestionKind = QuestionKind.TEXT
    choices: list[str] = Field(default_factory=list, max_length=100)
    required: bool = False


class QuestionPatch(InputSchema):
    label_zh: str | None = Field(None, max_length=200)
    label_en: str | None = Field(None, max_length=200)
    kind: QuestionKind | None = None
    choices: list[str] | None = Field(None, max_length=100)
    required: bool | None = None
    version: int | None = Field(None, description="as loaded; or send If-Match")


class OrderIdsIn(InputSchema):
    ids: list[int] = Field(description="every id of the list exactly once, in the order wanted")


class NoticeOut(Schema):
    text: str = Field(description="the notice registrants read now, in the caller's language")
    version: str = Field(description="recorded with each registration as `consent_version`")
    language: str
    custom_zh: str = Field(description="the organiser's own text; empty: the standard notice")
    custom_en: str
    event_version: int


class PrivacyNoticeIn(InputSchema):
    custom_zh: str = Field("", max_length=20000)
    custom_en: str = Field("", max_length=20000)
    version: int | None = Field(None, description="the event's version; or send If-Match")


class RegistrationFeeOut(Schema):
    registration: RegistrationOut
    changed: bool = Field(description="false when it was already so (a repeated request)")


# -- the public form's rules for the organiser's POST /events/{id}/registrations --------------


def public_form(event: Event, payload: RegistrationIn) -> PublicRegistrationForm:
    """The public registration form filled from the API's payload, so the page and the API
    refuse alike."""
    notice = domain.notice(event)
    known = set(event.registration_questions.values_list("pk", flat=True))
    unknown = sorted(set(payload.answers) - known)
    if unknown:
        raise ApiError(
            422,
            "invalid",
            "The request has invalid fields.",
            {f"answers.{pk}": ["no such question for this event"] for pk in unknown[:10]},
        )
    data: dict[str, Any] = {
        "name": payload.name,
        "email": payload.email,
        "organization_name": payload.organization_name,
        "position": payload.position,
        "phone": payload.phone,
        "category": str(payload.category_id) if payload.category_id else "",
        "wants_invoice": bool(payload.invoice_title or payload.tax_id),
        "invoice_title": payload.invoice_title,
        "tax_id": payload.tax_id,
        "consent": payload.consent,
        "consent_version": notice.version,
    }
    data.update({f"q_{pk}": value for pk, value in payload.answers.items()})
    form = PublicRegistrationForm(data, event=event, notice=notice)
    if (payload.invoice_title or payload.tax_id) and not form.fees.get(data["category"]):
        # The page offers no invoice then; an API client is told rather than ignored.
        raise ApiError(
            422,
            "invalid",
            "The request has invalid fields.",
            {"invoice_title": ["There is no fee to invoice."]},
        )
    return form


def _api_name(field: str) -> str:
    if field.startswith("q_"):
        return f"answers.{field[2:]}"
    return {"category": "category_id"}.get(field, field)


def invalid_registration(form: django_forms.BaseForm) -> ApiError:
    fields = {_api_name(name): [str(m) for m in messages] for name, messages in form.errors.items()}
    return ApiError(422, "invalid", "The request has invalid fields.", fields)


def refused(exc: domain.RegistrationRefused) -> ApiError:
    """A refusal made under the event's lock: 409 `full` for a category whose places are
    taken, 422 for the rest."""
    status = 409 if exc.code == "full" else 422
    return ApiError(status, exc.code, exc.message, {_api_name(exc.field): [exc.message]})


# -- categories and questions ------------------------------------------------------------------


def _event(request: HttpRequest, event_id: int, *, manage: bool) -> Event:
    event: Event = found(
        rules.events_visible_to(request.user).prefetch_related("co_organizers"), event_id
    )
    if manage:
        require_perm(request, "engagements.manage_registration_options", event)
    return event


def _answer(response: HttpResponse, item: Any) -> Any:
    response["ETag"] = etag(item.version)
    return item


@router.get("/events/{event_id}/registration-categories", response=list[CategoryOut])
def list_categories(request: HttpRequest, event_id: int) -> list[RegistrationCategory]:
    """The event's categories in their order (shown on the public form with their fees)."""
    event = _event(request, event_id, manage=False)
    return list(event.registration_categories.order_by("position", "id"))


@router.post("/events/{event_id}/registration-categories", response={201: CategoryOut})
def add_category(request: HttpRequest, event_id: int, payload: CategoryIn) -> Status[Any]:
    event = _event(request, event_id, manage=True)
    form = CategoryForm(_category_data(payload.dict()))
    if not form.is_valid():
        raise _invalid(form)
    item = domain.add(
        actor=request_user(request),
        event=event,
        model=RegistrationCategory,
        values=form.values(),
        ip=_ip(request),
    )
    return Status(201, item)


def _category_data(
    sent: dict[str, Any], item: RegistrationCategory | None = None
) -> dict[str, Any]:
    """The form's fields (fee in yuan) from the API's (fee in fen); missing ones as saved."""
    base: dict[str, Any] = {}
    if item is not None:
        base = {
            "name_zh": item.name_zh,
            "name_en": item.name_en,
            "fee_fen": item.fee_fen,
            "capacity": item.capacity,
        }
    base.update({k: v for k, v in sent.items() if v is not None or k == "capacity"})
    if item is not None and "capacity" not in sent:
        base["capacity"] = item.capacity
    data = {k: v for k, v in base.items() if k != "fee_fen"}
    data["fee"] = str(money.to_yuan(int(base.get("fee_fen") or 0)))
    data["capacity"] = "" if base.get("capacity") is None else base["capacity"]
    return data


def _invalid(form: django_forms.BaseForm) -> ApiError:
    rename = {"fee": "fee_fen"}
    fields = {rename.get(k, k): [str(m) for m in v] for k, v in form.errors.items()}
    return ApiError(422, "invalid", "The request has invalid fields.", fields)


@router.put("/events/{event_id}/registration-categories/order", response=list[CategoryOut])
def order_categories(request: HttpRequest, event_id: int, payload: OrderIdsIn) -> Any:
    event = _event(request, event_id, manage=True)
    _set_order(request, event, RegistrationCategory, payload.ids)
    return list(event.registration_categories.order_by("position", "id"))


def _update(
    request: HttpRequest,
    response: HttpResponse,
    item: Any,
    form_class: Any,
    data: dict[str, Any],
    sent: dict[str, Any],
) -> Any:
    """A category's or a question's change through its page's form (the same checks), as one
    versioned step; a stale version is a 409 naming the fields that differ."""
    expected = expected_from(request, sent)
    form = form_class(data, instance=item)
    if not form.is_valid():
        raise _invalid(form)
    try:
        domain.update(
            actor=request_user(request),
            item=item,
            values=form.values(),
            expected_version=expected,
            ip=_ip(request),
        )
    except Conflict as exc:
        fresh = type(item).objects.get(pk=item.pk)
        raise conflict_error(exc, differing(form, form_class(instance=fresh))) from None
    return _answer(response, item)


@router.patch("/events/{event_id}/registration-categories/{category_id}", response=CategoryOut)
def update_category(
    request: HttpRequest,
    response: HttpResponse,
    event_id: int,
    category_id: int,
    payload: CategoryPatch,
) -> Any:
    """Change a category; 409 when someone saved it after the `version` sent. Registrations
    keep the fee they registered at."""
    event = _event(request, event_id, manage=True)
    item = found(event.registration_categories.all(), category_id)
    sent = payload.dict(exclude_unset=True)
    return _update(request, response, item, CategoryForm, _category_data(sent, item), sent)


@router.delete("/events/{event_id}/registration-categories/{category_id}", response={204: None})
def remove_category(request: HttpRequest, event_id: int, category_id: int) -> Status[None]:
    """Remove a category; 409 `in_use` while registrations have it."""
    event = _event(request, event_id, manage=True)
    item = found(event.registration_categories.all(), category_id)
    try:
        domain.remove(actor=request_user(request), item=item, ip=_ip(request))
    except domain.CategoryInUse:
        raise ApiError(
            409,
            "in_use",
            "Registrations have this category; it cannot be removed. Rename it or set its "
            "places instead.",
            {"category_id": [str(category_id)]},
        ) from None
    return Status(204, None)


def _set_order(request: HttpRequest, event: Event, model: Any, ids: list[int]) -> None:
    try:
        domain.set_order(
            actor=request_user(request), event=event, model=model, ids=ids, ip=_ip(request)
        )
    except ValueError:
        raise ApiError(
            422,
            "invalid",
            "List every item exactly once.",
            {"ids": ["must list every item of the event exactly once"]},
        ) from None


@router.get("/events/{event_id}/registration-questions", response=list[QuestionOut])
def list_questions(request: HttpRequest, event_id: int) -> list[RegistrationQuestion]:
    event = _event(request, event_id, manage=False)
    return list(event.registration_questions.order_by("position", "id"))


def _question_data(
    sent: dict[str, Any], item: RegistrationQuestion | None = None
) -> dict[str, Any]:
    base: dict[str, Any] = {}
    if item is not None:
        base = {
            "label_zh": item.label_zh,
            "label_en": item.label_en,
            "kind": item.kind,
            "choices": item.choice_list,
            "required": item.required,
        }
    base.update({k: v for k, v in sent.items() if v is not None})
    base["choices"] = "\n".join(base.get("choices") or [])
    if not base.get("required"):
        base.pop("required", None)  # an unchecked box is absent from form data
    return base


@router.post("/events/{event_id}/registration-questions", response={201: QuestionOut})
def add_question(request: HttpRequest, event_id: int, payload: QuestionIn) -> Status[Any]:
    event = _event(request, event_id, manage=True)
    form = QuestionForm(_question_data(payload.dict()))
    if not form.is_valid():
        raise _invalid(form)
    item = domain.add(
        actor=request_user(request),
        event=event,
        model=RegistrationQuestion,
        values=form.values(),
        ip=_ip(request),
    )
    return Status(201, item)


@router.put("/events/{event_id}/registration-questions/order", response=list[QuestionOut])
def order_questions(request: HttpRequest, event_id: int, payload: OrderIdsIn) -> Any:
    event = _event(request, event_id, manage=True)
    _set_order(request, event, RegistrationQuestion, payload.ids)
    return list(event.registration_questions.order_by("position", "id"))


@router.patch("/events/{event_id}/registration-questions/{question_id}", response=QuestionOut)
def update_question(
    request: HttpRequest,
    response: HttpResponse,
    event_id: int,
    question_id: int,
    payload: QuestionPatch,
) -> Any:
    event = _event(request, event_id, manage=True)
    item = found(event.registration_questions.all(), question_id)
    sent = payload.dict(exclude_unset=True)
    return _update(request, response, item, QuestionForm, _question_data(sent, item), sent)


@router.delete("/events/{event_id}/registration-questions/{question_id}", response={204: None})
def remove_question(request: HttpRequest, event_id: int, question_id: int) -> Status[None]:
    """Remove a question with the answers given to it."""
    event = _event(request, event_id, manage=True)
    item = found(event.registration_questions.all(), question_id)
    domain.remove(actor=request_user(request), item=item, ip=_ip(request))
    return Status(204, None)


# -- the notice ------------------------------------------------------------------------------------


def _notice(event: Event) -> NoticeOut:
    shown = domain.notice(event)
    return NoticeOut(
        text=shown.text,
        version=shown.version,
        language=shown.language,
        custom_zh=event.privacy_notice_zh,
        custom_en=event.privacy_notice_en,
        event_version=event.version,
    )


@router.get("/events/{event_id}/privacy-notice", response=NoticeOut)
def get_notice(request: HttpRequest, event_id: int) -> NoticeOut:
    """The personal-information notice registrants agree to (Accept-Language picks zh/en)."""
    return _notice(_event(request, event_id, manage=False))


@router.put("/events/{event_id}/privacy-notice", response=NoticeOut)
def set_notice(request: HttpRequest, event_id: int, payload: PrivacyNoticeIn) -> NoticeOut:
    """The organiser's own notice (empty texts: the standard one); 409 when the event was
    saved after `version`."""
    event = _event(request, event_id, manage=True)
    sent = payload.dict()
    expected = expected_from(request, sent)
    data = {"privacy_notice_zh": sent["custom_zh"], "privacy_notice_en": sent["custom_en"]}
    form = NoticeForm(data, instance=Event.objects.get(pk=event.pk))
    if not form.is_valid():
        fields = {
            k.replace("privacy_notice_", "custom_"): [str(m) for m in v]
            for k, v in form.errors.items()
        }
        raise ApiError(422, "invalid", "The request has invalid fields.", fields)
    with refusals():
        domain.set_notice(
            actor=request_user(request),
            event=event,
            text_zh=form.cleaned_data["privacy_notice_zh"],
            text_en=form.cleaned_data["privacy_notice_en"],
            expected_version=expected,
            ip=_ip(request),
        )
    return _notice(Event.objects.select_related("organizer").get(pk=event.pk))


# -- fee received ----------------------------------------------------------------------------------


def _registration(request: HttpRequest, event_id: int, registration_id: int) -> Registration:
    event = _event(request, event_id, manage=True)
    require_perm(request, "engagements.manage_registrations", event)
    regs = rules.registrations_visible_to(request.user).filter(event=event)
    reg: Registration = found(domain.with_options(regs), registration_id)
    return reg


def _fee(request: HttpRequest, reg: Registration, received: bool) -> dict[str, Any]:
    changed = domain.set_fee_received(
        actor=request_user(request), registration=reg, received=received, ip=_ip(request)
    )
    # Validated by ninja with the request in its context, which the personal-data fields ask.
    return {"registration": reg, "changed": changed}


@router.post(
    "/events/{event_id}/registrations/{registration_id}/fee-received", response=RegistrationFeeOut
)
def mark_fee_received(request: HttpRequest, event_id: int, registration_id: int) -> Any:
    """Record that the registration's fee arrived (paid outside Luodi). Idempotent: a repeat
    keeps the first time and answers `changed: false`."""
    return _fee(request, _registration(request, event_id, registration_id), True)


@router.delete(
    "/events/{event_id}/registrations/{registration_id}/fee-received", response=RegistrationFeeOut
)
def unmark_fee_received(request: HttpRequest, event_id: int, registration_id: int) -> Any:
    """Undo a mistaken "fee received"; idempotent."""
    return _fee(request, _registration(request, event_id, registration_id), False)
