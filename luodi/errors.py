"""Client errors raised by API handlers; rendered by luodi.api in one JSON shape.

Also the pagination bounds every API list shares, so that no `limit` or `offset` a client
can send reaches the database as a number it cannot store: out of range is a 422 in the
same error shape, and the bounds are in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, get_type_hints

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field
from ninja.pagination import LimitOffsetPagination

# The largest primary key: Django's lookups answer "no such record" for an id beyond it
# (a 404 or a 422) rather than overflowing the database's integer.
MAX_ID = 2**63 - 1

# A page of at most MAX_LIMIT items (the cost of one request stays bounded); offsets fit
# every database's integer, far beyond any real list.
DEFAULT_LIMIT = 100
MAX_LIMIT = 200
MAX_OFFSET = 2**31 - 1


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


class Pagination(LimitOffsetPagination):
    """ninja's limit/offset pagination with both numbers bounded (its own has no maximum)."""

    class Input(LimitOffsetPagination.Input):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


def require_perm(
    request: HttpRequest, perm: str, obj: Any = None, message: str = "You may not do this."
) -> None:
    """Raise a 403 `forbidden` unless the caller holds `perm` (on `obj`, when given)."""
    if not request.user.has_perm(perm, obj):
        raise ApiError(403, "forbidden", message)


def invalid(errors: Mapping[str, Iterable[Any]]) -> ApiError:
    """A 422 naming each field's messages: a form's `errors` or a `{field: [messages]}`."""
    fields = {name: [str(m) for m in messages] for name, messages in errors.items()}
    return ApiError(422, "invalid", "The request has invalid fields.", fields)


def from_validation(exc: ValidationError, rename: Mapping[str, str] | None = None) -> ApiError:
    """A 422 for a domain ValidationError (errors not tied to a field go under `__all__`),
    its field names spelled as the API spells them (`rename`: domain name → API name)."""
    if hasattr(exc, "error_dict"):
        rename = rename or {}
        return invalid({rename.get(k, k): v for k, v in exc.message_dict.items()})
    return invalid({"__all__": exc.messages})


def found(qs: QuerySet[Any], pk: int) -> Any:
    """The row `pk` of `qs` — a queryset already narrowed to what the caller may see — or
    the API's 404: a row that exists but is not the caller's to see answers the same."""
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise ApiError(404, "not_found", "Not found.")
    return obj


def stable_order(qs: QuerySet[Any]) -> QuerySet[Any]:
    """Offset pagination needs a total order: add the primary key as the last tie-breaker."""
    ordering = list(qs.query.order_by or qs.model._meta.ordering)
    if not {"pk", "-pk", "id", "-id"} & {str(o) for o in ordering}:
        qs = qs.order_by(*ordering, "pk")
    return qs


class LazyPage:
    """A paginated list's rows, built only for the slice ninja's pagination takes: the count
    is one query, and `rows` (links, computed fields, visibility of what each row names) is
    read for that page's records alone."""

    def __init__(
        self, records: QuerySet[Any], rows: Callable[[list[Any]], list[dict[str, Any]]]
    ) -> None:
        self.records, self.rows = records, rows

    def __len__(self) -> int:
        return self.records.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return self.rows(list(self.records[window]))


def resolved(func: Callable[..., Any]) -> Callable[..., Any]:
    """Give a handler real (not string) parameter annotations: ninja reads them, and a
    paginated handler's string annotations would be resolved in ninja's module, not the
    handler's."""
    func.__annotations__ = get_type_hints(func)
    return func


def add_errors(
    form: forms.BaseForm,
    exc: ValidationError,
    *,
    field_of: Mapping[str, str] | None = None,
    unnamed: str | None = None,
) -> None:
    """A domain refusal shown on the form that caused it: each error beside its field when
    the form has that field, above the form otherwise. The domain names model fields; a form
    that spells them differently says how, by `field_of` or by a `field_for(name)` method
    (amounts typed in yuan beside a model field in fen). An error naming no field goes
    beside `unnamed` when the form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(unnamed if unnamed in form.fields else None, exc)
        return
    field_for = getattr(form, "field_for", None)
    for name, errors in exc.error_dict.items():
        target = field_for(name) if field_for else (field_of or {}).get(name, name)
        form.add_error(target if target in form.fields else None, errors)
