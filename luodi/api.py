"""The REST API: one NinjaAPI at /api/, token or session auth, one error shape.

Each app contributes a router in its `api.py`; they are mounted here in one place.
Errors are always `{"error": {"code", "message", "fields"}}` with a 4xx status.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from luodi.accounts.domain import authenticate_token
from luodi.accounts.models import User
from luodi.errors import ApiError

log = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session, with Django's CSRF check on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


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
_ERROR_RESPONSES = {
    401: "Authentication required",
    403: "Not allowed",
    404: "Not found (or not visible to you)",
    422: "Invalid input; `fields` says which",
}


class LuodiAPI(NinjaAPI):
    """Documents the one error shape on every operation, so clients can rely on it."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                # ninja keys responses by int; an operation's own error schema wins.
                for code, text in _ERROR_RESPONSES.items():
                    if code not in responses and str(code) not in responses:
                        responses[code] = {"description": text, "content": ref}
        return schema


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


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A bug, not a client error: logged with its traceback, answered in the same shape.
    log.exception("Unhandled API error", exc_info=exc)
    return error_response(request, 500, "server_error", "Internal error; it has been logged.")


def _mount() -> None:
    from luodi.accounts.api import router as accounts_router
    from luodi.catalog.api import router as catalog_router
    from luodi.engagements.api import router as engagements_router
    from luodi.ingest.api import router as ingest_router
    from luodi.insights.api import router as insights_router
    from luodi.matchmaking.api import router as matchmaking_router
    from luodi.notifications.api import router as notifications_router
    from luodi.pipeline.api import router as pipeline_router
    from luodi.search.api import router as search_router

    routers: list[tuple[str, Any]] = [
        ("/accounts/", accounts_router),
        ("/catalog/", catalog_router),
        ("/search/", search_router),
        ("/ingest/", ingest_router),
        ("/pipeline/", pipeline_router),
        ("/engagements/", engagements_router),
        ("/matchmaking/", matchmaking_router),
        ("/insights/", insights_router),
        ("/notifications/", notifications_router),
    ]
    for prefix, router in routers:
        api.add_router(prefix, router)


_mount()
