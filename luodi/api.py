"""The REST API: one NinjaAPI at /api/, token or session auth, one error shape.

Each app contributes a router in its `api.py`; they are mounted here in one place.
Errors are always `{"error": {"code", "message", "fields"}}` with a 4xx status: also for a
body too large (413) or unparseable (400), a method a path does not answer (405) and any
path under /api/ that is no operation (404), and each is documented where it can occur.

Every create (a POST answering 201) honours an `Idempotency-Key` header (`idempotent`,
applied to all of them in one place below): the same key, user and request get the first
answer again instead of a second record; the same key with another request is a 422.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.urls import Resolver404, URLPattern, re_path, resolve
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from luodi import control_chars
from luodi.accounts import two_factor
from luodi.accounts.domain import TokenRefused, authenticate_token
from luodi.accounts.models import IdempotencyKey, User
from luodi.errors import ApiError

log = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        try:
            user = authenticate_token(token, method=request.method or "GET")
        except TokenRefused as refused:
            raise ApiError(refused.status, refused.code, refused.message) from refused
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session, with Django's CSRF check on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not two_factor.satisfied(request):
            raise ApiError(
                403,
                "two_factor_required",
                "Sign in with your second factor (or enrol one) before using the API.",
            )
        return user


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}
_IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": (
        "Makes the create safe to retry: the same key with the same request returns the "
        "first answer (header Idempotent-Replayed: true) instead of creating again; the "
        "same key with a different request is a 422. Keys are kept for 24 hours."
    ),
}
_ERROR_RESPONSES = {
    401: "Authentication required",
    403: "Not allowed",
    404: "Not found (or not visible to you)",
    422: "Invalid input; `fields` says which",
}
# Only an operation that reads a body can fail to parse it or find it too large.
_BODY_ERROR_RESPONSES = {
    400: "The body could not be parsed (malformed JSON or multipart)",
    413: "The body is larger than the server accepts",
}
# Writes may meet a record changed meanwhile or in a state that does not allow them.
_WRITE_ERROR_RESPONSES = {
    409: "Conflict: the record changed meanwhile, or its state does not allow this",
}
_WRITE_METHODS = {"post", "put", "patch", "delete"}
# The URL name of the route answering every path under /api/ that is no operation.
NOT_FOUND = "not-found"


class LuodiAPI(NinjaAPI):
    """Documents the one error shape on every operation, so clients can rely on it."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        idempotent_ids = {
            op.operation_id or self.get_openapi_operation_id(op) for op in _IDEMPOTENT_OPERATIONS
        }
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                if operation.get("operationId") in idempotent_ids:
                    operation.setdefault("parameters", []).append(_IDEMPOTENCY_PARAMETER)
                    responses.setdefault(
                        409,
                        {
                            "description": "The same key is in use by a request still running",
                            "content": ref,
                        },
                    )
                errors = dict(_ERROR_RESPONSES)
                if "requestBody" in operation:
                    errors.update(_BODY_ERROR_RESPONSES)
                if method in _WRITE_METHODS:
                    errors.update(_WRITE_ERROR_RESPONSES)
                # ninja keys responses by int; an operation's own error schema wins.
                for code, text in sorted(errors.items()):
                    if code not in responses and str(code) not in responses:
                        responses[code] = {"description": text, "content": ref}
        return schema

    def _get_urls(self) -> list[Any]:
        patterns: list[Any] = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _guarded(pattern.callback)
        # Last: any other path under the API is a JSON 404, not the site's HTML page (and
        # no APPEND_SLASH redirect, which a POST cannot follow).
        patterns.append(re_path(r"^.*$", _no_such_operation, name=NOT_FOUND))
        return patterns


def _guarded(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Every API view: text in the query or the path with an invisible control character is
    a 422 before any handler runs (request bodies are checked by `InputSchema`; PostgreSQL
    cannot even compare a text holding NUL); and ninja's plain-text 405, for a known path
    with a method it does not answer, in the one error shape with its Allow header.
    (`wraps` keeps the view's `csrf_exempt`.)"""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        refused = _control_chars(request, kwargs)
        if refused is not None:
            return refused
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = error_response(
                request, 405, "method_not_allowed", f"This path answers {allowed}."
            )
            response["Allow"] = allowed
        return response

    return wrapper


def _control_chars(request: HttpRequest, path_params: dict[str, Any]) -> HttpResponse | None:
    fields: dict[str, list[str]] = {}
    texts = [*request.GET.lists(), *path_params.items()]
    for name, value in texts:
        char = control_chars.find([name, value])
        if char is not None:
            # A parameter's name holding one is not repeated in the answer.
            key = "__all__" if control_chars.find(name) else name
            fields.setdefault(key, []).append(control_chars.message(char))
    if not fields:
        return None
    return error_response(request, 422, "invalid", "The request has invalid fields.", fields)


@csrf_exempt
def _no_such_operation(request: HttpRequest) -> HttpResponse:
    message = "No API operation at this path."
    # This route replaces CommonMiddleware's APPEND_SLASH redirect: name the path instead.
    if not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != NOT_FOUND:
            message += f" Did you mean {request.path}/ ?"
    return error_response(request, 404, "not_found", message)


api = LuodiAPI(
    title="Luodi API",
    version="1",
    description="Luodi (落地): catalog, matchmaking and transformation pipeline.",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=[TokenAuth(), SessionAuth(csrf=True)],
)


def error_response(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    return api.create_response(
        request,
        {"error": {"code": code, "message": message, "fields": fields or {}}},
        status=status,
    )


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "throttled",
}


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload")]
        fields.setdefault(".".join(loc) or "__all__", []).append(str(err.get("msg", "invalid")))
    return error_response(request, 422, "invalid", "The request has invalid fields.", fields)


@api.exception_handler(DjangoValidationError)
def _django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    fields = (
        {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        if hasattr(exc, "error_dict")
        else {"__all__": [str(m) for m in exc.messages]}
    )
    return error_response(request, 422, "invalid", "The request has invalid fields.", fields)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request, 401, "unauthenticated", "Authentication required: a session or a bearer token."
    )


@api.exception_handler(AuthorizationError)
@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, 403, "forbidden", "You may not do this.")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, 404, "not_found", "Not found.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = _STATUS_CODES.get(exc.status_code, "error")
    return error_response(request, exc.status_code, code, str(exc))


@api.exception_handler(RequestDataTooBig)
@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def _too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE (or too many fields or files)
    # when it is read: the client's doing, so a 413 rather than the 500 it would fall to.
    return error_response(
        request, 413, "too_large", "The request body is larger than the server accepts."
    )


@api.exception_handler(MultiPartParserError)
@api.exception_handler(SuspiciousOperation)
def _bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A multipart body with a broken boundary, or another request Django will not parse.
    return error_response(request, 400, "bad_request", "The request body could not be parsed.")


@api.exception_handler(OverflowError)
def _overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # A safety net: API inputs are bounded (luodi.errors), but a number too large for the
    # database that slipped past them is still the client's value, not a server fault.
    log.warning("Number out of range reached the database: %s", exc)
    message = "A number in the request is out of range."
    return error_response(request, 422, "invalid", message, {"__all__": [message]})


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A bug, not a client error: logged with its traceback, answered in the same shape.
    log.exception("Unhandled API error", exc_info=exc)
    return error_response(request, 500, "server_error", "Internal error; it has been logged.")


IDEMPOTENCY_HEADER = "Idempotency-Key"
# The operations `idempotent` wrapped, for the OpenAPI document.
_IDEMPOTENT_OPERATIONS: list[Any] = []
# How long a key's first answer is kept (and the key refused for another request).
IDEMPOTENCY_HOURS = 24


def _is_create(operation: Any) -> bool:
    """A POST answering 201, unless its answer holds a secret not to be kept
    (`view.replay_stored = False`, e.g. a new API token)."""
    return (
        "POST" in operation.methods
        and 201 in operation.response_models
        and getattr(operation.view_func, "replay_stored", True)
    )


def idempotent(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap a create operation's `run` (ninja's view-mode decorator): with an
    `Idempotency-Key` header the key is claimed, the create runs and its answer is stored,
    all in one transaction. A retry with the same key, user, method, path and body gets
    the stored answer (header `Idempotent-Replayed: true`), however the first one ended for
    the client; the same key with anything else is a 422. A parallel retry waits on the
    key's unique row until the first commits. Errors are not stored: nothing of a refused
    create is kept (it is rolled back), so the client may correct it under the same key."""
    operation = getattr(run, "__self__", None)
    if operation is None or not _is_create(operation):
        return run
    _IDEMPOTENT_OPERATIONS.append(operation)

    @wraps(run)
    def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return run(request, **kwargs)
        if not key.strip() or len(key) > 255 or not key.isprintable():
            return error_response(
                request,
                422,
                "invalid",
                "The request has invalid fields.",
                {IDEMPOTENCY_HEADER: ["Send 1 to 255 printable characters."]},
            )
        # A key belongs to a user, so authenticate first (run() checks again, cheaply).
        refused = operation._run_checks(request)
        if refused is not None:
            return refused
        user = request.auth  # type: ignore[attr-defined]
        digest = hashlib.sha256(
            f"{request.method}\n{request.get_full_path()}\n".encode() + request.body
        ).hexdigest()
        with transaction.atomic():
            cutoff = timezone.now() - timedelta(hours=IDEMPOTENCY_HOURS)
            IdempotencyKey.objects.filter(user=user, created_at__lt=cutoff).delete()
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(
                        user=user, key=key, fingerprint=digest, status=0, content_type="", body=b""
                    )
            except IntegrityError:
                return _replay(request, user, key, digest)
            response = run(request, **kwargs)
            if not 200 <= response.status_code < 300 or response.streaming:
                transaction.set_rollback(True)
                return response
            record.status = response.status_code
            record.content_type = response.get("Content-Type", "application/json")
            record.body = response.content  # type: ignore[attr-defined]
            record.save(update_fields=["status", "content_type", "body"])
            return response

    return wrapper


def _replay(request: HttpRequest, user: User, key: str, digest: str) -> HttpResponse:
    first = IdempotencyKey.objects.filter(user=user, key=key).first()
    if first is None:  # the first request with this key was rolled back meanwhile
        return error_response(
            request, 409, "conflict", "A request with this Idempotency-Key is in progress."
        )
    if first.fingerprint != digest:
        return error_response(
            request,
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was used for another request; use a new key.",
            {IDEMPOTENCY_HEADER: ["Already used for a different request."]},
        )
    response = HttpResponse(bytes(first.body), status=first.status, content_type=first.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


api.add_decorator(idempotent, mode="view")


def _mount() -> None:
    from luodi.accounts.api import router as accounts_router
    from luodi.aftercare.api import router as aftercare_router
    from luodi.assessments.api import router as assessments_router
    from luodi.catalog.api import router as catalog_router
    from luodi.challenges.api import router as challenges_router
    from luodi.conferences.api import router as conferences_router
    from luodi.credentials.api import router as credentials_router
    from luodi.engagements.api import router as engagements_router
    from luodi.grants.api import router as grants_router
    from luodi.ingest.api import router as ingest_router
    from luodi.insights.api import router as insights_router
    from luodi.ledger.api import router as ledger_router
    from luodi.matchmaking.api import router as matchmaking_router
    from luodi.notifications.api import router as notifications_router
    from luodi.partnering.api import router as partnering_router
    from luodi.patents.api import router as patents_router
    from luodi.pipeline.api import router as pipeline_router
    from luodi.privacy.api import router as privacy_router
    from luodi.rewards.api import router as rewards_router
    from luodi.search.api import router as search_router
    from luodi.surveys.api import router as surveys_router

    routers: list[tuple[str, Any]] = [
        ("/accounts/", accounts_router),
        ("/catalog/", catalog_router),
        ("/search/", search_router),
        ("/ingest/", ingest_router),
        ("/pipeline/", pipeline_router),
        ("/aftercare/", aftercare_router),
        ("/patents/", patents_router),
        ("/ledger/", ledger_router),
        ("/rewards/", rewards_router),
        ("/grants/", grants_router),
        ("/assessments/", assessments_router),
        ("/challenges/", challenges_router),
        ("/conferences/", conferences_router),
        ("/partnering/", partnering_router),
        ("/credentials/", credentials_router),
        ("/surveys/", surveys_router),
        ("/engagements/", engagements_router),
        ("/matchmaking/", matchmaking_router),
        ("/insights/", insights_router),
        ("/notifications/", notifications_router),
        ("/privacy/", privacy_router),
    ]
    for prefix, router in routers:
        api.add_router(prefix, router)


_mount()


def openapi_text() -> str:
    """The schema as committed: sorted keys, stable indentation, trailing newline."""
    schema = api.get_openapi_schema(path_prefix="/api")
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
